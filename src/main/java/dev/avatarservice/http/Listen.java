package dev.avatarservice.http;

import dev.avatarservice.config.PortInUseException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;

/** Starts a listener; a port someone else holds fails as one clear {@link PortInUseException}, not a stack trace. */
public final class Listen {

  private Listen() {
  }

  /** {@code key} is the configuration key of the port, which the message names. */
  public static Future<HttpServer> on(HttpServer server, String key, String host, int port) {
    return server.listen(port, host).recover(error -> Future.failedFuture(PortInUseException.isAddressInUse(error)
      ? new PortInUseException(key, host, port) : error));
  }
}
