package dev.avatarservice.http.realtime;

import io.vertx.core.Future;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.nio.charset.StandardCharsets;

/**
 * A {@link RealtimeSocket} over a Vert.x {@link SockJSSocket}: the SockJS HTTP transports
 * (xhr-streaming, xhr-polling, eventsource). Vert.x writes the SockJS heartbeats and ends sessions
 * whose client stopped polling, so {@link #keepAlive()} has nothing to do.
 * <p>
 * Closing waits until what was written has reached the client: a Vert.x SockJS session drops
 * unsent messages when it closes, and a polling client is often between two polls when its
 * {@code user.deleted} is written.
 * <p>
 * Limitation of Vert.x 5.0.7: these sessions ignore the close code and always send
 * {@code c[3000,"Go away!"]}. The WebSocket transports, which browsers use whenever they can,
 * carry the real codes ({@link WebSocketChannel}).
 */
final class SockJsChannel implements RealtimeSocket {

  private final SockJSSocket socket;
  private final int maxMessageBytes;
  private boolean closing;
  /** Completes once the last message written has been sent to the client (or the session ended). */
  private Future<Void> lastWrite = Future.succeededFuture();

  private final Runnable onClosed;

  /** @param onClosed called once the session has closed, whoever closed it */
  SockJsChannel(SockJSSocket socket, RealtimeSettings settings, Runnable onClosed) {
    this.socket = socket;
    this.maxMessageBytes = settings.maxMessageBytes();
    this.onClosed = onClosed;
  }

  @Override
  public void attach(SocketSession session) {
    socket.handler(message -> {
      if (closing) {
        return;
      }
      if (message.length() > maxMessageBytes) {
        session.tooBig();
      } else {
        session.text(message.toString(StandardCharsets.UTF_8));
      }
    });
    socket.exceptionHandler(error -> {
      // The session ends and the close handler follows.
    });
    socket.closeHandler(closed -> {
      onClosed.run();
      session.closed();
    });
  }

  @Override
  public void send(String message) {
    if (!closing) {
      lastWrite = socket.write(message);
    }
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public Future<Void> close(int code, String reason) {
    if (closing) {
      return Future.succeededFuture();
    }
    closing = true;
    return lastWrite.otherwiseEmpty().andThen(sent -> socket.close(code, reason));
  }

  @Override
  public boolean keepAlive() {
    return true;
  }
}
