package dev.avatarservice.account;

import io.vertx.core.Future;

/**
 * Where the failed password checks are counted, per key: in this node's memory
 * ({@link LocalAttemptCounts}) or in a Hazelcast map shared by the cluster
 * ({@code cluster.HazelcastAttemptCounts}). Every operation is one atomic step on its key (a
 * {@code compute} or an entry processor), never a read followed by a write: two reservations made
 * at the same instant, on one node or on two, are always counted as two.
 */
public interface AttemptCounts {

  /**
   * Counts one more attempt unless {@code limit} are already counted in the key's window (a window
   * opens at the first attempt, for {@code windowMillis}, measured from {@code now}).
   *
   * @return 0 when counted; else the milliseconds until the window ends (nothing counted)
   */
  Future<Long> reserve(String key, int limit, long now, long windowMillis);

  /** Takes one counted attempt back (its password was never checked). */
  Future<Void> release(String key, long now);

  /** Forgets the key's attempts. */
  Future<Void> clear(String key);
}
