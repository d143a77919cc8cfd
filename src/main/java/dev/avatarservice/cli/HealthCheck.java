package dev.avatarservice.cli;

import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container's health check, so the runtime image needs no curl:
 * {@code java -cp avatar-service.jar dev.avatarservice.cli.HealthCheck} asks this container's node
 * for {@code /ready} on {@code HTTP_PORT} (default 8080) and exits 0 when it answers 200, 1 otherwise.
 * Deliberately tiny (no configuration file, no logging, no Vert.x): it runs every few seconds.
 */
public final class HealthCheck {

  private HealthCheck() {
  }

  public static void main(String[] args) {
    String port = System.getenv().getOrDefault("HTTP_PORT", "8080");
    String path = args.length > 0 ? args[0] : "/ready";
    int status;
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      connection.setConnectTimeout(2000);
      connection.setReadTimeout(2000);
      status = connection.getResponseCode();
      connection.disconnect();
    } catch (Exception e) {
      System.err.println("unhealthy: " + e);
      System.exit(1);
      return;
    }
    if (status != 200) {
      System.err.println("unhealthy: " + path + " answered " + status);
    }
    System.exit(status == 200 ? 0 : 1);
  }
}
