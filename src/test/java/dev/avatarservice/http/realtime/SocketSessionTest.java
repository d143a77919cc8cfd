package dev.avatarservice.http.realtime;

import dev.avatarservice.account.AccessTokens.VerifiedToken;
import dev.avatarservice.bus.Events;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The session state machine over a fake transport: what no real client can easily provoke. */
class SocketSessionTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** A transport that records what the session does with it. */
  private static final class FakeSocket implements RealtimeSocket {
    final List<String> sent = new ArrayList<>();
    boolean full;
    int closeCode;
    String closeReason;

    @Override
    public void attach(SocketSession session) {
    }

    @Override
    public void send(String message) {
      sent.add(message);
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public Future<Void> close(int code, String reason) {
      closeCode = code;
      closeReason = reason;
      return Future.succeededFuture();
    }

    @Override
    public boolean keepAlive() {
      return true;
    }
  }

  private static SocketSession.Services services(SocketRegistry registry) {
    return new SocketSession.Services(vertx, null, null, registry, new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), null),
      Settings.parse(ConfigLoader.bundledDefaults()).realtime(), new SocketLimits(20, 200));
  }

  private static SocketSession authenticated(FakeSocket socket, SocketRegistry registry, String userId) {
    SocketSession session = new SocketSession(socket, services(registry));
    long inAnHour = System.currentTimeMillis() / 1000 + 3600;
    session.start(null, new VerifiedToken(userId, UUID.randomUUID().toString(), inAnHour),
      new JsonObject().put("id", userId).putNull("avatarUrl"), null, registry.now());
    assertThat(new JsonObject(socket.sent.get(0)).getString("type")).isEqualTo("ready");
    return session;
  }

  @Test
  void aClientThatDoesNotReadIsClosedWith1013InsteadOfBuffering() {
    SocketRegistry registry = new SocketRegistry(new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), null));
    String userId = UUID.randomUUID().toString();
    FakeSocket socket = new FakeSocket();
    SocketSession session = authenticated(socket, registry, userId);

    socket.full = true;
    session.deliver("{\"type\":\"avatar.removed\"}", "avatar.removed");

    assertThat(socket.sent).hasSize(1);
    assertThat(socket.closeCode).isEqualTo(1013);
    assertThat(socket.closeReason).isEqualTo("client too slow");
    assertThat(registry.size()).isZero();
    assertThat(registry.sessionsOf(userId)).isEmpty();
  }

  @Test
  void aDeletedAccountGetsUserDeletedThen4410EvenWhenTheClientReadsSlowly() {
    SocketRegistry registry = new SocketRegistry(new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), null));
    String userId = UUID.randomUUID().toString();
    FakeSocket socket = new FakeSocket();
    SocketSession session = authenticated(socket, registry, userId);

    socket.full = true;
    String event = Events.userDeleted(userId).encode();
    assertThat(session.accountDeleted(event).succeeded()).isTrue();

    assertThat(socket.sent).containsExactly(socket.sent.get(0), event);
    assertThat(socket.closeCode).isEqualTo(4410);
    assertThat(socket.closeReason).isEqualTo("account deleted");
    assertThat(registry.sessionsOf(userId)).isEmpty();
  }

  /**
   * The store said "the account exists" just before the deletion committed, and the answer came
   * after the deletion went through this registry: the socket closes as deleted instead of
   * outliving its account.
   */
  @Test
  void anAuthenticationThatCrossesTheDeletionOfItsAccountEndsWith4410() {
    long[] now = {1_000};
    SocketRegistry registry = new SocketRegistry(new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), null),
      10_000, () -> now[0]);
    String userId = UUID.randomUUID().toString();
    registry.userDeleted(userId);

    FakeSocket socket = new FakeSocket();
    SocketSession session = new SocketSession(socket, services(registry));
    session.start(null, new VerifiedToken(userId, UUID.randomUUID().toString(), System.currentTimeMillis() / 1000 + 3600),
      new JsonObject().put("id", userId).putNull("avatarUrl"), null, now[0]);

    assertThat(socket.sent).containsExactly(Events.userDeleted(userId).encode());
    assertThat(socket.closeCode).isEqualTo(4410);
    assertThat(registry.size()).isZero();
    assertThat(registry.sessionsOf(userId)).isEmpty();

    // remembered for the retention only
    now[0] += 10_000;
    assertThat(registry.recentlyDeleted(userId)).isFalse();
    FakeSocket later = new FakeSocket();
    authenticated(later, registry, userId);
    assertThat(later.closeCode).isZero();
  }

  /**
   * The store read the account (no avatar yet) while the user's avatar changed, and the event was
   * delivered here before the socket registered: the socket gets it right after its ready. A
   * change older than the store's answer is not sent again.
   */
  @Test
  void anAvatarChangeThatCrossesTheAuthenticationIsDeliveredAfterReady() {
    long[] now = {1_000};
    SocketRegistry registry = new SocketRegistry(new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), null),
      10_000, () -> now[0]);
    String userId = UUID.randomUUID().toString();
    String event = new JsonObject().put("type", "avatar.changed").put("userId", userId)
      .put("avatarUrl", "http://localhost/avatars/a.png").put("changedAt", "2026-12-05T18:00:00Z").encode();
    long inAnHour = System.currentTimeMillis() / 1000 + 3600;
    JsonObject before = new JsonObject().put("id", userId).putNull("avatarUrl");

    long asked = registry.now();
    now[0] += 5;
    registry.avatarEvent(userId, event, "avatar.changed");
    FakeSocket crossed = new FakeSocket();
    new SocketSession(crossed, services(registry)).start(null, new VerifiedToken(userId, UUID.randomUUID().toString(), inAnHour),
      before, null, asked);
    assertThat(crossed.sent).hasSize(2);
    assertThat(new JsonObject(crossed.sent.get(0)).getString("type")).isEqualTo("ready");
    assertThat(crossed.sent.get(1)).isEqualTo(event);

    now[0] += 5;
    FakeSocket later = new FakeSocket();
    new SocketSession(later, services(registry)).start(null, new VerifiedToken(userId, UUID.randomUUID().toString(), inAnHour),
      new JsonObject().put("id", userId).put("avatarUrl", "http://localhost/avatars/a.png"), null, registry.now());
    assertThat(later.sent).hasSize(1);
  }

  @Test
  void aClosedSessionTakesNothingMore() {
    SocketRegistry registry = new SocketRegistry(new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), null));
    FakeSocket socket = new FakeSocket();
    SocketSession session = authenticated(socket, registry, UUID.randomUUID().toString());

    session.closed();
    session.deliver("{\"type\":\"avatar.removed\"}", "avatar.removed");
    session.text("{\"type\":\"ping\"}");
    session.binary();

    assertThat(socket.sent).hasSize(1);
    assertThat(socket.closeCode).isZero();
    assertThat(registry.size()).isZero();
  }
}
