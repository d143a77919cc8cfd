package dev.avatarservice.http;

import io.vertx.core.shareddata.Shareable;

import java.time.Instant;

/** When this node began serving: the first HTTP verticle instance's start, shared by the others ({@link NodeShared}). */
record StartedAt(Instant instant) implements Shareable {

  static StartedAt now() {
    return new StartedAt(Instant.now());
  }
}
