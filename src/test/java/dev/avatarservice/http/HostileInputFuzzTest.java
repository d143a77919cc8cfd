package dev.avatarservice.http;

import dev.avatarservice.support.ContractAssert;
import dev.avatarservice.support.HostileRequest;
import dev.avatarservice.support.HostileRequest.Header;
import dev.avatarservice.support.HostileValues;
import dev.avatarservice.support.HostileValues.Member;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.RawHttp;
import dev.avatarservice.support.TestNode;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of every route through the real node: mutated JSON, odd headers, multipart
 * and form bodies, raw bytes and requests no client library would send. Whatever comes in, the
 * answer must be one API.md allows ({@link ContractAssert}): no 5xx but an overload 503 with
 * {@code Retry-After}, JSend (RFC 6749/7009 on {@code /oauth/*}), and the node healthy at the end.
 * <p>
 * A failure prints the request, the answer, and jqwik's seed; jqwik replays the failing sample first
 * on the next run (its database is under {@code target/}), and {@code @Property(seed = "...")}
 * replays a whole run. The avatar and deletion routes are in the lists already: before they exist
 * they answer 404/405, after that their real answers are checked too.
 */
class HostileInputFuzzTest {

  private static final String OWNER = "fuzz-owner@example.com";

  private static final List<String> JSON_ROUTES = List.of(
    "/api/register", "/register", "/api/login", "/login", "/api/refresh", "/api/logout");
  private static final List<String> ROUTES = List.of(
    "/api/register", "/register", "/api/login", "/login", "/api/refresh", "/api/logout", "/api/user", "/user",
    "/oauth/token", "/oauth/revoke", "/health", "/ready", "/api/user/avatar", "/avatar", "/avatars/x.png",
    "/ws", "/ws/avatar", "/sockjs/info", "/metrics", "/openapi.yaml", "/asyncapi.yaml", "/docs", "/demo", "/",
    "/no/such/thing", "/api", "/api/", "/API/LOGIN", "/api/login/", "/api//login", "/api/./login",
    "/api/../api/login", "/api/user?access_token=x", "/api/login;jsessionid=1");
  private static final List<String> METHODS = List.of(
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get", "BREW");

  private static TestNode node;
  private static String accessToken;
  private static String refreshToken;
  private static byte[] png;

  @BeforeContainer
  static void start() {
    // uploads are limited per user and minute; the fuzzing uploads far more than that, on purpose
    node = TestNode.start(Map.of("AVATAR_UPLOADS_PER_MINUTE", 100_000));
    JsonObject tokens = node.api().register(OWNER);
    accessToken = tokens.getString("accessToken");
    refreshToken = tokens.getString("refreshToken");
    png = tinyPng();
  }

  /** The node must still be alive and ready after everything it was sent. */
  @AfterContainer
  static void stop() {
    try {
      JSendAssert.success(node.client().get("/health").send().await());
      JSendAssert.success(node.client().get("/ready").send().await());
      // a fresh account: the fuzzing may have deleted the owner's (DELETE /api/user with its token)
      JSendAssert.success(node.api().get("/api/user", node.api().register("fuzz-after@example.com").getString("accessToken")));
    } finally {
      node.close();
    }
  }

  private static void exchange(HostileRequest request) {
    ContractAssert.legitimate(request, request.sendTo(node.port()));
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 300)
  void mutatedJsonBodiesToTheJsonRoutes(@ForAll("jsonRequests") HostileRequest request) {
    exchange(request);
  }

  @Property(tries = 300)
  void anyMethodHeadersAndBodyToEveryRoute(@ForAll("anyRequests") HostileRequest request) {
    exchange(request);
  }

  @Property(tries = 150)
  void multipartBodiesToEveryRoute(@ForAll("multipartRequests") HostileRequest request) {
    exchange(request);
  }

  @Property(tries = 200)
  void formsToTheOAuthRoutes(@ForAll("oauthRequests") HostileRequest request) {
    exchange(request);
  }

  @Property(tries = 250)
  void oddBytesOnTheWire(@ForAll("wireRequests") HostileRequest request) {
    exchange(request);
  }

  // ------------------------------------------------------------------ what the fuzzing found, pinned

  @Example
  void aPathWithABrokenPercentEscapeIs400() {
    for (String target : List.of("/%", "/%zz", "/api/user/%", "/%2")) {
      JsonObject data = failData(HostileRequest.of("GET", target), 400);
      assertThat(data.getString("code")).isEqualTo("bad_request");
    }
  }

  @Example
  void aMultipartTypeTheFormDecoderCannotTakeIs400() {
    for (String type : List.of("multipart/form-data; boundary=", "multipart/form-data; boundary",
      "multipart/form-data; charset=utf-8; boundary=", "multipart/form-data; boundary=x; charset=nonsense",
      "multipart/form-data; boundary=" + "b".repeat(71))) {
      HostileRequest request = HostileRequest.of("POST", "/api/login").withHeader("Content-Type", type)
        .withBody("--x--\r\n".getBytes(StandardCharsets.UTF_8));
      assertThat(failData(request, 400).getString("message")).contains("boundary");
    }
  }

  @Example
  void requestsTheCodecRefusesAreAnsweredInJSend() {
    assertThat(failData(HostileRequest.of("GET", "/health").withHeader("X-Long", "v".repeat(9000)), 431)
      .getString("code")).isEqualTo("header_fields_too_large");
    assertThat(failData(HostileRequest.of("GET", "/" + "a".repeat(5000)), 414).getString("code"))
      .isEqualTo("uri_too_long");
    assertThat(failData(HostileRequest.of("GET", "/health").withHeader("X\u0000", "1"), 400).getString("code"))
      .isEqualTo("bad_request");
  }

  @Example
  void framingHeadersThatDisagreeNeverHang() {
    byte[] json = "{\"identifier\":\"a\",\"password\":\"b\"}".getBytes(StandardCharsets.UTF_8);
    for (HostileRequest request : List.of(
      HostileRequest.of("POST", "/api/login").withHeader("Transfer-Encoding", "gzip, chunked").withBody(json),
      HostileRequest.of("POST", "/api/login").withHeader("Transfer-Encoding", "chunked").withHeader("Content-Length", "5")
        .withBody(json),
      HostileRequest.of("POST", "/api/login").withHeader("Transfer-Encoding", "identity").withBody(json),
      HostileRequest.of("POST", "/api/login").withHeader("Transfer-Encoding", "chunked"),
      HostileRequest.of("POST", "/api/login").withHeader("Content-Length", "0").withBody(json))) {
      ContractAssert.legitimate(request, request.sendTo(node.port()));
    }
  }

  @Example
  void aStrayH2cUpgradeIsIgnored() {
    HostileRequest request = HostileRequest.of("GET", "/health").withHeader("Upgrade", "h2c");
    RawHttp.Response response = request.sendTo(node.port()).orElseThrow();
    assertThat(response.status()).as(response.toString()).isEqualTo(200);
  }

  private static JsonObject failData(HostileRequest request, int status) {
    RawHttp.Response response = request.sendTo(node.port()).orElseThrow();
    ContractAssert.legitimate(request, Optional.of(response));
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    return new JsonObject(response.bodyText()).getJsonObject("data");
  }

  // ------------------------------------------------------------------ requests

  @Provide
  Arbitrary<HostileRequest> jsonRequests() {
    Arbitrary<String> route = Arbitraries.of(JSON_ROUTES);
    Arbitrary<byte[]> body = route.flatMap(path -> HostileValues.mutatedJson(validBody(path)));
    return Combinators.combine(route, body, optional(6, Arbitraries.just("application/json"), 2,
        HostileValues.contentType(), 1), authorization(2), extraHeaders(), Arbitraries.of(false, false, false, true))
      .as((path, bytes, type, auth, extra, chunked) -> HostileRequest.of("POST", path)
        .withHeaders(headers(type, auth, extra)).withBody(bytes).chunked(chunked));
  }

  @Provide
  Arbitrary<HostileRequest> anyRequests() {
    Arbitrary<byte[]> body = Arbitraries.frequencyOf(
      Tuple.of(4, Arbitraries.just((byte[]) null)),
      Tuple.of(3, HostileValues.jsonValue().map(json -> json.getBytes(StandardCharsets.UTF_8))),
      Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(2000)),
      Tuple.of(1, HostileValues.huge().map(text -> text.getBytes(StandardCharsets.UTF_8))),
      Tuple.of(1, Arbitraries.integers().between(16_000, 70_000).map(n -> new byte[n])),
      Tuple.of(2, HostileValues.imageLike(png)));
    Arbitrary<String> methods = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of("GET", "POST")),
      Tuple.of(1, Arbitraries.of(METHODS)));
    return Combinators.combine(methods, Arbitraries.of(ROUTES), body,
        optional(1, HostileValues.contentType(), 1), authorization(1), extraHeaders())
      .as((method, path, bytes, type, auth, extra) -> HostileRequest.of(method, path)
        .withHeaders(headers(type, auth, extra)).withBody(bytes));
  }

  @Provide
  Arbitrary<HostileRequest> multipartRequests() {
    Arbitrary<String> declared = Arbitraries.of("multipart/form-data; boundary=%s", "multipart/form-data; boundary=\"%s\"",
      "multipart/form-data; boundary=other", "multipart/form-data", "multipart/form-data; boundary=%s; charset=utf-8",
      "multipart/mixed; boundary=%s", "application/json", "multipart/form-data; boundary=%s; charset=nonsense",
      "multipart/form-data; charset=\"\"; boundary=%s", "multipart/form-data; boundary=");
    return Combinators.combine(Arbitraries.of("POST", "POST", "POST", "PUT", "DELETE"), Arbitraries.of(ROUTES),
        HostileValues.multipart(png), declared, authorization(1), extraHeaders())
      .as((method, path, multipart, type, auth, extra) -> HostileRequest.of(method, path)
        .withHeaders(headers(Optional.of(type.replace("%s", multipart.boundary())), auth, extra))
        .withBody(multipart.body()));
  }

  @Provide
  Arbitrary<HostileRequest> oauthRequests() {
    Arbitrary<String> values = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of("refresh_token", "password", "authorization_code", "client_credentials",
        "refresh_token ", "REFRESH_TOKEN", "access_token")),
      Tuple.of(2, Arbitraries.of(refreshToken, accessToken, refreshToken + "x", "")),
      Tuple.of(2, HostileValues.oddText()));
    Arbitrary<byte[]> body = Arbitraries.frequencyOf(
      Tuple.of(8, HostileValues.formBody(List.of("grant_type", "refresh_token", "token", "token_type_hint", "client_id",
        "client_secret", "username", "password", "scope"), values)),
      Tuple.of(1, Arbitraries.just((byte[]) null)),
      Tuple.of(1, HostileValues.jsonValue().map(json -> json.getBytes(StandardCharsets.UTF_8))));
    Arbitrary<String> type = Arbitraries.frequencyOf(
      Tuple.of(6, Arbitraries.of("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8",
        "APPLICATION/X-WWW-FORM-URLENCODED")),
      Tuple.of(2, HostileValues.contentType()));
    return Combinators.combine(Arbitraries.of("POST", "POST", "POST", "POST", "GET", "PUT"),
        Arbitraries.of("/oauth/token", "/oauth/revoke", "/oauth/authorize", "/oauth/token/", "/oauth/introspect"),
        body, optional(6, type, 1), optional(1, HostileValues.authorization(accessToken, refreshToken)
          .map(auth -> auth.startsWith("Bearer") ? auth : "Basic " + auth), 4), extraHeaders())
      .as((method, path, bytes, contentType, auth, extra) -> HostileRequest.of(method, path)
        .withHeaders(headers(contentType, auth, extra)).withBody(bytes));
  }

  /**
   * What only a hand-made request carries: odd methods and request targets, raw bytes (controls,
   * Latin-1, UTF-8) in header names and values, repeated or missing Host, repeated framing headers,
   * headers past the size limit, and chunked bodies.
   */
  @Provide
  Arbitrary<HostileRequest> wireRequests() {
    Arbitrary<String> target = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of(ROUTES)),
      Tuple.of(4, Arbitraries.of("*", "http://127.0.0.1/api/user", "http://evil.example/health", "api/user", "/%",
        "/%zz", "/%00", "/api/user%00", "/..%2f..%2fetc%2fpasswd", "/api/user/%2e%2e/%2e%2e/health",
        "/" + "a".repeat(5000), "/api/user?access_token=" + accessToken, "/ws?token=" + accessToken,
        "/api/user#fragment", "/\u00e9", "/\u00fc\u00e9", "/\ud83d\ude00", "/api/login\u0000", "/api/login\u001b[2J",
        "/api/user;a=b", "//api//user", "/api/USER", "/avatars/../../etc/passwd", "/avatars/%2e%2e%2fpom.xml",
        "/avatars/..%5c..%5cpom.xml", "/docs/../pom.xml", "/docs/%2e%2e/%2e%2e/pom.xml", "/demo/..%5cpom.xml",
        "/openapi.yaml/", "/metrics?x", "/sockjs/info?cb=1", "/sockjs/iframe.html", "/sockjs/websocket",
        "/health?" + "q=1&".repeat(500), "/health/../ready", "/%2fhealth", "/HEALTH", "/health%20",
        "/health\t", "/ health")),
      Tuple.of(1, Arbitraries.strings().alpha().numeric().ofLength(8).map(id -> "/sockjs/1/" + id + "/xhr")),
      Tuple.of(2, HostileValues.oddText().map(text -> "/" + text)));
    Arbitrary<String> method = Arbitraries.frequencyOf(
      Tuple.of(6, Arbitraries.of("GET", "POST", "DELETE", "HEAD")),
      Tuple.of(2, Arbitraries.of("CONNECT", "OPTIONS", "TRACE", "get", "G\u00c9T", "GET\u0000", "G;T", "")),
      Tuple.of(1, Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(20)));
    Arbitrary<Header> oddHeader = Arbitraries.oneOf(
      Combinators.combine(Arbitraries.of("Authorization", "Content-Type", "X-Request-Id", "Origin", "token", "Accept"),
        HostileValues.oddText()).as(Header::new),
      Combinators.combine(HostileValues.oddText().map(name -> name.isEmpty() ? "X" : name), HostileValues.oddText())
        .as(Header::new),
      Arbitraries.of(new Header("Host", "evil.example"), new Header("Host", ""), new Header("Content-Length", "0"),
        new Header("Content-Length", "-1"), new Header("Content-Length", "99999999999999999999"),
        new Header("Transfer-Encoding", "gzip, chunked"), new Header("Transfer-Encoding", "identity"),
        new Header("X-Long", "v".repeat(9000)), new Header("Authorization", "Bearer " + accessToken + "\r\n\tx"),
        new Header("Authorization", "Bearer " + accessToken + "\u00e9"), new Header("X-Folded", "a\r\n b"),
        new Header("Content-Type", "application/json\u0000"), new Header("Origin", "http://localhost\u0000.evil")));
    Arbitrary<byte[]> body = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.just((byte[]) null)),
      Tuple.of(2, HostileValues.mutatedJson(validBody("/api/login"))),
      Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(500)));
    return Combinators.combine(method, target, oddHeader.list().ofMaxSize(3), body, Arbitraries.of(true, false),
        Arbitraries.frequency(Tuple.of(9, true), Tuple.of(1, false)), authorization(2))
      .as((m, t, odd, bytes, chunked, host, auth) -> {
        List<Header> all = new ArrayList<>(odd);
        auth.ifPresent(value -> all.add(new Header("Authorization", value)));
        if (bytes != null) {
          all.add(new Header("Content-Type", "application/json"));
        }
        return new HostileRequest(m, t, all, bytes, chunked, host);
      });
  }

  // ------------------------------------------------------------------ parts

  /** Valid bodies of a JSON route, before mutation: good and plausible values of each field. */
  private static Arbitrary<List<Member>> validBody(String path) {
    if (path.endsWith("/refresh") || path.endsWith("/logout")) {
      return token().map(token -> List.of(Member.of("refreshToken", token)));
    }
    Arbitrary<String> identifier = Arbitraries.frequencyOf(
      Tuple.of(1, Arbitraries.just(OWNER)),
      Tuple.of(3, Arbitraries.strings().alpha().numeric().ofMinLength(3).ofMaxLength(12).map(s -> "f-" + s + "@example.com")),
      Tuple.of(1, Arbitraries.strings().numeric().ofLength(9).map(s -> "+371" + s)))
      .map(text -> HostileValues.quote(text));
    Arbitrary<String> password = Arbitraries.frequencyOf(
      Tuple.of(2, Arbitraries.just(dev.avatarservice.support.ApiClient.PASSWORD)),
      Tuple.of(2, Arbitraries.strings().ascii().ofMinLength(8).ofMaxLength(40)),
      Tuple.of(1, Arbitraries.of("password123", "12345678", "short")))
      .map(text -> HostileValues.quote(text));
    return Combinators.combine(identifier, password)
      .as((id, pw) -> List.of(Member.of("identifier", id), Member.of("password", pw)));
  }

  private static Arbitrary<String> token() {
    return Arbitraries.frequencyOf(
      Tuple.of(1, Arbitraries.of(refreshToken, accessToken)),
      Tuple.of(2, Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        .ofLength(43)))
      .map(text -> HostileValues.quote(text));
  }

  private static Arbitrary<Optional<String>> authorization(int absentWeight) {
    return optional(1, HostileValues.authorization(accessToken, refreshToken), absentWeight);
  }

  private static Arbitrary<List<Header>> extraHeaders() {
    return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.of())),
      Tuple.of(1, HostileValues.extraHeaders(accessToken)));
  }

  private static <T> Arbitrary<Optional<T>> optional(int presentWeight, Arbitrary<T> value, int absentWeight) {
    return Arbitraries.frequencyOf(Tuple.of(presentWeight, value.map(Optional::of)),
      Tuple.of(absentWeight, Arbitraries.just(Optional.empty())));
  }

  private static <T> Arbitrary<Optional<T>> optional(int firstWeight, Arbitrary<T> first, int secondWeight,
                                                     Arbitrary<T> second, int absentWeight) {
    return Arbitraries.frequencyOf(Tuple.of(firstWeight, first.map(Optional::of)),
      Tuple.of(secondWeight, second.map(Optional::of)), Tuple.of(absentWeight, Arbitraries.just(Optional.empty())));
  }

  private static List<Header> headers(Optional<String> contentType, Optional<String> authorization, List<Header> extra) {
    List<Header> all = new ArrayList<>();
    contentType.ifPresent(type -> all.add(new Header("Content-Type", type)));
    authorization.ifPresent(value -> all.add(new Header("Authorization", value)));
    all.addAll(extra);
    return all;
  }

  private static byte[] tinyPng() {
    BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xff0000);
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      assertThat(ImageIO.write(image, "png", out)).isTrue();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
