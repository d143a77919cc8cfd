package dev.avatarservice.store;

/** Test fixture for LayeringTest: store importing notify. */
public final class BreaksLayering {

  public static Object use() {
    return dev.avatarservice.notify.NotifyVerticle.class;
  }

  private BreaksLayering() {
  }
}
