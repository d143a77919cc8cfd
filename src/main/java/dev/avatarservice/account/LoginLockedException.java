package dev.avatarservice.account;

/**
 * Too many failed password checks for this identifier from this client address: no password is
 * checked until the window ends. The HTTP layer answers 429 with {@code Retry-After}.
 */
public final class LoginLockedException extends RuntimeException {

  private final long retryAfterSeconds;

  public LoginLockedException(long retryAfterSeconds) {
    super("too many failed attempts; retry after " + retryAfterSeconds + " s", null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
