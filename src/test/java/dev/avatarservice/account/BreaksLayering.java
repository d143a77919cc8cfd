package dev.avatarservice.account;

/** Test fixture for LayeringTest: accounts importing vertx-web. */
public final class BreaksLayering {

  public static Object use() {
    return io.vertx.ext.web.Router.class;
  }

  private BreaksLayering() {
  }
}
