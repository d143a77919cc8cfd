package dev.avatarservice.worker;

/** Test fixture for LayeringTest: a worker pool importing the bus. */
public final class BreaksLayering {

  public static Object use() {
    return dev.avatarservice.bus.Field.class;
  }

  private BreaksLayering() {
  }
}
