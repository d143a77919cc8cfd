package dev.avatarservice.http;

/** Test fixture for LayeringTest: http importing the store. */
public final class BreaksLayering {

  public static Object use() {
    return dev.avatarservice.store.StoreVerticle.class;
  }

  private BreaksLayering() {
  }
}
