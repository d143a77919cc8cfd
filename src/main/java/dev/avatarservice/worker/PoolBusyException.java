package dev.avatarservice.worker;

/** A {@link BoundedPool} is full: the work was not started; worth retrying after a moment (503). */
public final class PoolBusyException extends RuntimeException {

  private final long retryAfterSeconds;

  public PoolBusyException(String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
