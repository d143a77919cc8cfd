package dev.avatarservice.http.realtime;

import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which client may use which SockJS session over the HTTP transports. A SockJS session id is
 * chosen by the client and travels in every URL, so knowing it must not be enough: the first
 * request of a session binds it to a random key, given to that client in an HttpOnly cookie, and
 * every later request of the session must carry that key. One per node, shared by the HTTP
 * verticle instances, like Vert.x's own SockJS sessions.
 * <p>
 * A binding lives as long as its Vert.x session: it is forgotten a while after the session
 * closed (Vert.x keeps a closed session a little, to tell a polling client it is closed), or when
 * no session was ever opened on it.
 */
final class SockJsBindings implements Shareable {

  /** One session's binding: its key, the client address slot it holds, and its Vert.x socket. */
  static final class Binding {
    private final byte[] key;
    private final SocketLimits.Slot address;
    private final long createdAt;
    private volatile SockJSSocket socket;
    private volatile long closedAt;

    private Binding(byte[] key, SocketLimits.Slot address, long createdAt) {
      this.key = key;
      this.address = address;
      this.createdAt = createdAt;
    }

    boolean accepts(String presented) {
      return presented != null
        && MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.US_ASCII));
    }

    String key() {
      return new String(key, StandardCharsets.US_ASCII);
    }
  }

  /** How long a binding waits for its Vert.x session to open. */
  private static final long UNOPENED_MILLIS = 30_000;

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Binding> bySession = new ConcurrentHashMap<>();
  private final long closedRetentionMillis;
  private final LongSupplier clock;

  /** @param closedRetentionMillis how long a closed session keeps its binding: longer than Vert.x keeps the session */
  SockJsBindings(long closedRetentionMillis, LongSupplier clock) {
    this.closedRetentionMillis = closedRetentionMillis;
    this.clock = clock;
  }

  Binding get(String sessionId) {
    return bySession.get(sessionId);
  }

  /** Binds a new session to a fresh key; null when another request bound it first. */
  Binding bind(String sessionId, SocketLimits.Slot address) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    byte[] key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).getBytes(StandardCharsets.US_ASCII);
    Binding binding = new Binding(key, address, clock.getAsLong());
    return bySession.putIfAbsent(sessionId, binding) == null ? binding : null;
  }

  /** Vert.x opened the session of this socket: the binding now follows that socket. */
  Binding opened(String sessionId, SockJSSocket socket) {
    Binding binding = sessionId == null ? null : bySession.get(sessionId);
    if (binding != null) {
      binding.socket = socket;
      binding.closedAt = 0;
    }
    return binding;
  }

  /** The socket of that binding closed; ignored when the binding has since moved to another socket. */
  void closed(Binding binding, SockJSSocket socket) {
    if (binding != null && binding.socket == socket) {
      binding.closedAt = clock.getAsLong();
      if (binding.address != null) {
        binding.address.release(); // the socket is gone; the binding stays a while to keep the id its client's
      }
    }
  }

  /** Forgets the bindings of sessions closed a while ago, and those never opened; called periodically. */
  void sweep() {
    long now = clock.getAsLong();
    bySession.forEach((sessionId, binding) -> {
      boolean stale = binding.socket == null
        ? now - binding.createdAt > UNOPENED_MILLIS
        : binding.closedAt != 0 && now - binding.closedAt > closedRetentionMillis;
      if (stale && bySession.remove(sessionId, binding) && binding.address != null) {
        binding.address.release();
      }
    });
  }

  int size() {
    return bySession.size();
  }
}
