package dev.avatarservice.http.realtime;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events published on the node's bus reach every socket of their user, whatever its transport and
 * whichever HTTP verticle instance (event loop) holds it, and no other socket.
 */
class FanOutTest {

  private static TestNode node;
  private static Vertx clientVertx;
  private static WebSocketClient client;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  /** A user and its sockets: two with the header, one by first message on the alias, one SockJS. */
  private record User(String id, List<TestSocket> sockets) {
    static User connect(String identifier) {
      JsonObject tokens = node.api().register(identifier);
      String token = tokens.getString("accessToken");
      TestSocket header1 = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token));
      TestSocket header2 = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token));
      header1.next("ready");
      header2.next("ready");
      TestSocket alias = TestSocket.open(client, node.port(), "/ws/avatar");
      alias.authenticate(token);
      TestSocket sockJs = TestSocket.open(client, node.port(),
        "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");
      sockJs.authenticate(token);
      return new User(tokens.getJsonObject("user").getString("id"), List.of(header1, header2, alias, sockJs));
    }

    void receive(JsonObject event) {
      for (TestSocket socket : sockets) {
        assertThat(socket.next()).isEqualTo(event);
      }
    }

    void receiveNothing() {
      sockets.forEach(TestSocket::assertNothingElseArrived);
    }
  }

  private static void publish(String address, JsonObject event) {
    node.vertx().eventBus().publish(address, event);
  }

  /**
   * Each consumer receives the events in the order they were published, so a user's sockets
   * receiving exactly their own events, in order, proves that no one else's came in between.
   */
  @Test
  void eventsReachEverySocketOfTheirUserAndNoOther() {
    User alice = User.connect("fanout-alice");
    User bob = User.connect("fanout-bob");
    TestSocket anonymous = TestSocket.open(client, node.port(), "/ws");

    JsonObject aliceChanged = Events.avatarChanged(alice.id(), node.baseUrl() + "/avatars/alice.png", Instant.now());
    JsonObject bobRemoved = Events.avatarRemoved(bob.id(), Instant.now());
    JsonObject strangerChanged = Events.avatarChanged(UUID.randomUUID().toString(), "http://x/a.png", Instant.now());
    JsonObject aliceRemoved = Events.avatarRemoved(alice.id(), Instant.now());
    JsonObject bobChanged = Events.avatarChanged(bob.id(), node.baseUrl() + "/avatars/bob.png", Instant.now());
    publish(EventAddress.AVATAR_CHANGED, aliceChanged);
    publish(EventAddress.AVATAR_REMOVED, bobRemoved);
    publish(EventAddress.AVATAR_CHANGED, strangerChanged);
    publish(EventAddress.AVATAR_REMOVED, aliceRemoved);
    publish(EventAddress.AVATAR_CHANGED, bobChanged);

    alice.receive(aliceChanged);
    alice.receive(aliceRemoved);
    bob.receive(bobRemoved);
    bob.receive(bobChanged);
    alice.receiveNothing();
    bob.receiveNothing();
    anonymous.send(new JsonObject().put("type", "ping"));
    assertThat(anonymous.next("error").getString("message")).startsWith("authenticate first");

    alice.sockets().forEach(TestSocket::close);
    bob.sockets().forEach(TestSocket::close);
    anonymous.close();
  }

  @Test
  void userDeletedIsFollowedBy4410OnEverySocketOfThatUserOnly() {
    User carol = User.connect("fanout-carol");
    User dave = User.connect("fanout-dave");

    publish(EventAddress.USER_DELETED, Events.userDeleted(carol.id()));
    JsonObject daveRemoved = Events.avatarRemoved(dave.id(), Instant.now());
    publish(EventAddress.AVATAR_REMOVED, daveRemoved);
    for (TestSocket socket : carol.sockets()) {
      assertThat(socket.next()).isEqualTo(Events.userDeleted(carol.id()));
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).isEqualTo(4410);
      assertThat(closed.reason()).isEqualTo("account deleted");
    }
    dave.receive(daveRemoved);
    dave.receiveNothing();
    assertThat(dave.sockets()).noneMatch(TestSocket::isClosed);
    dave.sockets().forEach(TestSocket::close);
  }

  @Test
  void closedSocketsLeaveTheRegistry() {
    int before = RealtimeMetrics.openSockets(node.vertx());
    JsonObject erin = node.api().register("fanout-erin");
    TestSocket authenticated = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN,
      bearer(erin.getString("accessToken")));
    authenticated.next("ready");
    TestSocket anonymous = TestSocket.open(client, node.port(), "/ws");
    TestSocket sockJs = TestSocket.open(client, node.port(),
      "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");
    TestSocket.awaitCondition("3 more open sockets", () -> RealtimeMetrics.openSockets(node.vertx()) == before + 3);

    authenticated.close();
    anonymous.close();
    sockJs.close();
    TestSocket.awaitCondition("sockets closed", () -> RealtimeMetrics.openSockets(node.vertx()) == before);

    // The closed sockets are gone from the user's entry too: its events reach the new socket only.
    TestSocket again = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN,
      bearer(erin.getString("accessToken")));
    again.next("ready");
    String erinId = erin.getJsonObject("user").getString("id");
    publish(EventAddress.AVATAR_REMOVED, Events.avatarRemoved(erinId, Instant.now()));
    assertThat(again.next().getString("type")).isEqualTo("avatar.removed");
    again.close();
  }

  @Test
  void aSocketCannotListenToAnotherUser() {
    JsonObject frank = node.api().register("fanout-frank");
    JsonObject gina = node.api().register("fanout-gina");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN,
      Map.of("token", frank.getString("accessToken")));
    socket.next("ready");

    String ginaId = gina.getJsonObject("user").getString("id");
    publish(EventAddress.AVATAR_CHANGED, Events.avatarChanged(ginaId, "http://x/g.png", Instant.now()));
    socket.assertNothingElseArrived();
    socket.close();
  }
}
