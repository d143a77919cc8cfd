package dev.avatarservice.bus;

/** Test fixture for LayeringTest: the bus importing the store. */
public final class BreaksLayering {

  public static Object use() {
    return dev.avatarservice.store.StoreVerticle.class;
  }

  private BreaksLayering() {
  }
}
