package dev.avatarservice.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.function.Supplier;

/** One object per node shared by every instance of the HTTP verticle, such as a rate limiter. */
public final class NodeShared {

  private static final String MAP = "avatar-service.http";

  private NodeShared() {
  }

  /** The object of that name if an instance made it already, else null. */
  @SuppressWarnings("unchecked")
  public static <T extends Shareable> T peek(Vertx vertx, String name) {
    return (T) vertx.sharedData().<String, Shareable>getLocalMap(MAP).get(name);
  }

  @SuppressWarnings("unchecked")
  public static <T extends Shareable> T get(Vertx vertx, String name, Supplier<T> factory) {
    LocalMap<String, Shareable> map = vertx.sharedData().getLocalMap(MAP);
    Shareable existing = map.get(name);
    if (existing == null) {
      T created = factory.get();
      existing = map.putIfAbsent(name, created);
      if (existing == null) {
        return created;
      }
    }
    return (T) existing;
  }
}
