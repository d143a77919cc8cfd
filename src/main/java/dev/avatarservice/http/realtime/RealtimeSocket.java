package dev.avatarservice.http.realtime;

import io.vertx.core.Future;

/**
 * What a {@link SocketSession} needs of its transport, so that the session is written once for
 * WebSocket ({@link WebSocketChannel}) and SockJS ({@link SockJsChannel}). Every method is called
 * on the event loop that owns the socket. The transport feeds the session what it receives
 * ({@link SocketSession#text}, {@link SocketSession#binary}, {@link SocketSession#tooBig},
 * {@link SocketSession#closed}).
 */
interface RealtimeSocket {

  /** Connects the transport's handlers to the session; called once, before anything is sent. */
  void attach(SocketSession session);

  /** Sends one JSON text message. */
  void send(String message);

  /** True when the client does not read fast enough: more would only pile up in memory. */
  boolean writeQueueFull();

  /** Closes with this code and reason; completes once closed, or when the peer did not answer. */
  Future<Void> close(int code, String reason);

  /**
   * Called every WS_PING_INTERVAL: pings the peer, or does nothing where the transport has its
   * own heartbeats. False when the peer did not answer the previous ping.
   */
  boolean keepAlive();
}
