package dev.avatarservice.support;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * jqwik generators of hostile input: odd text, JSON values valid and not, valid bodies with their
 * fields mutated, hand-written multipart and form bodies, and header values. Kept small enough
 * that a few hundred tries per property take seconds.
 */
public final class HostileValues {

  /** Strings with a history of breaking parsers, normalisers, logs and terminals. */
  private static final List<String> NASTY = List.of(
    "", " ", "\t", "null", "true", "0", "-1", "NaN", "undefined", "[]", "{}",
    "\u0000", "a\u0000b", "\r\nX-Injected: 1", "line1\nline2", "\u001b[31mred\u001b[0m", "\u0007\u0008\u007f",
    "\u202eevil\u202c", "\ufeff", "\u200b\u200d", "\u2028\u2029", "\u0085", "\ud800", "\udfff", "\ud83d\ude00",
    "\ufb01", "\uff21\uff4c\uff49\uff43\uff45", "\u2167", "A\u030a", "\u0130", "\u0131", "\u00df", "\u1e9e",
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "%00", "%2e%2e%2f", "%s%s%s%n", "{}{}",
    "${jndi:ldap://127.0.0.1:1/x}", "<script>alert(1)</script>", "' OR '1'='1' --", "\"; DROP TABLE users; --",
    "__proto__", "constructor", "\\u0000", "\\", "\"", "'", "admin", "root@localhost", "+00000000000");

  private HostileValues() {
  }

