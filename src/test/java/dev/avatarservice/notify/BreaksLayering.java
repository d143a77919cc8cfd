package dev.avatarservice.notify;

/** Test fixture for LayeringTest: notify importing http and store. */
public final class BreaksLayering {

  public static Object use() {
    return java.util.List.of(dev.avatarservice.http.HttpVerticle.class, dev.avatarservice.store.StoreVerticle.class);
  }

  private BreaksLayering() {
  }
}
