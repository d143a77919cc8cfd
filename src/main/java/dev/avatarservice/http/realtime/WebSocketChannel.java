package dev.avatarservice.http.realtime;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RealtimeSocket} over a {@link ServerWebSocket}: plain ({@code /ws}) or in SockJS framing
 * (the {@code /sockjs/<server>/<session>/websocket} transport, served here rather than by Vert.x's
 * SockJS handler, whose sessions always close with code 3000 and so could not carry the contract's
 * close codes).
 * <p>
 * Messages are assembled from the frames here, not by Vert.x, so that a message over
 * WS_MAX_MESSAGE closes the socket with 1009 (Vert.x's own limit only reports an exception and
 * leaves the socket open). Pings go out every WS_PING_INTERVAL; a peer that did not answer the
 * previous one is reported as gone.
 */
final class WebSocketChannel implements RealtimeSocket {

  /** How messages travel in WebSocket frames. */
  enum Framing {
    /** One message per WebSocket message. */
    PLAIN,
    /**
     * SockJS: {@code o} once open, {@code h} heartbeats, {@code a[...]} a JSON array of message
     * strings, {@code c[code,"reason"]} before closing; the client sends a JSON array of strings
     * (or one JSON string).
     */
    SOCKJS
  }

  private static final String SOCKJS_OPEN = "o";
  private static final String SOCKJS_HEARTBEAT = "h";

  private final ServerWebSocket ws;
  private final Framing framing;
  private final int maxMessageBytes;
  private final int maxFrameBytes;
  private SocketSession session;
  /** The text or binary message being assembled from its frames, or null between messages. */
  private Buffer partial;
  private boolean partialIsBinary;
  private boolean awaitingPong;
  private boolean closing;

  WebSocketChannel(ServerWebSocket ws, Framing framing, RealtimeSettings settings) {
    this.ws = ws;
    this.framing = framing;
    this.maxMessageBytes = settings.maxMessageBytes();
    this.maxFrameBytes = framing == Framing.PLAIN ? settings.maxMessageBytes() : settings.maxFrameBytes();
  }

  @Override
  public void attach(SocketSession session) {
    this.session = session;
    ws.frameHandler(this::frame);
    ws.pongHandler(data -> awaitingPong = false);
    ws.exceptionHandler(error -> {
      // Protocol errors and resets: Vert.x closes the connection, and the close handler follows.
    });
    ws.closeHandler(closed -> session.closed());
    if (framing == Framing.SOCKJS) {
      ws.writeTextMessage(SOCKJS_OPEN);
    }
  }

  private void frame(WebSocketFrame frame) {
    if (closing) {
      return;
    }
    if (frame.isText() || frame.isBinary()) {
      partial = frame.isFinal() ? frame.binaryData() : Buffer.buffer().appendBuffer(frame.binaryData());
      partialIsBinary = frame.isBinary();
    } else if (frame.isContinuation() && partial != null) {
      partial.appendBuffer(frame.binaryData());
    } else {
      return; // ping, pong and close frames are Vert.x's business; a stray continuation is ignored
    }
    if (partial.length() > maxFrameBytes) {
      partial = null;
      session.tooBig();
      return;
    }
    if (!frame.isFinal()) {
      return;
    }
    Buffer message = partial;
    partial = null;
    if (partialIsBinary) {
      session.binary();
    } else if (framing == Framing.PLAIN) {
      session.text(message.toString(StandardCharsets.UTF_8));
    } else {
      sockJsMessages(message.toString(StandardCharsets.UTF_8));
    }
  }

  /** Unwraps a SockJS client frame: a JSON array of strings, or one JSON string; each is a message. */
  private void sockJsMessages(String frame) {
    List<String> messages = sockJsDecode(frame);
    if (messages == null) {
      session.text(frame); // not SockJS framing: answered as any malformed message
      return;
    }
    for (String message : messages) {
      if (closing) {
        return;
      }
      if (utf8Length(message) > maxMessageBytes) {
        session.tooBig();
        return;
      }
      session.text(message);
    }
  }

  static List<String> sockJsDecode(String frame) {
    if (frame.isEmpty()) {
      return List.of();
    }
    Object value;
    try {
      value = Json.decodeValue(frame);
    } catch (DecodeException e) {
      return null;
    }
    if (value instanceof String single) {
      return List.of(single);
    }
    if (!(value instanceof JsonArray array)) {
      return null;
    }
    List<String> messages = new ArrayList<>(array.size());
    for (Object element : array) {
      if (!(element instanceof String text)) {
        return null;
      }
      messages.add(text);
    }
    return messages;
  }

  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  @Override
  public void send(String message) {
    if (!closing && !ws.isClosed()) {
      ws.writeTextMessage(framing == Framing.PLAIN ? message : "a" + new JsonArray().add(message).encode());
    }
  }

  @Override
  public boolean writeQueueFull() {
    return !ws.isClosed() && ws.writeQueueFull();
  }

  @Override
  public Future<Void> close(int code, String reason) {
    if (closing || ws.isClosed()) {
      return Future.succeededFuture();
    }
    closing = true;
    partial = null;
    if (framing == Framing.SOCKJS) {
      ws.writeTextMessage("c" + new JsonArray().add(code).add(reason).encode());
    }
    return ws.close((short) code, reason);
  }

  @Override
  public boolean keepAlive() {
    if (closing || ws.isClosed()) {
      return true;
    }
    if (awaitingPong) {
      return false;
    }
    if (!ws.writeQueueFull()) {
      if (framing == Framing.SOCKJS) {
        ws.writeTextMessage(SOCKJS_HEARTBEAT);
      }
      awaitingPong = true;
      ws.writePing(Buffer.buffer());
    }
    return true;
  }
}
