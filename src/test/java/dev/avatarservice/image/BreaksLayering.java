package dev.avatarservice.image;

/** Test fixture for LayeringTest: images importing Vert.x. */
public final class BreaksLayering {

  public static Object use() {
    return io.vertx.core.Future.class;
  }

  private BreaksLayering() {
  }
}
