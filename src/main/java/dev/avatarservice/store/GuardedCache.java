package dev.avatarservice.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.Collection;
import java.util.function.LongSupplier;

/**
 * What the store keeps in memory of its own tables ({@link UserCache}, {@link SessionCache}): a
 * bounded, aged Caffeine cache, and the rule that keeps a read that raced a write from putting
 * old data back. Every write or forget bumps a change count; a value loaded from the database is
 * kept only if the count did not move while the load ran ({@link #loaded}). Forgetting wins over a
 * slow read, never the other way round.
 * <p>
 * Entries are trusted for {@code maxAgeMillis} after they were kept (a row changed behind the
 * store's back is seen then); beyond {@code capacity} Caffeine drops entries by Window TinyLFU
 * (recency and frequency); capacity 0 keeps nothing. Used only on the store verticle's event loop:
 * Caffeine's upkeep runs on the caller's thread ({@code Runnable::run}), so no other thread touches
 * the values and an eviction has happened when a write returns. A null key (Caffeine refuses them)
 * is never kept, as an unknown id.
 */
class GuardedCache<K, V> {

  /** Null when the capacity is 0. */
  private final Cache<K, V> entries;
  /** Bumped by every write and forget: a load that started before a change must not be kept. */
  private long changes;

  GuardedCache(int capacity, long maxAgeMillis, LongSupplier nanoTime) {
    this.entries = capacity <= 0 ? null : Caffeine.newBuilder()
      .maximumSize(capacity)
      .expireAfterWrite(Duration.ofMillis(maxAgeMillis))
      .ticker(nanoTime::getAsLong)
      .executor(Runnable::run)
      .build();
  }

  /** The kept value, or null when it must be read (then {@link #loaded} with {@link #changes} taken before). */
  final V get(K key) {
    return entries == null || key == null ? null : entries.getIfPresent(key);
  }

  /** The change count to hand back to {@link #loaded}. */
  final long changes() {
    return changes;
  }

  /** Keeps a value read from the database, unless something was written or forgotten since the read began. */
  final void loaded(K key, V value, long changesBefore) {
    if (value != null && changes == changesBefore) {
      keep(key, value);
    }
  }

  /** A value as a committed write left it, when nothing else can have written that key. */
  final void written(K key, V value) {
    changes++;
    keep(key, value);
  }

  /** The key is gone, or what a write did to it is unknown: read it again next time. */
  final void forget(K key) {
    changes++;
    drop(key);
  }

  final void forget(Collection<K> keys) {
    changes++;
    keys.forEach(this::drop);
  }

  final int size() {
    return entries == null ? 0 : (int) entries.estimatedSize();
  }

  private void keep(K key, V value) {
    if (entries != null && key != null) {
      entries.put(key, value);
    }
  }

  private void drop(K key) {
    if (entries != null && key != null) {
      entries.invalidate(key);
    }
  }
}
