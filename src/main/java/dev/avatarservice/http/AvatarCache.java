package dev.avatarservice.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.shareddata.Shareable;

import java.time.Duration;

/**
 * Avatar bytes the HTTP side has served, so that a popular avatar is read from the store once
 * rather than on every request: one per node, shared by the HTTP verticle instances, bounded in
 * bytes ({@code AVATAR_CACHE_BYTES}; 0 turns it off).
 *
 * <p>Why it is never wrong: an avatar's name designates the same bytes forever (a new upload makes a
 * new name, names are never reused), so an entry can never be stale, only deleted. Deletions are
 * forgotten by owner: every entry remembers whose avatar it is, and the {@code avatar.changed},
 * {@code avatar.removed} and {@code user.deleted} events, which every node receives, drop that
 * user's entries (the previous avatar is gone after a change). An event can arrive a moment after
 * the answer that caused it, so the confirmed deletion of an account ({@code DELETE /api/user},
 * which asks every node before it answers 200) also forgets the account's entries on each node
 * before that node confirms. A node cut off from the cluster misses events, so entries also expire
 * a few minutes after they were read from the store: after that, the store (which answers 404 for
 * an avatar no account points at) is asked again.
 */
public final class AvatarCache implements Shareable {

  static final String NODE_SHARED_NAME = "avatar-cache";

  /** How long a deleted avatar can at worst still be served by a node that missed the event. */
  static final Duration LIFETIME = Duration.ofMinutes(5);
  /** Bookkeeping per entry besides the bytes, roughly: key, headers, map node. */
  private static final int OVERHEAD = 256;

  /**
   * @param bytes the image (Vert.x writes a duplicate of it, so one buffer serves every response)
   * @param etag the strong ETag, quoted
   */
  record Entry(Buffer bytes, String contentType, String etag, String userId) {
  }

  private final Cache<String, Entry> cache;

  AvatarCache(long maxBytes) {
    this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
      .maximumWeight(maxBytes)
      .weigher((String key, Entry entry) -> entry.bytes().length() + OVERHEAD)
      .expireAfterWrite(LIFETIME)
      .build();
  }

  /** The entry of an avatar (or variant) file key, or null. */
  Entry get(String key) {
    return cache == null ? null : cache.getIfPresent(key);
  }

  void put(String key, Entry entry) {
    if (cache != null) {
      cache.put(key, entry);
    }
  }

  /**
   * Forgets a user's avatars on this node, if it serves any: called by the confirmed account
   * deletion on every node before it confirms, so that no node serves the avatar of an account
   * whose deletion has been answered.
   */
  public static void forgetUser(Vertx vertx, String userId) {
    AvatarCache cache = NodeShared.peek(vertx, NODE_SHARED_NAME);
    if (cache != null) {
      cache.forgetUser(userId);
    }
  }

  /** Forgets every avatar of a user: after a new upload, a removal or the account's deletion. */
  void forgetUser(String userId) {
    if (cache != null && userId != null) {
      cache.asMap().values().removeIf(entry -> userId.equals(entry.userId()));
    }
  }
}
