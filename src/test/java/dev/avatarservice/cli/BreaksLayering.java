package dev.avatarservice.cli;

/** Test fixture for LayeringTest: the command line reaching into the store instead of the admin API. */
public final class BreaksLayering {

  public static Object use() {
    return dev.avatarservice.store.StoreVerticle.class;
  }

  private BreaksLayering() {
  }
}
