package dev.avatarservice.http;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Registration, login and the current user, through the real server. */
class AccountApiTest {

  private static TestNode node;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    api = node.api();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void registrationAnswersATokenResponse() {
    HttpResponse<Buffer> response = api.post("/api/register",
      new JsonObject().put("identifier", "  Alice@Example.com ").put("password", ApiClient.PASSWORD));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject data = JSendAssert.success(response);
    assertThat(data.getString("tokenType")).isEqualTo("Bearer");
    assertThat(data.getInteger("expiresIn")).isEqualTo(900);
    assertThat(data.getInteger("refreshExpiresIn")).isEqualTo(2_592_000);
    assertThat(data.getString("token")).isEqualTo(data.getString("accessToken"));
    assertThat(data.getString("identifier")).isEqualTo("Alice@Example.com");
    assertThat(data.getString("refreshToken")).hasSizeGreaterThanOrEqualTo(43);
    JsonObject user = data.getJsonObject("user");
    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "identifier", "avatarUrl", "registeredAt");
    assertThat(user.getString("id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(user.getValue("avatarUrl")).isNull();
  }

  @Test
  void missingFieldsAreReportedByField() {
    HttpResponse<Buffer> response = api.post("/api/register", new JsonObject().put("identifier", "bob"));
    assertThat(JSendAssert.failFields(response, "password").getString("password")).isEqualTo("is required");
  }

  @Test
  void wrongTypesAreReportedByField() {
    HttpResponse<Buffer> response = api.post("/api/register", new JsonObject().put("identifier", 5).put("password", "x"));
    JSendAssert.failFields(response, "identifier");
  }
}