  /** Short strings of every kind: plain, any Unicode, control characters, the nasty list. */
  public static Arbitrary<String> oddText() {
    return Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.strings().alpha().numeric().withChars("-_.@+").ofMaxLength(40)),
      Tuple.of(3, Arbitraries.strings().all().ofMaxLength(30)),
      Tuple.of(2, Arbitraries.strings().withCharRange('\u0000', '\u001f').withChars("\u007f\u0085abc").ofMaxLength(12)),
      Tuple.of(4, Arbitraries.of(NASTY)),
      Tuple.of(1, huge()));
  }

  /** Strings from just under to far over every field and body limit, some of multi-byte characters. */
  public static Arbitrary<String> huge() {
    return Combinators.combine(Arbitraries.of("x", "\u00e9", "\u20ac", "\ud83d\ude00", "ab\u0000", "\ufb01"),
        Arbitraries.of(1023, 1024, 1025, 4095, 4096, 4097, 5000, 9000, 17000))
      .as((unit, count) -> unit.repeat(count));
  }

  /** A JSON string literal of that text: control characters escaped, or (rarely) raw, which is not JSON. */
  public static Arbitrary<String> jsonString(Arbitrary<String> text) {
    Arbitrary<Escaping> escaping = Arbitraries.frequency(
      Tuple.of(6, Escaping.MINIMAL), Tuple.of(2, Escaping.ALL_NON_ASCII), Tuple.of(1, Escaping.RAW_CONTROLS));
    return Combinators.combine(text, escaping).as(HostileValues::quote);
  }

  private enum Escaping { MINIMAL, ALL_NON_ASCII, RAW_CONTROLS }

  /** A JSON string literal of that text, as a careful encoder writes it. */
  public static String quote(String text) {
    return quote(text, Escaping.MINIMAL);
  }

  private static String quote(String text, Escaping escaping) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 && escaping != Escaping.RAW_CONTROLS) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else if ((c > 0x7E && escaping == Escaping.ALL_NON_ASCII) || Character.isSurrogate(c)) {
        // lone surrogates can only travel escaped: their UTF-8 form does not exist
        out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** A JSON value as text: scalars, odd numbers, nested arrays and objects, deep nesting, and near-JSON. */
  public static Arbitrary<String> jsonValue() {
    return jsonValue(2);
  }

  private static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> scalars = Arbitraries.frequencyOf(
      Tuple.of(4, jsonString(oddText())),
      Tuple.of(2, Arbitraries.of("0", "-0", "1", "-1", "1.5", "1e308", "1e999999", "-1e999999", "2.5e-400",
        "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809", "0.1e1", "1E+2")),
      Tuple.of(1, Arbitraries.longs().map(String::valueOf)),
      Tuple.of(2, Arbitraries.of("true", "false", "null")),
      Tuple.of(1, Arbitraries.of("NaN", "Infinity", "-Infinity", "01", "0x1F", "+1", ".5", "1.", "'single'",
        "undefined", "tru", "nul", "\"unterminated", "\"\\x41\"", "\"\\u12\"", "\"\\uZZZZ\"")),
      Tuple.of(1, Arbitraries.integers().between(50, 3000).map(n -> "[".repeat(n) + "]".repeat(n))),
      Tuple.of(1, Arbitraries.integers().between(50, 2000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n))));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<String> arrays = jsonValue(depth - 1).list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
    Arbitrary<String> objects = Combinators.combine(jsonString(oddText()), jsonValue(depth - 1))
      .as((key, value) -> key + ":" + value).list().ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}");
    return Arbitraries.frequencyOf(Tuple.of(6, scalars), Tuple.of(1, arrays), Tuple.of(1, objects));
  }

  /**
   * A valid JSON object body, as members in order, with 0 to 3 mutations of its members (values of
   * the wrong type or shape, members dropped, added, renamed, or repeated with another value), then
   * possibly one mutation of its text (truncation, wrapping, trailing garbage, comments, quotes) and
   * of its bytes (another charset, flipped bytes).
   */
  public static Arbitrary<byte[]> mutatedJson(Arbitrary<List<Member>> validBodies) {
    return validBodies.flatMap(HostileValues::mutatedJson);
  }

  private static Arbitrary<byte[]> mutatedJson(List<Member> valid) {
    Arbitrary<List<MemberMutation>> mutations = Arbitraries.frequencyOf(
      Tuple.of(2, Arbitraries.just(List.of())),
      Tuple.of(3, memberMutation(valid).list().ofMinSize(1).ofMaxSize(3)));
    Arbitrary<List<String>> members = mutations.map(mutationList -> {
      List<Member> current = new ArrayList<>(valid);
      mutationList.forEach(mutation -> mutation.apply(current));
      return current.stream().map(m -> m.key() + ":" + m.value()).toList();
    });
    Arbitrary<String> text = Combinators.combine(members, Arbitraries.of("", " ", "\n", "\t", "\r\n  "))
      .as((list, space) -> "{" + space + String.join("," + space, list) + space + "}");
    return Combinators.combine(text, textMutation(), byteMutation()).as((json, onText, onBytes) ->
      onBytes.apply(onText.apply(json)));
  }

  /** One member of a JSON object: its key and value as JSON text. */
  public record Member(String key, String value) {

    public static Member of(String name, String jsonValue) {
      return new Member(quote(name, Escaping.MINIMAL), jsonValue);
    }
  }

  private interface MemberMutation {
    void apply(List<Member> members);
  }

  private static Arbitrary<MemberMutation> memberMutation(List<Member> valid) {
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 7);
    Arbitrary<String> keys = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of(valid).map(Member::key)),
      Tuple.of(1, Arbitraries.of(valid).map(m -> m.key().toUpperCase(Locale.ROOT))),
      Tuple.of(2, jsonString(oddText())));
    return Arbitraries.oneOf(
      Combinators.combine(index, jsonValue()).as((i, value) -> members -> {
        if (!members.isEmpty()) {
          int at = i % members.size();
          members.set(at, new Member(members.get(at).key(), value));
        }
      }),
      index.map(i -> members -> {
        if (!members.isEmpty()) {
          members.remove(i % members.size());
        }
      }),
      Combinators.combine(keys, jsonValue()).as((key, value) -> members -> members.add(new Member(key, value))),
      // a repeated key, written by hand: parsers disagree on which one wins
      Combinators.combine(index, jsonValue(), Arbitraries.of(true, false)).as((i, value, before) -> members -> {
        if (!members.isEmpty()) {
          Member original = members.get(i % members.size());
          members.add(before ? 0 : members.size(), new Member(original.key(), value));
        }
      }));
  }

  private static Arbitrary<UnaryOperator<String>> textMutation() {
    return Arbitraries.frequencyOf(
      Tuple.of(10, Arbitraries.just(UnaryOperator.identity())),
      Tuple.of(2, Arbitraries.doubles().between(0, 1).map(cut -> json -> json.substring(0, (int) (json.length() * cut)))),
      Tuple.of(1, Arbitraries.of("[%s]", "%s,", "%s}", "%s{}", "%s garbage", "\ufeff%s", "  %s  ", "{\"a\":%s}",
        "/*c*/%s", "%s//c", "%s\u0000").map(format -> json -> format.replace("%s", json))),
      Tuple.of(1, Arbitraries.just(json -> json.replace('"', '\''))),
      Tuple.of(1, Arbitraries.just(json -> json.replaceFirst("\\{", "{/*x*/"))),
      Tuple.of(1, jsonValue().map(other -> json -> other)));
  }

  private static Arbitrary<java.util.function.Function<String, byte[]>> byteMutation() {
    Arbitrary<java.util.function.Function<String, byte[]>> flips = Combinators.combine(
        Arbitraries.doubles().between(0, 1).list().ofMinSize(1).ofMaxSize(3),
        Arbitraries.bytes().list().ofSize(3))
      .as((positions, values) -> json -> {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < positions.size() && bytes.length > 0; i++) {
          bytes[(int) (positions.get(i) * (bytes.length - 1))] = values.get(i);
        }
        return bytes;
      });
    return Arbitraries.frequencyOf(
      Tuple.of(12, Arbitraries.just(json -> json.getBytes(StandardCharsets.UTF_8))),
      Tuple.of(1, Arbitraries.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.ISO_8859_1)
        .map(charset -> json -> json.getBytes(charset))),
      Tuple.of(2, flips));
  }

  /** A form body: the expected parameters, repeated, missing, empty, or badly percent-encoded. */
  public static Arbitrary<byte[]> formBody(List<String> names, Arbitrary<String> values) {
    Arbitrary<String> name = Arbitraries.frequencyOf(
      Tuple.of(4, Arbitraries.of(names)),
      Tuple.of(1, oddText()));
    Arbitrary<String> value = Arbitraries.frequencyOf(
      Tuple.of(3, values.map(v -> java.net.URLEncoder.encode(v, StandardCharsets.UTF_8))),
      Tuple.of(1, oddText()),
      Tuple.of(1, Arbitraries.of("%", "%z", "%zz", "%00", "%ff%fe", "%C0%AF", "+", "a%2", "%%", "%u0041")));
    return Combinators.combine(name, value, Arbitraries.of("=", "", "==")).as((n, v, eq) -> n + eq + v)
      .list().ofMaxSize(5)
      .map(pairs -> String.join("&", pairs).getBytes(StandardCharsets.UTF_8));
  }

  /** A multipart/form-data body (and the boundary to declare), well-formed or not. */
  public static Arbitrary<Multipart> multipart(byte[] image) {
    Arbitrary<String> boundary = Arbitraries.of("b0undary", "x", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b",
      "\"quoted\"", "-".repeat(70), "ü");
    Arbitrary<String> partName = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of("avatar", "file", "identifier", "password", "refreshToken", "token")),
      Tuple.of(1, oddText()));
    Arbitrary<String> fileName = Arbitraries.frequencyOf(
      Tuple.of(2, Arbitraries.of("a.png", "../../etc/passwd", "..\\x.png", "a\".png", "a\r\n.png", "", "\u202egnp.exe")),
      Tuple.of(1, oddText()));
    Arbitrary<byte[]> content = Arbitraries.frequencyOf(
      Tuple.of(2, Arbitraries.just(image)),
      Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
      Tuple.of(1, oddText().map(t -> t.getBytes(StandardCharsets.UTF_8))),
      Tuple.of(2, imageLike(image)));
    Arbitrary<String> partType = Arbitraries.of("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml",
      "text/plain", "application/json", "application/octet-stream", "");
    Arbitrary<Part> part = Combinators.combine(partName, fileName, partType, content, Arbitraries.of(true, false))
      .as(Part::new);
    return Combinators.combine(boundary, part.list().ofMaxSize(3), Arbitraries.of(Ending.values()))
      .as((b, parts, ending) -> new Multipart(b, encode(b, parts, ending)));
  }

  /** Image-like bytes: a real image with bytes flipped, or the magic numbers of each format before garbage. */
  public static Arbitrary<byte[]> imageLike(byte[] image) {
    Arbitrary<byte[]> flipped = Combinators.combine(Arbitraries.integers().between(0, image.length - 1).list().ofMinSize(1)
        .ofMaxSize(8), Arbitraries.bytes().list().ofSize(8))
      .as((positions, values) -> {
        byte[] copy = image.clone();
        for (int i = 0; i < positions.size(); i++) {
          copy[positions.get(i)] = values.get(i);
        }
        return copy;
      });
    Arbitrary<byte[]> magic = Combinators.combine(
        Arbitraries.of("\u0089PNG\r\n\u001a\n", "GIF89a", "GIF87a", "\u00ff\u00d8\u00ff\u00e0", "RIFF\u0000\u0000\u0000\u0000WEBPVP8 ",
          "<svg xmlns=\"http://www.w3.org/2000/svg\">", "BM"),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
      .as((prefix, rest) -> {
        byte[] head = prefix.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return all;
      });
    return Arbitraries.frequencyOf(Tuple.of(2, flipped), Tuple.of(2, magic), Tuple.of(1, Arbitraries.just(image)),
      Tuple.of(1, Arbitraries.integers().between(1, 3).map(n -> truncated(image, n))));
  }

  private static byte[] truncated(byte[] image, int part) {
    return java.util.Arrays.copyOf(image, image.length * part / 4);
  }

  private enum Ending { CLOSED, CLOSED_NO_CRLF, UNCLOSED, OTHER_BOUNDARY, NO_CRLF_IN_HEADERS }

  private record Part(String name, String fileName, String type, byte[] content, boolean asFile) {
  }

  /** A multipart body and the boundary its Content-Type should declare. */
  public record Multipart(String boundary, byte[] body) {
  }

  private static byte[] encode(String boundary, List<Part> parts, Ending ending) {
    var out = new java.io.ByteArrayOutputStream();
    String crlf = ending == Ending.NO_CRLF_IN_HEADERS ? "\n" : "\r\n";
    for (Part part : parts) {
      StringBuilder head = new StringBuilder("--").append(ending == Ending.OTHER_BOUNDARY ? "other" : boundary)
        .append(crlf).append("Content-Disposition: form-data; name=\"").append(part.name()).append('"');
      if (part.asFile()) {
        head.append("; filename=\"").append(part.fileName()).append('"');
      }
      head.append(crlf);
      if (!part.type().isEmpty()) {
        head.append("Content-Type: ").append(part.type()).append(crlf);
      }
      out.writeBytes(head.append(crlf).toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(part.content());
      out.writeBytes(crlf.getBytes(StandardCharsets.UTF_8));
    }
    switch (ending) {
      case CLOSED, OTHER_BOUNDARY, NO_CRLF_IN_HEADERS -> out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      case CLOSED_NO_CRLF -> out.writeBytes(("--" + boundary + "--").getBytes(StandardCharsets.UTF_8));
      case UNCLOSED -> { }
      default -> throw new IllegalStateException();
    }
    return out.toByteArray();
  }

  /** Content-Type values: right, nearly right, wrong, empty and broken. */
  public static Arbitrary<String> contentType() {
    return Arbitraries.frequencyOf(
      Tuple.of(4, Arbitraries.of("application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
        "application/json;charset=UTF-16", "application/json; charset=\"utf-8\"", "application/json;;",
        "application/json; charset=latin1", "application/jsonx", "application/json-patch+json",
        "application/vnd.api+json", "text/json", "application/json, text/plain")),
      Tuple.of(3, Arbitraries.of("text/plain", "text/html", "application/xml", "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=ISO-8859-1", "application/x-www-form-urlencoded; charset=nonsense",
        "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary", "multipart/form-data;boundary=\"\"",
        "multipart/form-data; boundary=x; charset=nonsense", "multipart/form-data; boundary=x; charset=\"\"",
        "multipart/form-data; charset=utf-8; boundary=", "multipart/form-data; boundary=x; boundary=", "multipart/form-dataX; boundary=",
        "multipart/mixed; boundary=x", "image/png", "image/jpeg", "application/octet-stream", "*/*")),
      Tuple.of(2, Arbitraries.of("", " ", ";", "/", "application/", "json", ";charset=utf-8", "a/b/c", "\u00ff/\u00fe")),
      Tuple.of(1, oddText()));
  }

  /** Authorization values: the good token, its spellings, other schemes, garbage, and sizes past every limit. */
  public static Arbitrary<String> authorization(String accessToken, String refreshToken) {
    return Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of("Bearer " + accessToken, "bearer " + accessToken, "BEARER   " + accessToken + "  ")),
      Tuple.of(3, Arbitraries.of("", "Bearer", "Bearer ", "Bearer\t" + accessToken, "Bearer  ", "Basic dXNlcjpwYXNz",
        "Token " + accessToken, "Bearer " + refreshToken, "Bearer a.b.c", "Bearer ..", "Bearer " + accessToken + "x",
        "Bearer " + accessToken + ", Bearer " + accessToken, "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        accessToken, "Bearer " + accessToken.replace('.', '_'), "Bearer " + "A".repeat(5000),
        "Bearer " + "A".repeat(9000), "Bearer " + accessToken.substring(0, accessToken.length() - 2))),
      Tuple.of(3, oddText().map(garbage -> "Bearer " + garbage)),
      Tuple.of(1, oddText()));
  }

  /** Other headers a client could send, with odd values. */
  public static Arbitrary<List<HostileRequest.Header>> extraHeaders(String accessToken) {
    Arbitrary<HostileRequest.Header> header = Arbitraries.oneOf(
      oddText().map(v -> new HostileRequest.Header("X-Request-Id", v)),
      Arbitraries.of("http://evil.example", "null", "http://localhost", "http://localhost:1", "file://", "*")
        .map(v -> new HostileRequest.Header("Origin", v)),
      Arbitraries.of("*/*", "application/json", "text/html", "image/*", "application/json;q=0", "")
        .map(v -> new HostileRequest.Header("Accept", v)),
      Arbitraries.of("gzip", "br", "deflate, gzip;q=1.0, *;q=0.5", "identity;q=0")
        .map(v -> new HostileRequest.Header("Accept-Encoding", v)),
      oddText().map(v -> new HostileRequest.Header("Cookie", "session=" + v)),
      oddText().map(v -> new HostileRequest.Header("X-Forwarded-For", v)),
      Arbitraries.of("100-continue", "nonsense").map(v -> new HostileRequest.Header("Expect", v)),
      Arbitraries.of("*", "\"x\"", "W/\"x\"").map(v -> new HostileRequest.Header("If-None-Match", v)),
      Arbitraries.of("bytes=0-1", "bytes=-1", "bytes=1-0", "bytes=0-99999999999999999999")
        .map(v -> new HostileRequest.Header("Range", v)),
      Arbitraries.of("websocket", "h2c", "WebSocket, foo").map(v -> new HostileRequest.Header("Upgrade", v)),
      Arbitraries.of("dGhlIHNhbXBsZSBub25jZQ==", "", "x").map(v -> new HostileRequest.Header("Sec-WebSocket-Key", v)),
      Arbitraries.of("13", "8", "x").map(v -> new HostileRequest.Header("Sec-WebSocket-Version", v)),
      Arbitraries.of(accessToken, "", "garbage").map(v -> new HostileRequest.Header("token", v)),
      Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20), oddText())
        .as(HostileRequest.Header::new));
    return header.list().ofMaxSize(3);
  }
}
