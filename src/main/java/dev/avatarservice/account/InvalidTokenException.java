package dev.avatarservice.account;

/** A bearer token that does not authenticate anyone. The message is safe to show a client. */
public final class InvalidTokenException extends RuntimeException {

  public InvalidTokenException(String message) {
    super(message, null, false, false);
  }
}
