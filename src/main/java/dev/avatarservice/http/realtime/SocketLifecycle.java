package dev.avatarservice.http.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Pings this instance's sockets while it runs, and closes them all when it stops. */
final class SocketLifecycle {

  private final Vertx vertx;
  private final SocketRegistry registry;
  private final long pingIntervalMillis;
  private long keepAliveTimer = -1;

  SocketLifecycle(Vertx vertx, SocketRegistry registry, long pingIntervalMillis) {
    this.vertx = vertx;
    this.registry = registry;
    this.pingIntervalMillis = pingIntervalMillis;
  }

  void startPinging() {
    keepAliveTimer = vertx.setPeriodic(pingIntervalMillis, id -> {
      for (SocketSession session : registry.all()) {
        session.keepAlive();
      }
    });
  }

  void stopPinging() {
    if (keepAliveTimer != -1) {
      vertx.cancelTimer(keepAliveTimer);
      keepAliveTimer = -1;
    }
  }

  /**
   * Closes every socket with 1001 (server shutting down) and waits, for a moment at most, for the
   * clients to answer, so that the close frames are out before the server closes the connections;
   * then completes as {@code stopped}, the rest of the shutdown, does (its failure dropped once
   * there were sockets to close).
   */
  Future<Void> closeAll(Future<Void> stopped) {
    List<Future<Void>> closing = new ArrayList<>();
    for (SocketSession session : registry.all()) {
      closing.add(session.close(CloseReason.SHUTDOWN));
    }
    if (closing.isEmpty()) {
      return stopped;
    }
    Future<Void> closed = Future.join(closing).mapEmpty();
    Future<Void> grace = vertx.timer(RealtimeSettings.SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS).mapEmpty();
    return Future.any(closed, grace).transform(done -> stopped.otherwiseEmpty());
  }
}
