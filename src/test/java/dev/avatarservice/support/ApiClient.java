package dev.avatarservice.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The account calls most tests need, blocking, with the JSend envelope checked on the way. */
public final class ApiClient {

  public static final String PASSWORD = "correct-horse-battery-staple-42";

  private final WebClient client;

  ApiClient(WebClient client) {
    this.client = client;
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return client.post(path).sendJsonObject(body).await();
  }

  public HttpResponse<Buffer> get(String path, String accessToken) {
    return client.get(path).bearerTokenAuthentication(accessToken).send().await();
  }

  /** Registers an account and returns the token response's {@code data}. */
  public JsonObject register(String identifier) {
    return register(identifier, PASSWORD);
  }

  public JsonObject register(String identifier, String password) {
    HttpResponse<Buffer> response = post("/api/register",
      new JsonObject().put("identifier", identifier).put("password", password));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return JSendAssert.success(response);
  }

  public JsonObject login(String identifier, String password) {
    HttpResponse<Buffer> response = post("/api/login",
      new JsonObject().put("identifier", identifier).put("password", password));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return JSendAssert.success(response);
  }
}
