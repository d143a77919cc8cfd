package dev.avatarservice.account;

/** The current password given to change it is wrong (counted like a failed login). */
public final class WrongPasswordException extends RuntimeException {

  public WrongPasswordException() {
    super("the current password is wrong", null, false, false);
  }
}
