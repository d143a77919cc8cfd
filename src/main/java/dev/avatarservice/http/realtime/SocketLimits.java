package dev.avatarservice.http.realtime;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many sockets each account and each client address hold open on this node, shared by every
 * HTTP verticle instance (the sockets of one client land on any event loop). A socket takes a
 * {@link Slot} of its address at the handshake (a SockJS session at its first request) and one of
 * its account once authenticated, and gives them back when it closes. A slot beyond the cap is
 * refused: the new socket is turned away, the older ones stay.
 */
final class SocketLimits implements Shareable {

  /** One socket's share of a count; released once, however often {@link #release} is called. */
  static final class Slot {
    private final ConcurrentHashMap<String, Integer> counts;
    private final String key;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(ConcurrentHashMap<String, Integer> counts, String key) {
      this.counts = counts;
      this.key = key;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
      }
    }
  }

  private final int perUser;
  private final int perAddress;
  private final ConcurrentHashMap<String, Integer> byUser = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> byAddress = new ConcurrentHashMap<>();

  SocketLimits(int perUser, int perAddress) {
    this.perUser = perUser;
    this.perAddress = perAddress;
  }

  /** A slot of that account, or null when it holds WS_MAX_PER_USER sockets already. */
  Slot tryUser(String userId) {
    return tryTake(byUser, userId, perUser);
  }

  /** A slot of that client address, or null when it holds WS_MAX_PER_ADDRESS sockets already. */
  Slot tryAddress(String address) {
    return tryTake(byAddress, address, perAddress);
  }

  /** Atomic per key (one map entry operation): concurrent handshakes never get past the cap. */
  private static Slot tryTake(ConcurrentHashMap<String, Integer> counts, String key, int limit) {
    boolean[] taken = new boolean[1];
    counts.compute(key, (k, count) -> {
      int current = count == null ? 0 : count;
      if (current >= limit) {
        return count;
      }
      taken[0] = true;
      return current + 1;
    });
    return taken[0] ? new Slot(counts, key) : null;
  }
}
