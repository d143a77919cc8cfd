package dev.avatarservice.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Authenticated realtime sockets for the benchmark: plain WebSocket ({@code /ws}, token in the
 * {@code Authorization} header) or SockJS's WebSocket transport ({@code /sockjs/.../websocket},
 * SockJS framing, token in the first message). Each socket hands its {@code avatar.changed}
 * events to whoever {@link Socket#expect expects} the one of that avatar URL.
 */
final class Sockets {

  private Sockets() {
  }

  /** When an event was stamped by the node ({@code changedAt}) and when it arrived here, epoch microseconds. */
  record Arrival(long changedAtMicros, long arrivedMicros) {
    long delayMicros() {
      return arrivedMicros - changedAtMicros;
    }
  }

  static final class Socket {
    final boolean sockJs;
    /**
     * Arrivals are matched to uploads by the avatar URL of the event (a new random file name per
     * upload), not by order: an event that comes late, after its upload gave up on it, cannot be
     * taken for the next upload's. An event may also arrive before its upload's answer tells the
     * URL, so arrivals nobody waits for yet are kept until someone does. Guarded by this socket.
     */
    private final Map<String, Promise<Arrival>> waiting = new HashMap<>();
    private final Map<String, Arrival> unclaimed = new HashMap<>();
    private final Set<String> forgotten = new HashSet<>();
    private final Promise<Void> ready = Promise.promise();
    /** avatar.changed events received so far, expected or not (the event-cost scenario counts deliveries). */
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
    private WebSocket ws;

    private Socket(boolean sockJs) {
      this.sockJs = sockJs;
    }

    /** The avatar.changed of this avatar URL, whether it has arrived already or not. */
    synchronized Future<Arrival> expect(String avatarUrl) {
      Arrival arrived = unclaimed.remove(avatarUrl);
      if (arrived != null) {
        return Future.succeededFuture(arrived);
      }
      Promise<Arrival> promise = Promise.promise();
      waiting.put(avatarUrl, promise);
      return promise.future();
    }

    /** Stops waiting for this avatar URL (its event is lost): its promise fails, a late event is dropped. */
    synchronized void forget(String avatarUrl) {
      Promise<Arrival> promise = waiting.remove(avatarUrl);
      if (promise != null) {
        forgotten.add(avatarUrl);
        promise.tryFail("no avatar.changed for " + avatarUrl);
      }
    }

    private void onArrival(String avatarUrl, Arrival arrival) {
      Promise<Arrival> promise;
      synchronized (this) {
        promise = waiting.remove(avatarUrl);
        if (promise == null) {
          if (!forgotten.remove(avatarUrl)) {
            unclaimed.put(avatarUrl, arrival);
          }
          return;
        }
      }
      // outside the lock: the waiter's callbacks run here
      promise.tryComplete(arrival);
    }

    long changesReceived() {
      return changes.get();
    }

    Future<Void> close() {
      return ws == null ? Future.succeededFuture() : ws.close();
    }

    private void onMessage(String text) {
      Instant now = Instant.now();
      if (sockJs) {
        if (text.startsWith("a")) {
          for (Object message : new JsonArray(text.substring(1))) {
            onJson(new JsonObject((String) message), now);
          }
        }
        // "o" (open), "h" (heartbeat) and "c" (close) carry no message
      } else {
        onJson(new JsonObject(text), now);
      }
    }

    private void onJson(JsonObject message, Instant now) {
      switch (message.getString("type", "")) {
        case "ready" -> ready.tryComplete();
        case "avatar.changed" -> {
          changes.incrementAndGet();
          onArrival(message.getString("avatarUrl"),
            new Arrival(micros(Instant.parse(message.getString("changedAt"))), micros(now)));
        }
        case "error" -> ready.tryFail("error from the node: " + message.encode());
        default -> {
        }
      }
    }
  }

  static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
  }

  /** A plain WebSocket on /ws, authenticated at the handshake; completes on "ready". */
  static Future<Socket> webSocket(WebSocketClient client, int port, String token) {
    Socket socket = new Socket(false);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
      .addHeader("Authorization", "Bearer " + token);
    client.connect(options).onFailure(socket.ready::tryFail).onSuccess(ws -> {
      socket.ws = ws;
      ws.textMessageHandler(socket::onMessage);
      ws.closeHandler(v -> socket.ready.tryFail("closed before ready: " + ws.closeStatusCode()));
    });
    return socket.ready.future().map(socket);
  }

  /** SockJS over its WebSocket transport, authenticated by the first message; completes on "ready". */
  static Future<Socket> sockJs(WebSocketClient client, int port, String token) {
    Socket socket = new Socket(true);
    String session = UUID.randomUUID().toString().replace("-", "");
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/sockjs/000/" + session + "/websocket");
    String auth = new JsonArray().add(new JsonObject().put("type", "auth").put("token", token).encode()).encode();
    client.connect(options).onFailure(socket.ready::tryFail).onSuccess(ws -> {
      socket.ws = ws;
      ws.closeHandler(v -> socket.ready.tryFail("closed before ready: " + ws.closeStatusCode()));
      ws.textMessageHandler(text -> {
        if (text.equals("o")) {
          ws.writeTextMessage(auth);
        } else {
          socket.onMessage(text);
        }
      });
    });
    return socket.ready.future().map(socket);
  }

  /**
   * Opens {@code count} sockets, at most {@code parallel} handshakes at a time, each from the event
   * loop of {@code context} (so that a socket's handlers are set before its first frame is read),
   * each ready within 60 s or the benchmark fails. Blocks the calling thread.
   * <p>
   * The bound is {@code parallel} lanes on that event loop, each opening its next socket when the
   * previous one is ready: nothing spins or blocks on the load core while the handshakes run. After
   * a failure the sockets not started yet fail at once rather than each waiting for its own 60 s.
   */
  static List<Socket> open(Context context, int count, int parallel, IntFunction<Future<Socket>> opener) {
    List<Promise<Socket>> opening = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      opening.add(Promise.promise());
    }
    Lanes lanes = new Lanes(context, opening, opener);
    context.runOnContext(v -> {
      for (int lane = 0; lane < Math.min(parallel, count); lane++) {
        lanes.next();
      }
    });
    List<Future<Socket>> futures = opening.stream().map(Promise::future).toList();
    Future.join(futures).otherwiseEmpty().await();
    for (Future<Socket> socket : futures) {
      // the first failed in order is a real failure: the ones failed unstarted all come after it
      if (socket.failed()) {
        throw new IllegalStateException("a socket could not be opened: " + socket.cause().getMessage(), socket.cause());
      }
    }
    return futures.stream().map(Future::result).toList();
  }

  /** The state of {@link #open}'s lanes, only touched on the event loop of its context. */
  private static final class Lanes {
    private final Context context;
    private final List<Promise<Socket>> opening;
    private final IntFunction<Future<Socket>> opener;
    private int started;
    private boolean failed;

    Lanes(Context context, List<Promise<Socket>> opening, IntFunction<Future<Socket>> opener) {
      this.context = context;
      this.opening = opening;
      this.opener = opener;
    }

    /** Starts the next socket; when it is ready (or not), this lane goes on with the one after. */
    void next() {
      if (started == opening.size()) {
        return;
      }
      int n = started++;
      Promise<Socket> opened = opening.get(n);
      if (failed) {
        opened.tryFail("not opened: an earlier socket failed");
        context.runOnContext(v -> next());
        return;
      }
      long timer = context.owner().setTimer(60_000, t -> opened.tryFail("not ready after 60 s"));
      Future<Socket> attempt;
      try {
        attempt = opener.apply(n);
      } catch (RuntimeException e) {
        attempt = Future.failedFuture(e);
      }
      attempt.onComplete(opened::tryComplete, opened::tryFail);
      opened.future().onComplete(done -> {
        context.owner().cancelTimer(timer);
        // a new event loop task, not a nested call: a run of failures must not grow the stack
        context.runOnContext(v -> {
          failed |= done.failed();
          next();
        });
      });
    }
  }
}
