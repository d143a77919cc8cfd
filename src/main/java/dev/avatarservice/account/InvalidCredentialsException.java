package dev.avatarservice.account;

/** The identifier or the password is wrong; which of the two is never said. */
public final class InvalidCredentialsException extends RuntimeException {

  public InvalidCredentialsException() {
    super("the identifier or the password is wrong", null, false, false);
  }
}
