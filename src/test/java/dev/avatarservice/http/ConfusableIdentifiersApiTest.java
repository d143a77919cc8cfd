package dev.avatarservice.http;

import dev.avatarservice.account.Argon2Settings;
import dev.avatarservice.account.PasswordHasher;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Identifiers that look alike, or are one phone number written two ways, are one identifier. */
class ConfusableIdentifiersApiTest {

  /** "paypal" with a Cyrillic а (U+0430). */
  private static final String CYRILLIC_PAYPAL = "p\u0430ypal";

  private static HttpResponse<Buffer> register(TestNode node, String identifier) {
    return node.api().post("/api/register",
      new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD));
  }

  @Test
  void aLookAlikeOfARegisteredIdentifierIsTaken() {
    try (TestNode node = TestNode.start()) {
      node.api().register("paypal");
      node.api().register("alice@b\u00fccher.example");

      for (String lookAlike : new String[] {CYRILLIC_PAYPAL, "PAYPAL", "\u0440\u0430ypal", "paypa\u04cf",
        "alice@xn--bcher-kva.example", "\u0430lice@B\u00dcCHER.example"}) {
        JSendAssert.fail(register(node, lookAlike), 409, "identifier_taken");
      }
      // not alike: a different name is free
      assertThat(register(node, "paypal2").statusCode()).isEqualTo(201);
    }
  }

  @Test
  void aPhoneNumberIsOneIdentifierHoweverItIsWritten() {
    try (TestNode node = TestNode.start()) {
      JsonObject registered = node.api().register("+44 20 7946 0958");
      // the spelling given at registration is what the API shows, and what logs in
      assertThat(registered.getJsonObject("user").getString("identifier")).isEqualTo("+44 20 7946 0958");
      node.api().login("+44 20 7946 0958", ApiClient.PASSWORD);

      for (String sameNumber : new String[] {"+442079460958", "+44-20-7946-0958", "+44 (20) 7946.0958",
        "\uff0b\uff14\uff14\uff12\uff10\uff17\uff19\uff14\uff16\uff10\uff19\uff15\uff18"}) {
        JSendAssert.fail(register(node, sameNumber), 409, "identifier_taken");
      }
      // another number, and a nickname that only starts with +, are other identifiers
      assertThat(register(node, "+44 20 7946 0959").statusCode()).isEqualTo(201);
      assertThat(register(node, "+plus-fan").statusCode()).isEqualTo(201);
    }
  }

  @Test
  void accountsThatAlreadyCollideKeepWorking(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("accounts.db");
    Map<String, Object> settings = Map.of("DB_PATH", db.toString(), "DB_SYNCHRONOUS", "NORMAL");
    // the database as a build before the skeletons left it (schema 1), with two look-alike accounts
    String hash = new PasswordHasher(Argon2Settings.OWASP_MINIMUM).hash(ApiClient.PASSWORD);
    try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement sql = sqlite.createStatement();
         InputStream v1 = getClass().getClassLoader().getResourceAsStream("db/migration/sqlite/V1__accounts.sql")) {
      String script = new String(v1.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)--.*$", "");
      for (String statement : script.split(";")) {
        if (!statement.isBlank()) {
          sql.execute(statement);
        }
      }
      sql.execute("PRAGMA user_version = 1");
      for (String identifier : new String[] {"paypal", CYRILLIC_PAYPAL}) {
        sql.execute("INSERT INTO users (id, identifier, identifier_key, password_hash, registered_at) VALUES ('"
          + UUID.randomUUID() + "', '" + identifier + "', '" + identifier + "', '" + hash + "', "
          + System.currentTimeMillis() + ")");
      }
    }

    try (TestNode node = TestNode.start(settings)) {
      assertThat(node.api().login("paypal", ApiClient.PASSWORD).getJsonObject("user").getString("identifier"))
        .isEqualTo("paypal");
      assertThat(node.api().login(CYRILLIC_PAYPAL, ApiClient.PASSWORD).getJsonObject("user").getString("identifier"))
        .isEqualTo(CYRILLIC_PAYPAL);
      // and the accounts registered before are compared with new ones
      JSendAssert.fail(register(node, "p\u0430yp\u0430l"), 409, "identifier_taken");
    }
  }
}
