package dev.avatarservice.account;

/** Too many failed logins for this identifier from this address: locked until the window ends. */
public final class LoginLockedException extends RuntimeException {

  private final long retryAfterSeconds;

  public LoginLockedException(long retryAfterSeconds) {
    super("too many failed logins; retry after " + retryAfterSeconds + " s", null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
