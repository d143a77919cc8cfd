package dev.avatarservice.notify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sockets of one HTTP verticle instance: all that are open (to close them on shutdown), and the
 * authenticated ones by user id (to deliver events). Confined to that instance's event loop: no
 * locks, and never shared. A session leaves it as soon as it closes, whichever side closes.
 */
final class SocketRegistry {

  private final Set<SocketSession> open = new LinkedHashSet<>();
  private final Map<String, List<SocketSession>> byUser = new HashMap<>();
  private final RealtimeMetrics metrics;

  SocketRegistry(RealtimeMetrics metrics) {
    this.metrics = metrics;
  }

  void opened(SocketSession session) {
    if (open.add(session)) {
      metrics.socketOpened();
    }
  }

  void authenticated(String userId, SocketSession session) {
    byUser.computeIfAbsent(userId, id -> new ArrayList<>(2)).add(session);
  }

  /** Forgets a session; {@code userId} is null when it never authenticated. Idempotent. */
  void closed(SocketSession session, String userId) {
    if (!open.remove(session)) {
      return;
    }
    metrics.socketClosed();
    if (userId != null) {
      List<SocketSession> sessions = byUser.get(userId);
      if (sessions != null) {
        sessions.remove(session);
        if (sessions.isEmpty()) {
          byUser.remove(userId);
        }
      }
    }
  }

  /** A copy of that user's authenticated sessions, safe to iterate while sessions close. */
  List<SocketSession> sessionsOf(String userId) {
    List<SocketSession> sessions = byUser.get(userId);
    return sessions == null ? Collections.emptyList() : List.copyOf(sessions);
  }

  /** A copy of every open session. */
  List<SocketSession> all() {
    return List.copyOf(open);
  }

  int size() {
    return open.size();
  }

  int users() {
    return byUser.size();
  }
}
