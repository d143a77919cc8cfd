package dev.avatarservice.http.realtime;

import dev.avatarservice.config.AllowedOrigins;

/**
 * The realtime settings: who may open sockets, how long a socket may stay unauthenticated, how big
 * a message may be, how often peers are pinged, and the timings of deletions.
 *
 * @param authTimeoutMillis        WS_AUTH_TIMEOUT: time to authenticate after the socket opens
 * @param maxMessageBytes          WS_MAX_MESSAGE: largest client message (UTF-8 bytes); larger ones close with 1009
 * @param pingIntervalMillis       WS_PING_INTERVAL: WebSocket pings and SockJS heartbeats
 * @param leewaySeconds            JWT_LEEWAY_SECONDS: a socket's token expires when the REST API would refuse it
 * @param origins                  WS_ORIGINS, or its default (see {@link AllowedOrigins})
 * @param deletedRetentionMillis   STORE_TIMEOUT_MS: how long a deleted user is remembered, at least the longest
 *                                 an answer of the store can take (see {@link SocketRegistry#userDeleted})
 * @param maxPerUser               WS_MAX_PER_USER: sockets one account may hold open on a node
 * @param maxPerAddress            WS_MAX_PER_ADDRESS: sockets one client address may hold open on a node
 * @param secureCookies            PUBLIC_BASE_URL is https: the SockJS session cookies are {@code Secure}
 * @param deletionCloseGraceMillis how long a deletion waits for the clients to answer the 4410 close frames:
 *                                 well within DELETION_CONFIRM_TIMEOUT_MS, which the notify verticle waits
 */
public record RealtimeSettings(long authTimeoutMillis, int maxMessageBytes, long pingIntervalMillis,
                               long leewaySeconds, AllowedOrigins origins, long deletedRetentionMillis,
                               long deletionCloseGraceMillis, int maxPerUser, int maxPerAddress,
                               boolean secureCookies) {

  /**
   * How long shutdown waits for clients to answer the 1001 close frames before the server closes
   * the connections anyway. A protocol timing, not deployment configuration.
   */
  static final long SHUTDOWN_GRACE_MILLIS = 1000;

  /**
   * The worst-case growth of a message in SockJS framing, where each character may be written as
   * a six-character JSON escape; the 16 bytes cover the brackets and quotes.
   */
  private static final int SOCKJS_ESCAPE_FACTOR = 6;
  private static final int SOCKJS_FRAMING_BYTES = 16;

  /**
   * The largest WebSocket frame (and message) the HTTP server accepts: room for one maximal
   * message in SockJS framing, so that every over-long message reaches the realtime code, which
   * closes the socket with 1009. Bigger frames are refused by Netty's decoder, and Vert.x then
   * drops the connection without a close frame.
   */
  int maxFrameBytes() {
    return maxMessageBytes * SOCKJS_ESCAPE_FACTOR + SOCKJS_FRAMING_BYTES;
  }

  /** Whether a socket may be opened from a page of that origin (the value of an {@code Origin} header). */
  boolean allows(String origin) {
    return origins.allows(origin);
  }
}
