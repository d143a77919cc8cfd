package dev.avatarservice.support;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The AsyncAPI document as a test oracle for the sockets, as {@link OpenApiContract} is for HTTP:
 * messages a real node sends are checked against the payload schema of the document's message of
 * that {@code type} on that channel, messages a test sends must be ones the document lets a client
 * send (and the ones the server refuses must not be), and close codes with their reasons must be
 * the channel's {@code x-close-codes}. It remembers what was exercised, so that a test can check
 * that every message and close reason of the document was seen at least once.
 * <p>
 * The YAML is read with SnakeYAML (on the test classpath through swagger-parser; it resolves the
 * document's anchors), the payloads validated with vertx-json-schema as JSON Schema draft 7 (the
 * base of AsyncAPI 3's default schema format), formats included. Loaded once per JVM; thread-safe.
 */
public final class AsyncApiContract {

  /** The document on the classpath; the same bytes are served at /asyncapi.yaml. */
  public static final String RESOURCE = "asyncapi.yaml";

  /** Which way a message travels. */
  public enum Direction { CLIENT_TO_SERVER, SERVER_TO_CLIENT }

  /** One message of {@code components/messages}: its key there, its {@code type}, its payload's validator. */
  private record Message(String key, String type, Validator validator) {
  }

  /** One channel: its messages by direction ({@code type} to message), and its close reasons by code. */
  private record Channel(String key, String address, Map<Direction, Map<String, Message>> messages,
                         Map<Integer, Set<String>> closeReasons) {
  }

  private static AsyncApiContract instance;

  private final String text;
  private final JsonObject document;
  private final Map<String, Message> messages = new LinkedHashMap<>();
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  /** "direction key" of every message seen, and "address" of every channel used. */
  private final Set<String> exercised = ConcurrentHashMap.newKeySet();
  private final Set<String> channelsUsed = ConcurrentHashMap.newKeySet();
  /** "code reason" of every close seen. */
  private final Set<String> closesSeen = ConcurrentHashMap.newKeySet();

  private AsyncApiContract(String text) {
    this.text = text;
    Object loaded = new Yaml(new LoaderOptions()).load(text);
    this.document = new JsonObject(Json.encode(loaded));
    assertThat(document.getString("asyncapi")).as("asyncapi version").startsWith("3.");
    document.getJsonObject("components").getJsonObject("messages").forEach(entry -> {
      JsonObject message = (JsonObject) entry.getValue();
      JsonObject payload = (JsonObject) resolve(message.getJsonObject("payload"));
      String type = payload.getJsonObject("properties").getJsonObject("type").getString("const");
      assertThat(type).as("components/messages/%s: payload.properties.type.const", entry.getKey()).isNotNull();
      Validator validator = Validator.create(JsonSchema.of(payload), new JsonSchemaOptions()
        .setDraft(Draft.DRAFT7).setBaseUri("https://avatar-service.local/asyncapi/")
        .setOutputFormat(OutputFormat.Basic));
      messages.put(entry.getKey(), new Message(entry.getKey(), type, validator));
    });
    document.getJsonObject("channels").forEach(entry -> channels.put(entry.getKey(), channel(entry.getKey())));
  }

  /** The document, parsed once. */
  public static synchronized AsyncApiContract get() {
    if (instance == null) {
      try (InputStream in = AsyncApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        assertThat(in).as(RESOURCE + " on the classpath").isNotNull();
        instance = new AsyncApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** The document's text, as served at /asyncapi.yaml. */
  public String text() {
    return text;
  }

  // ---------------------------------------------------------------- checks

  /** Fails unless the server may send this text on the channel at that address; returns it parsed. */
  public JsonObject assertReceived(String address, String received) {
    JsonObject message = object(received, "the server sent on " + address);
    check(address, Direction.SERVER_TO_CLIENT, message);
    return message;
  }

  /** Fails unless a client may send this message on the channel at that address (before a test sends it). */
  public void assertSendable(String address, JsonObject message) {
    check(address, Direction.CLIENT_TO_SERVER, message);
  }

  /**
   * Fails if the document lets a client send this text on that channel: for what the server
   * refuses (answers with {@code error}), so that the document promises no more than the server takes.
   */
  public void assertNotSendable(String address, String sent) {
    Channel channel = channel(address, Direction.CLIENT_TO_SERVER);
    Object parsed;
    try {
      parsed = Json.decodeValue(sent);
    } catch (DecodeException e) {
      return; // not JSON: no payload schema takes it
    }
    for (Message message : channel.messages().get(Direction.CLIENT_TO_SERVER).values()) {
      assertThat(message.validator().validate(parsed).getValid())
        .as("%s, which the server refuses, conforms to components/messages/%s", sent, message.key()).isFalse();
    }
  }

  /** Fails unless the code and the reason of a close are among the channel's x-close-codes. */
  public void assertClose(String address, int code, String reason) {
    Channel channel = channelAt(address);
    assertThat(channel.closeReasons()).as("x-close-codes of channel %s", channel.key()).containsKey(code);
    assertThat(channel.closeReasons().get(code)).as("reasons of close code %d on %s", code, channel.key()).contains(reason);
    channelsUsed.add(channel.address());
    closesSeen.add(code + " " + reason);
  }

  /** Every example of every message conforms to its own payload schema. */
  public void assertExamplesConform() {
    document.getJsonObject("components").getJsonObject("messages").forEach(entry -> {
      JsonArray examples = ((JsonObject) entry.getValue()).getJsonArray("examples");
      assertThat(examples).as("examples of components/messages/%s", entry.getKey()).isNotEmpty();
      for (Object example : examples) {
        Object payload = ((JsonObject) example).getValue("payload");
        assertThat(problems(messages.get(entry.getKey()), payload))
          .as("example %s of components/messages/%s", ((JsonObject) example).getString("name"), entry.getKey()).isEmpty();
      }
    });
  }

  /**
   * Fails unless every message of the document was seen in each direction the document gives it,
   * every channel was used, and every close reason seen, but for {@code notExercisedHere}
   * ("code reason" of closes that other tests cover and this one cannot reach).
   */
  public void assertEverythingExercised(Set<String> notExercisedHere) {
    Set<String> documented = new TreeSet<>();
    channels.values().forEach(channel -> channel.messages().forEach((direction, byType) ->
      byType.values().forEach(message -> documented.add(direction + " " + message.key()))));
    assertThat(new TreeSet<>(exercised)).as("messages seen, in their direction").containsAll(documented);
    assertThat(new TreeSet<>(channelsUsed)).as("channels used")
      .containsExactlyInAnyOrderElementsOf(channels.values().stream().map(Channel::address).toList());
    Set<String> reasons = new TreeSet<>();
    channels.values().forEach(channel -> channel.closeReasons().forEach((code, texts) ->
      texts.forEach(reason -> reasons.add(code + " " + reason))));
    assertThat(reasons).as("the close reasons not exercised here are documented").containsAll(notExercisedHere);
    reasons.removeAll(notExercisedHere);
    assertThat(new TreeSet<>(closesSeen)).as("close codes and reasons seen").containsAll(reasons);
  }

  private void check(String address, Direction direction, JsonObject message) {
    Channel channel = channel(address, direction);
    Map<String, Message> byType = channel.messages().get(direction);
    String type = message.getValue("type") instanceof String s ? s : null;
    Message documented = byType.get(type);
    if (documented == null) {
      fail("%s %s on %s: type %s is none of the document's %s", direction, message.encode(), address, type,
        byType.keySet());
    }
    assertThat(problems(documented, message))
      .as("%s %s on %s does not conform to components/messages/%s", direction, message.encode(), address,
        documented.key())
      .isEmpty();
    exercised.add(direction + " " + documented.key());
    channelsUsed.add(channel.address());
  }

  private static List<String> problems(Message message, Object payload) {
    OutputUnit result = message.validator().validate(payload);
    List<String> problems = new ArrayList<>();
    if (!Boolean.TRUE.equals(result.getValid())) {
      if (result.getErrors() == null || result.getErrors().isEmpty()) {
        problems.add(result.getError());
      } else {
        result.getErrors().forEach(error -> problems.add(error.getInstanceLocation() + ": " + error.getError()
          + " (" + error.getKeywordLocation() + ")"));
      }
    }
    return problems;
  }

  private static JsonObject object(String text, String what) {
    try {
      if (Json.decodeValue(text) instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      // reported below
    }
    throw new AssertionError(what + " is not a JSON object: " + text);
  }

  private Channel channel(String address, Direction direction) {
    Channel channel = channelAt(address);
    assertThat(channel.messages().get(direction)).as("%s messages of %s", direction, address).isNotEmpty();
    return channel;
  }

  private Channel channelAt(String address) {
    return channels.values().stream().filter(channel -> channel.address().equals(address)).findFirst()
      .orElseThrow(() -> new AssertionError("no channel at " + address + " in " + RESOURCE));
  }

  // ---------------------------------------------------------------- reading the document

  /**
   * A channel's messages by direction, from the operations on it: a {@code send} operation's
   * messages go from client to server, its reply's and a {@code receive} operation's from server to
   * client (the document is written from the client's side).
   */
  private Channel channel(String key) {
    JsonObject channel = document.getJsonObject("channels").getJsonObject(key);
    String self = "#/channels/" + key;
    Map<Direction, Map<String, Message>> byDirection = new LinkedHashMap<>();
    for (Direction direction : Direction.values()) {
      byDirection.put(direction, new LinkedHashMap<>());
    }
    Set<String> used = new LinkedHashSet<>();
    document.getJsonObject("operations").forEach(entry -> {
      JsonObject operation = (JsonObject) entry.getValue();
      if (!self.equals(operation.getJsonObject("channel").getString("$ref"))) {
        return;
      }
      String action = operation.getString("action");
      Direction direction = "send".equals(action) ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
      assertThat(action).as("action of operation %s", entry.getKey()).isIn("send", "receive");
      add(byDirection.get(direction), channel, key, operation.getJsonArray("messages"), used);
      JsonObject reply = operation.getJsonObject("reply");
      if (reply != null) {
        assertThat(reply.getJsonObject("channel").getString("$ref")).as("reply channel of %s", entry.getKey())
          .isEqualTo(self);
        add(byDirection.get(Direction.SERVER_TO_CLIENT), channel, key, reply.getJsonArray("messages"), used);
      }
    });
    assertThat(used).as("messages of channel %s used by an operation", key)
      .containsExactlyInAnyOrderElementsOf(channel.getJsonObject("messages").fieldNames());
    Map<Integer, Set<String>> closeReasons = new LinkedHashMap<>();
    JsonArray codes = channel.getJsonArray("x-close-codes");
    assertThat(codes).as("x-close-codes of channel %s", key).isNotEmpty();
    for (Object code : codes) {
      JsonObject entry = (JsonObject) code;
      Set<String> reasons = new LinkedHashSet<>();
      entry.getJsonArray("reasons").forEach(reason -> reasons.add((String) reason));
      closeReasons.put(entry.getInteger("code"), Collections.unmodifiableSet(reasons));
    }
    return new Channel(key, channel.getString("address"), byDirection, closeReasons);
  }

  private void add(Map<String, Message> byType, JsonObject channel, String channelKey, JsonArray refs, Set<String> used) {
    String prefix = "#/channels/" + channelKey + "/messages/";
    for (Object ref : refs) {
      String pointer = ((JsonObject) ref).getString("$ref");
      assertThat(pointer).as("an operation's message on %s", channelKey).startsWith(prefix);
      String name = pointer.substring(prefix.length());
      used.add(name);
      String component = channel.getJsonObject("messages").getJsonObject(name).getString("$ref");
      Message message = messages.get(component.substring("#/components/messages/".length()));
      assertThat(message).as("%s", component).isNotNull();
      Message previous = byType.put(message.type(), message);
      assertThat(previous == null || previous == message).as("one message of type %s per direction on %s",
        message.type(), channelKey).isTrue();
    }
  }

  /** The value with every local {@code $ref} replaced by what it points at (the document has no cycles). */
  private Object resolve(Object value) {
    if (value instanceof JsonObject object) {
      if (object.containsKey("$ref")) {
        return resolve(pointer(object.getString("$ref")));
      }
      JsonObject copy = new JsonObject();
      object.forEach(entry -> copy.put(entry.getKey(), resolve(entry.getValue())));
      return copy;
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(element -> copy.add(resolve(element)));
      return copy;
    }
    return value;
  }

  private Object pointer(String ref) {
    assertThat(ref).as("a local $ref").startsWith("#/");
    Object at = document;
    for (String part : ref.substring(2).split("/")) {
      at = ((JsonObject) at).getValue(part.replace("~1", "/").replace("~0", "~"));
      assertThat(at).as("%s in %s", ref, RESOURCE).isNotNull();
    }
    return at;
  }
}
