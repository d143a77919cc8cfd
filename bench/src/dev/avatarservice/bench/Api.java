package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The service's API as the benchmark uses it: accounts made through the real routes. */
final class Api {

  /** The password of every benchmark account, and of the raw harness's Argon2 hashes. */
  static final String PASSWORD = "bench-password-not-common-7Q";
  /**
   * The time limit of the benchmark's single requests (registration, uploads, the control port), set
   * per request since a WebClient has none by default: a stalled node fails the scenario instead of
   * hanging the run.
   */
  static final long TIMEOUT_MS = 30_000;

  final WebClient client;
  final int port;

  Api(Vertx vertx, int port, int connections) {
    this.port = port;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
      .setKeepAlive(true).setConnectTimeout(10_000), new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** Registers {@code count} new accounts, {@code parallel} at a time; their token responses' data. */
  List<JsonObject> register(int count, int parallel) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<JsonObject> accounts = new ArrayList<>();
    for (int from = 0; from < count; from += parallel) {
      List<Future<JsonObject>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + parallel); i++) {
        batch.add(client.post("/api/register").timeout(TIMEOUT_MS).sendJsonObject(new JsonObject()
          .put("identifier", "bench-" + run + "-" + i).put("password", PASSWORD)).map(response -> data(response, 201)));
      }
      for (Future<JsonObject> account : batch) {
        accounts.add(account.await());
      }
    }
    return accounts;
  }

  static JsonObject data(HttpResponse<Buffer> response, int expected) {
    if (response.statusCode() != expected) {
      throw new IllegalStateException("expected " + expected + ", got " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getJsonObject("data");
  }

  void close() {
    client.close();
  }
}
