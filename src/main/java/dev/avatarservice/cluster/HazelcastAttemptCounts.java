package dev.avatarservice.cluster;

import dev.avatarservice.bus.SharedNames;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import dev.avatarservice.account.AttemptCounts;
import dev.avatarservice.account.LoginThrottle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The attempt counts of a cluster, in the Hazelcast map {@link SharedNames#LOGIN_FAILURES}. Each change is an
 * entry processor: Hazelcast runs it on the member that owns the key, with the key locked, so
 * reservations from every node are counted one by one, without a compare-and-set that could give
 * up. (Vert.x's {@code AsyncMap} offers no atomic update, so the map is used through Hazelcast.)
 * Values are {@code long[] {attempts, windowEnd}}; each entry expires with its window.
 */
public final class HazelcastAttemptCounts implements AttemptCounts {

  private final IMap<String, long[]> map;
  private final Context context;

  private HazelcastAttemptCounts(IMap<String, long[]> map, Context context) {
    this.map = map;
    this.context = context;
  }

  /** The cluster's counts when this Vert.x is clustered with Hazelcast; call on the verticle's context. */
  public static Optional<AttemptCounts> of(Vertx vertx) {
    if (vertx instanceof VertxInternal internal && internal.clusterManager() instanceof HazelcastClusterManager manager) {
      HazelcastInstance hazelcast = manager.getHazelcastInstance();
      return Optional.of(new HazelcastAttemptCounts(hazelcast.getMap(SharedNames.LOGIN_FAILURES), vertx.getOrCreateContext()));
    }
    return Optional.empty();
  }

  @Override
  public Future<Long> reserve(String key, int limit, long now, long windowMillis) {
    return Future.fromCompletionStage(map.submitToKey(key, new Reserve(limit, now, windowMillis)), context);
  }

  @Override
  public Future<Void> release(String key, long now) {
    return Future.fromCompletionStage(map.submitToKey(key, new Release(now)), context).mapEmpty();
  }

  @Override
  public Future<Void> clear(String key) {
    return Future.fromCompletionStage(map.removeAsync(key), context).mapEmpty();
  }

  /** Counts one attempt unless the window is used up; answers the milliseconds to wait, or 0. */
  static final class Reserve implements EntryProcessor<String, long[], Long> {

    private static final long serialVersionUID = 1L;
    private final int limit;
    private final long now;
    private final long windowMillis;

    Reserve(int limit, long now, long windowMillis) {
      this.limit = limit;
      this.now = now;
      this.windowMillis = windowMillis;
    }

    @Override
    public Long process(Map.Entry<String, long[]> entry) {
      long[] current = entry.getValue();
      if (current == null || current[1] <= now) {
        put(entry, new long[] {1, now + windowMillis}, windowMillis);
        return 0L;
      }
      if (current[0] >= limit) {
        return current[1] - now;
      }
      put(entry, new long[] {current[0] + 1, current[1]}, current[1] - now);
      return 0L;
    }
  }

  /** Takes one attempt back. */
  static final class Release implements EntryProcessor<String, long[], Void> {

    private static final long serialVersionUID = 1L;
    private final long now;

    Release(long now) {
      this.now = now;
    }

    @Override
    public Void process(Map.Entry<String, long[]> entry) {
      long[] current = entry.getValue();
      if (current == null) {
        return null;
      }
      if (current[1] <= now || current[0] <= 1) {
        entry.setValue(null);
      } else {
        put(entry, new long[] {current[0] - 1, current[1]}, current[1] - now);
      }
      return null;
    }
  }

  /** Sets the value with a time to live: the entry goes when its window ends. */
  private static void put(Map.Entry<String, long[]> entry, long[] value, long ttlMillis) {
    ((ExtendedMapEntry<String, long[]>) entry).setValue(value, Math.max(1, ttlMillis), TimeUnit.MILLISECONDS);
  }
}
