package dev.avatarservice;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.HostileRequest;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Log safety: a full scenario (accounts, tokens, refresh reuse, OAuth, bad tokens, invalid bodies
 * with passwords, sockets, control characters in paths and headers, a client leaving mid-request)
 * runs with every logger at TRACE, the access log included, and every event is captured. No
 * password, token (nor its signature), refresh token, signing key or full identifier may appear
 * in any message, argument, or throwable message or stack, nor in the line the configured layout
 * writes; no message or throwable message may hold a control character (a forged log line, a
 * terminal escape); and since everything here is a client's doing, nothing is logged as an ERROR.
 */
class LogSafetyTest {

  private static final String IDENTIFIER = "Log.Safety+Tag@Example.com";
  private static final String PASSWORD = "Log-Safety-Passphrase-7f3a9c!";
  private static final String WRONG_PASSWORD = "Wrong-Passphrase-Zz91x!";
  private static final String INVALID_BODY_PASSWORD = "Validation-Passphrase-9b2q!";
  private static final String UNQUOTED_PASSWORD = "UnquotedPassphrase4k8m";
  private static final String SOCKET_SECRET = "socket-secret-0c3e5a7b9d";
  private static final String NEW_PASSWORD = "Changed-Passphrase-4r7w2q!";

  @Test
  void noSecretAndNoControlCharacterReachesTheLog() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Layout<ILoggingEvent> layout = configuredLayout(root);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    Map<Logger, Level> levels = new HashMap<>();
    List<Appender<ILoggingEvent>> detached = new ArrayList<>();
    Set<String> secrets;
    try {
      // what an operator gets with the root logger, LOG_LEVEL and ACCESS_LOG_LEVEL at TRACE; the loggers
      // conf/logback.xml pins keep their level (those pins are what keeps some libraries quiet)
      for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "dev.avatarservice", "access")) {
        Logger logger = context.getLogger(name);
        levels.put(logger, logger.getLevel());
        logger.setLevel(Level.TRACE);
      }
      for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
        detached.add(it.next());
      }
      detached.forEach(root::detachAppender);
      root.addAppender(captured);

      secrets = scenario();
    } finally {
      root.detachAppender(captured);
      detached.forEach(root::addAppender);
      levels.forEach(Logger::setLevel);
      captured.stop();
    }

    List<ILoggingEvent> events = captured.list;
    assertThat(events).as("captured events").isNotEmpty();
    assertThat(events).as("the access log was captured")
      .anySatisfy(event -> assertThat(event.getLoggerName()).isEqualTo("access"));
    List<String> problems = new ArrayList<>();
    for (ILoggingEvent event : events) {
      List<String> texts = new ArrayList<>();
      texts.add(event.getFormattedMessage());
      if (event.getArgumentArray() != null) {
        for (Object argument : event.getArgumentArray()) {
          texts.add(String.valueOf(argument));
        }
      }
      event.getMDCPropertyMap().forEach((key, value) -> texts.add(key + "=" + value));
      List<String> throwableMessages = new ArrayList<>();
      collect(event.getThrowableProxy(), throwableMessages, texts);
      String line = layout == null ? "" : layout.doLayout(event);
      texts.add(line);
      for (String text : texts) {
        for (String secret : secrets) {
          if (text != null && text.contains(secret)) {
            problems.add("a secret (" + HostileRequest.visible(secret.substring(0, 8)) + "...) in " + describe(event));
          }
        }
      }
      List<String> singleLine = new ArrayList<>(throwableMessages);
      singleLine.add(event.getFormattedMessage());
      for (String text : singleLine) {
        if (text != null && text.codePoints().anyMatch(LogSafetyTest::unsafe)) {
          problems.add("a control character in " + describe(event) + ": " + HostileRequest.visible(text));
        }
      }
      if (line.codePoints().anyMatch(c -> c != '\n' && c != '\t' && unsafe(c))) {
        problems.add("a control character in the written line of " + describe(event));
      }
      if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
        problems.add("an ERROR for a client's doing: " + describe(event));
      }
    }
    assertThat(problems).as("%d events captured", events.size()).isEmpty();
  }

  /** Runs the scenario on a node of its own; returns every secret it used or was given. */
  private static Set<String> scenario() {
    Set<String> secrets = new LinkedHashSet<>(List.of(PASSWORD, WRONG_PASSWORD, INVALID_BODY_PASSWORD, UNQUOTED_PASSWORD,
      NEW_PASSWORD, SOCKET_SECRET, IDENTIFIER, IDENTIFIER.toLowerCase(Locale.ROOT), TestNode.JWT_SECRET));
    try (TestNode node = TestNode.start()) {
      ApiClient api = node.api();
      JsonObject registered = api.register(IDENTIFIER, PASSWORD);
      tokens(secrets, registered);
      JSendAssert.fail(api.post("/api/login", credentials(IDENTIFIER, WRONG_PASSWORD)), 401, "invalid_credentials");
      JsonObject login = api.login(IDENTIFIER.toUpperCase(Locale.ROOT), PASSWORD);
      tokens(secrets, login);
      secrets.add(IDENTIFIER.toUpperCase(Locale.ROOT));

      JsonObject refreshed = JSendAssert.success(api.post("/api/refresh", refreshBody(login)));
      tokens(secrets, refreshed);
      // reuse of a spent refresh token: refused, and the whole login revoked
      JSendAssert.fail(api.post("/api/refresh", refreshBody(login)), 401, "invalid_token");
      JSendAssert.fail(api.post("/api/refresh", refreshBody(refreshed)), 401, "invalid_token");

      JsonObject again = api.login(IDENTIFIER, PASSWORD);
      tokens(secrets, again);
      JSendAssert.success(api.get("/api/user", again.getString("accessToken")));
      HttpResponse<Buffer> logout = node.client().post("/api/logout").bearerTokenAuthentication(again.getString("accessToken"))
        .sendJsonObject(refreshBody(again)).await();
      JSendAssert.success(logout);

      // sessions and a password change: a wrong current password, a weak new one, then the change
      JsonObject other = api.login(IDENTIFIER, PASSWORD);
      tokens(secrets, other);
      String token = other.getString("accessToken");
      JSendAssert.success(api.get("/api/user/sessions", token));
      JSendAssert.fail(node.client().put("/api/user/password").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("currentPassword", WRONG_PASSWORD).put("newPassword", NEW_PASSWORD)).await(),
        403, "wrong_password");
      JSendAssert.failFields(node.client().put("/api/user/password").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("currentPassword", PASSWORD).put("newPassword", "12345678")).await(), "newPassword");
      JsonObject changed = JSendAssert.success(node.client().put("/api/user/password").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("currentPassword", PASSWORD).put("newPassword", NEW_PASSWORD)).await());
      tokens(secrets, changed);
      JsonObject back = JSendAssert.success(node.client().put("/api/user/password").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("currentPassword", NEW_PASSWORD).put("newPassword", PASSWORD)).await());
      tokens(secrets, back);
      JSendAssert.success(node.client().delete("/api/user/sessions").bearerTokenAuthentication(token).send().await());

      // OAuth: a good grant, a bad one, a revocation
      JsonObject forOAuth = api.login(IDENTIFIER, PASSWORD);
      tokens(secrets, forOAuth);
      HttpResponse<Buffer> granted = node.client().post("/oauth/token").sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "refresh_token").add("refresh_token", forOAuth.getString("refreshToken"))).await();
      assertThat(granted.statusCode()).as(granted.bodyAsString()).isEqualTo(200);
      JsonObject oauth = granted.bodyAsJsonObject();
      secrets.add(oauth.getString("access_token"));
      secrets.add(signature(oauth.getString("access_token")));
      secrets.add(oauth.getString("refresh_token"));
      assertThat(node.client().post("/oauth/token").sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "refresh_token").add("refresh_token", forOAuth.getString("refreshToken"))).await().statusCode())
        .isEqualTo(400);
      assertThat(node.client().post("/oauth/revoke").sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("token", oauth.getString("refresh_token"))).await().statusCode()).isEqualTo(200);

      // bad tokens: forged with a key URL, expired, garbage with an escape sequence
      String userId = registered.getJsonObject("user").getString("id");
      byte[] key = TestNode.JWT_SECRET.getBytes(StandardCharsets.UTF_8);
      String forged = Jwts.hs256("{\"alg\":\"HS256\",\"jku\":\"http://127.0.0.1:1/k\"}", Jwts.claims(userId,
        Instant.now().getEpochSecond()), key);
      String expired = Jwts.hs256(Jwts.HS256_HEADER, Jwts.claims(userId, (String) Jwts.claim(registered.getString("accessToken"), "sid"),
        Instant.now().getEpochSecond() - 7200), key);
      for (String bad : List.of(forged, expired, "garbage-" + SOCKET_SECRET)) {
        secrets.add(bad);
        JSendAssert.fail(node.client().get("/api/user").putHeader("Authorization", "Bearer " + bad).send().await(),
          401, "unauthorized");
      }
      secrets.add(signature(forged));
      secrets.add(signature(expired));

      // invalid bodies that carry passwords
      JSendAssert.failFields(api.post("/api/register", credentials("ab", INVALID_BODY_PASSWORD)), "identifier");
      JSendAssert.failFields(api.post("/api/register", credentials("evil\u001b[31m\nFAKE LINE", INVALID_BODY_PASSWORD)),
        "identifier");
      JSendAssert.failFields(api.post("/api/login", new JsonObject().put("identifier", IDENTIFIER)
        .put("password", new JsonObject().put("nested", INVALID_BODY_PASSWORD))), "password");
      JSendAssert.fail(node.client().post("/api/login").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"identifier\":\"" + IDENTIFIER + "\",\"password\":" + UNQUOTED_PASSWORD + "}")).await(),
        400, "bad_request");
      JSendAssert.fail(node.client().post("/api/login").putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("identifier=" + IDENTIFIER + "&password=" + PASSWORD)).await(), 415,
        "unsupported_media_type");

      // avatar uploads that are not images, with a secret and escapes inside
      String access = api.login(IDENTIFIER, PASSWORD).getString("accessToken");
      secrets.add(access);
      secrets.add(signature(access));
      for (String bytes : List.of("\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR" + SOCKET_SECRET + "\u001b[2J\n",
        "GIF89a" + SOCKET_SECRET + "\u001b[2J", "\u00ff\u00d8\u00ff\u00e0" + SOCKET_SECRET + "\r\nFAKE")) {
        HttpResponse<Buffer> upload = node.client().post("/api/user/avatar").bearerTokenAuthentication(access)
          .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(bytes.getBytes(StandardCharsets.ISO_8859_1)))
          .await();
        assertThat(upload.statusCode()).as(upload.bodyAsString()).isBetween(400, 499);
      }

      // a socket that authenticates with something secret but wrong
      WebSocketClient sockets = node.vertx().createWebSocketClient();
      WebSocket socket = sockets.connect(node.port(), "127.0.0.1", "/ws").await();
      var closed = io.vertx.core.Promise.<Short>promise();
      socket.closeHandler(done -> closed.tryComplete(socket.closeStatusCode()));
      socket.writeTextMessage(new JsonObject().put("type", "auth").put("token", SOCKET_SECRET).encode());
      assertThat(closed.future().await()).isEqualTo((short) 4401);
      sockets.close().await();

      // control characters in the path, the method and headers, sent raw
      for (HostileRequest request : List.of(
        HostileRequest.of("GET", "/api/user/\u001b[2J\u001b[31mFAKE"),
        HostileRequest.of("GET", "/api/user%0d%0a2026-01-01 INFO FAKE"),
        HostileRequest.of("GET", "/health\u0085\u2028x"),
        HostileRequest.of("G\u009bT", "/health"),
        HostileRequest.of("GET", "/api/user").withHeader("Authorization", "Bearer \u001b]0;" + SOCKET_SECRET + "\u0007"),
        HostileRequest.of("GET", "/health").withHeader("X-Request-Id", "id\u001b[2J\u0085"),
        HostileRequest.of("GET", "/health").withHeader("User-Agent", "agent\u001b[31m" + PASSWORD),
        HostileRequest.of("POST", "/api/login").withHeader("Content-Type", "application/json")
          .withBody(("{\"identifier\":\"" + IDENTIFIER + "\u0000\",\"password\":\"" + PASSWORD + "\"}")
            .getBytes(StandardCharsets.UTF_8)))) {
        request.sendTo(node.port());
      }

      // the account goes; its tokens stop working
      JSendAssert.success(node.client().delete("/api/user").bearerTokenAuthentication(access).send().await());
      JSendAssert.fail(api.get("/api/user", access), 401, "unauthorized");

      // a client that leaves in the middle of its body
      leaveMidBody(node.port(), "{\"identifier\":\"" + IDENTIFIER + "\",\"password\":\"" + PASSWORD);
      JSendAssert.success(node.client().get("/health").send().await());
    }
    return secrets;
  }

  private static void leaveMidBody(int port, String partialBody) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
        + partialBody).getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void tokens(Set<String> secrets, JsonObject tokenResponse) {
    secrets.add(tokenResponse.getString("accessToken"));
    secrets.add(signature(tokenResponse.getString("accessToken")));
    secrets.add(tokenResponse.getString("refreshToken"));
  }

  private static String signature(String jwt) {
    return jwt.substring(jwt.lastIndexOf('.') + 1);
  }

  private static JsonObject credentials(String identifier, String password) {
    return new JsonObject().put("identifier", identifier).put("password", password);
  }

  private static JsonObject refreshBody(JsonObject tokenResponse) {
    return new JsonObject().put("refreshToken", tokenResponse.getString("refreshToken"));
  }

  /** C0 and C1 controls (a tab inside a message is harmless), line and paragraph separators, bidi overrides. */
  private static boolean unsafe(int c) {
    return (Character.getType(c) == Character.CONTROL && c != '\t') || c == '\u2028' || c == '\u2029'
      || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }

  private static void collect(IThrowableProxy throwable, List<String> messages, List<String> texts) {
    for (IThrowableProxy t = throwable; t != null; t = t.getCause()) {
      messages.add(t.getMessage());
      texts.add(t.getClassName() + ": " + t.getMessage());
      for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
        texts.add(frame.getSTEAsString());
      }
      for (IThrowableProxy suppressed : t.getSuppressed()) {
        collect(suppressed, messages, texts);
      }
    }
  }

  /** The layout the configured console appender writes with, to check the lines as they are written. */
  @SuppressWarnings("unchecked")
  private static Layout<ILoggingEvent> configuredLayout(Logger root) {
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream
        && stream.getEncoder() instanceof LayoutWrappingEncoder<?> encoder) {
        return (Layout<ILoggingEvent>) encoder.getLayout();
      }
    }
    return null;
  }

  private static String describe(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    return event.getLevel() + " " + event.getLoggerName() + " \""
      + HostileRequest.visible(message == null ? "null" : message.length() > 160 ? message.substring(0, 160) : message)
      + "\"" + (event.getThrowableProxy() == null ? "" : " with " + event.getThrowableProxy().getClassName() + ": "
      + HostileRequest.visible(String.valueOf(event.getThrowableProxy().getMessage())));
  }
}
