package dev.avatarservice.http.realtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The sockets of one HTTP verticle instance: all that are open (to close them on shutdown), and the
 * authenticated ones by user id (to deliver events). Confined to that instance's event loop: no
 * locks, and never shared. A session leaves it as soon as it closes, whichever side closes.
 */
final class SocketRegistry {

  private final Set<SocketSession> open = new LinkedHashSet<>();
  private final Map<String, List<SocketSession>> byUser = new HashMap<>();
  /** Users deleted lately, each with the time (epoch ms) until which it is remembered. */
  private final Map<String, Long> deleted = new HashMap<>();
  /** Sessions ended lately, the same way. */
  private final Map<String, Long> endedSessions = new HashMap<>();
  /** The last avatar event of each user lately, oldest first (see {@link #avatarEvent}). */
  private final LinkedHashMap<String, RecentEvent> avatarEvents = new LinkedHashMap<>();
  private final RealtimeMetrics metrics;
  private final long deletedRetentionMillis;
  private final LongSupplier clock;

  SocketRegistry(RealtimeMetrics metrics) {
    this(metrics, 0, System::currentTimeMillis);
  }

  /**
   * @param deletedRetentionMillis how long a deleted user is remembered: at least the longest an
   *                               answer of the store can take (STORE_TIMEOUT_MS), see {@link #userDeleted}
   */
  SocketRegistry(RealtimeMetrics metrics, long deletedRetentionMillis, LongSupplier clock) {
    this.metrics = metrics;
    this.deletedRetentionMillis = deletedRetentionMillis;
    this.clock = clock;
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

  /**
   * Remembers for a while that this user was deleted. A socket whose authentication asked the store
   * just before the deletion committed gets its answer ("the account exists") possibly only after
   * the deletion reached this registry, and would then outlive the account until its token expires.
   * Such an answer arrives at most a store timeout after the deletion was delivered here (a later
   * one is dropped by the bus), so for that long {@link #recentlyDeleted} lets the session close
   * itself as deleted instead. Not a token deny-list: the store refuses every later authentication.
   */
  void userDeleted(String userId) {
    long now = clock.getAsLong();
    deleted.values().removeIf(until -> until <= now);
    deleted.put(userId, now + deletedRetentionMillis);
  }

  boolean recentlyDeleted(String userId) {
    Long until = deleted.get(userId);
    return until != null && until > clock.getAsLong();
  }

  /** As {@link #userDeleted}, for a session that ended: an authentication the store vouched for just before. */
  void sessionEnded(String sessionId) {
    long now = clock.getAsLong();
    endedSessions.values().removeIf(until -> until <= now);
    endedSessions.put(sessionId, now + deletedRetentionMillis);
  }

  boolean recentlyEnded(String sessionId) {
    Long until = endedSessions.get(sessionId);
    return until != null && until > clock.getAsLong();
  }

  /** Now, on the clock the retention is kept with: when an authentication asks the store. */
  long now() {
    return clock.getAsLong();
  }

  /** An avatar event as delivered here, with when it came. */
  record RecentEvent(String text, String type, long at) {
  }

  /**
   * Remembers the user's latest avatar event for as long as a deleted user is remembered. An
   * authentication reads the account (and its avatar URL, which {@code ready} carries) before its
   * socket is registered here: an avatar change delivered in between would reach neither the
   * {@code ready} nor the socket. {@link #avatarEventSince} gives such a socket the event after
   * its {@code ready} (possibly once more than needed: an event is a state, not a delta).
   */
  void avatarEvent(String userId, String text, String type) {
    if (deletedRetentionMillis <= 0) {
      return;
    }
    long now = clock.getAsLong();
    for (Iterator<RecentEvent> oldest = avatarEvents.values().iterator(); oldest.hasNext(); ) {
      if (oldest.next().at() + deletedRetentionMillis > now) {
        break;
      }
      oldest.remove();
    }
    // removed first, so that the map stays in the order of arrival
    avatarEvents.remove(userId);
    avatarEvents.put(userId, new RecentEvent(text, type, now));
  }

  /** The user's avatar event that came at or after {@code since} (a {@link #now()}), or null. */
  RecentEvent avatarEventSince(String userId, long since) {
    RecentEvent event = avatarEvents.get(userId);
    return event != null && event.at() >= since && event.at() + deletedRetentionMillis > clock.getAsLong()
      ? event : null;
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
