package dev.avatarservice.account;

/**
 * The attempt could not be counted (the shared map did not answer): the password is not checked,
 * since an uncounted check is exactly what a guesser wants. The HTTP layer answers 503.
 */
public final class AttemptsUnavailableException extends RuntimeException {

  public AttemptsUnavailableException(Throwable cause) {
    super("failed attempts cannot be counted right now", cause);
  }
}
