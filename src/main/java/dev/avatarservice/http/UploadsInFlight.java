package dev.avatarservice.http;

import io.vertx.core.shareddata.Shareable;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users with an upload in progress on this node: one at a time per user, so that one account
 * cannot fill the image pool with several expensive images at once (a second concurrent upload is
 * refused with 429), on top of the pool's own limits. One per node, shared by the HTTP verticle
 * instances; with N nodes a user may have N uploads in progress, like the per-user rate limit.
 */
final class UploadsInFlight implements Shareable {

  private final Set<String> users = ConcurrentHashMap.newKeySet();

  /** True if the user had none in progress and now has this one; false if another is in progress. */
  boolean start(String userId) {
    return users.add(userId);
  }

  void finish(String userId) {
    users.remove(userId);
  }
}
