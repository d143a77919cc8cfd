package dev.avatarservice.http.realtime;

/**
 * Why the server closes a socket: the close code of the contract and a short reason (WebSocket
 * close reasons must fit in 123 bytes). Several reasons share a code; clients act on the code.
 */
enum CloseReason {
  /** No successful {@code auth} within WS_AUTH_TIMEOUT. */
  AUTH_TIMEOUT(4401, "authentication timeout"),
  /** A token that does not verify, or whose account no longer exists. */
  INVALID_TOKEN(4401, "invalid token"),
  /** The token the socket holds expired and no fresh one came. */
  TOKEN_EXPIRED(4401, "token expired"),
  /** A renewal with a token of another user than the socket's. */
  OTHER_USER(4401, "token of another user"),
  /** The socket's session ended (logout, password change, ...); sent after the {@code session.ended} message. */
  SESSION_ENDED(4401, "session ended"),
  /** The account holds WS_MAX_PER_USER sockets already: this one, the newest, goes. */
  TOO_MANY_SOCKETS(4429, "too many sockets"),
  /** The account was deleted; sent after the {@code user.deleted} message. */
  ACCOUNT_DELETED(4410, "account deleted"),
  /** The server is shutting down; reconnect (to another node). */
  SHUTDOWN(1001, "server shutting down"),
  /** A message over WS_MAX_MESSAGE. */
  TOO_BIG(1009, "message too big"),
  /**
   * The client does not read what it is sent: its write queue is full. 1013 (try again later)
   * rather than 1008 (policy violation): the client did nothing wrong and should reconnect, and
   * reconnecting gives it the current state in {@code ready}. Closing bounds the memory a slow
   * reader can pin on the server.
   */
  TOO_SLOW(1013, "client too slow"),
  /** No pong to the previous ping: the peer is gone or unreachable. Same code as TOO_SLOW. */
  NO_PONG(1013, "no pong");

  private final int code;
  private final String reason;

  CloseReason(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  int code() {
    return code;
  }

  String reason() {
    return reason;
  }
}
