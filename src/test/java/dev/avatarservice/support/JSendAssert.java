package dev.avatarservice.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks of the JSend envelope that every JSON response of the API must have. */
public final class JSendAssert {

  private JSendAssert() {
  }

  /** A 2xx JSend success; returns its {@code data} (null when data is null). */
  public static JsonObject success(HttpResponse<Buffer> response) {
    JsonObject body = json(response);
    assertThat(response.statusCode()).as(response.bodyAsString()).isBetween(200, 299);
    assertThat(body.getString("status")).isEqualTo("success");
    assertThat(body.containsKey("data")).as("success has data").isTrue();
    return body.getJsonObject("data");
  }

  /** A JSend fail with this status and {@code data.code}; returns {@code data}. */
  public static JsonObject fail(HttpResponse<Buffer> response, int status, String code) {
    JsonObject data = failData(response, status);
    assertThat(data.getString("code")).as(response.bodyAsString()).isEqualTo(code);
    assertThat(data.getString("message")).isNotBlank();
    return data;
  }

  /** A JSend fail keyed by field (400); returns {@code data}. */
  public static JsonObject failFields(HttpResponse<Buffer> response, String... fields) {
    JsonObject data = failData(response, 400);
    assertThat(data.fieldNames()).as(response.bodyAsString()).containsExactlyInAnyOrder(fields);
    return data;
  }

  /** A JSend error (5xx) with its numeric code; returns the body. */
  public static JsonObject error(HttpResponse<Buffer> response, int status) {
    JsonObject body = json(response);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(body.getString("status")).isEqualTo("error");
    assertThat(body.getInteger("code")).isEqualTo(status);
    assertThat(body.getString("message")).isNotBlank();
    return body;
  }

  private static JsonObject failData(HttpResponse<Buffer> response, int status) {
    JsonObject body = json(response);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(body.getString("status")).isEqualTo("fail");
    return body.getJsonObject("data");
  }

  public static JsonObject json(HttpResponse<Buffer> response) {
    assertThat(response.getHeader("Content-Type")).as("content type").startsWith("application/json");
    return response.bodyAsJsonObject();
  }
}
