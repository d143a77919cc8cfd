package dev.avatarservice.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.Optional;

/**
 * Why a bus request failed (mostly a store request): the failure code of the {@link ReplyException}.
 * The HTTP layer maps each to a status and a JSend code; the message is safe to show a client.
 */
public enum Failure {
  /** No account has that identifier (a login treats it like a wrong password). */
  UNKNOWN_IDENTIFIER(1),
  /** The account does not exist (any more): the token that named it is worthless. */
  USER_NOT_FOUND(2),
  /** Another account has that identifier, case-insensitively. */
  IDENTIFIER_TAKEN(3),
  /** The refresh token is unknown, expired, already used or revoked. */
  INVALID_REFRESH_TOKEN(4),
  /** The thing asked for is not there (an avatar file). */
  NOT_FOUND(5),
  /** The database cannot take writes now (locked, read-only, full); worth retrying later. */
  UNAVAILABLE(6),
  /** Anything else; details stay in the store's log. */
  INTERNAL(7),
  /** The session a token belongs to has ended (or never existed): the token is worthless. */
  SESSION_ENDED(8),
  /** A node's sockets were not all confirmed closed (a socket registry did not answer in time). */
  UNCONFIRMED(9),
  /** The store cannot do this on its database (a backup on PostgreSQL: that is pg_dump's job). */
  NOT_SUPPORTED(10);

  private final int code;

  Failure(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public ReplyException exception(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  /** The failure a throwable carries, if it is a recipient failure with one of our codes. */
  public static Optional<Failure> of(Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      for (Failure failure : values()) {
        if (failure.code == reply.failureCode()) {
          return Optional.of(failure);
        }
      }
    }
    return Optional.empty();
  }
}
