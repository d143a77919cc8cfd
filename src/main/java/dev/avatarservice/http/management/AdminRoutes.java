package dev.avatarservice.http.management;

import dev.avatarservice.account.Identifiers;
import dev.avatarservice.account.SessionEnds;
import dev.avatarservice.account.UserDeletion;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.ManagementSettings;
import dev.avatarservice.http.ApiException;
import dev.avatarservice.http.BearerToken;
import dev.avatarservice.http.JSend;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * The admin API, on the management listener only, for a holder of {@code ADMIN_TOKEN}
 * ({@code Authorization: Bearer <ADMIN_TOKEN>}). JSend like the public API:
 * <ul>
 *   <li>{@code GET /admin/users?q=&limit=&after=}: a page of USER by identifier prefix, keyset-paged;</li>
 *   <li>{@code GET /admin/users/{id}}: one USER;</li>
 *   <li>{@code DELETE /admin/users/{id}}: exactly the user's own deletion ({@link UserDeletion}: avatar
 *   files, tokens, sockets on every node), 200 or 202 like {@code DELETE /api/user};</li>
 *   <li>{@code DELETE /admin/users/{id}/sessions}: log out everywhere (every session ended);</li>
 *   <li>{@code POST /admin/backup}: a consistent copy of the database and avatars into BACKUP_DIR.</li>
 * </ul>
 */
final class AdminRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
  private static final Pattern USER_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9_-]{1,2048}");
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;
  private static final int MAX_QUERY = 254;
  /** A backup holds the store's connection while it copies; a large one may take minutes. */
  private static final long BACKUP_TIMEOUT_MS = 600_000;

  private final byte[] tokenDigest;
  private final String backupDir;
  private final StoreClient store;
  private final UserDeletion deletion;
  private final SessionEnds sessionEnds;

  AdminRoutes(ManagementSettings settings, StoreClient store, UserDeletion deletion, SessionEnds sessionEnds) {
    this.tokenDigest = sha256(settings.adminToken());
    this.backupDir = settings.backupDir();
    this.store = store;
    this.deletion = deletion;
    this.sessionEnds = sessionEnds;
  }

  void mount(Router router) {
    router.route("/admin/*").handler(this::authenticate);
    router.get("/admin/users").handler(this::list);
    router.get("/admin/users/:id").handler(this::show);
    router.delete("/admin/users/:id").handler(this::delete);
    router.delete("/admin/users/:id/sessions").handler(this::logout);
    router.post("/admin/backup").handler(this::backup);
  }

  /**
   * Compares digests of equal length with {@link MessageDigest#isEqual}, which takes the same time
   * wherever the first difference is: neither the token's bytes nor its length leak through timing.
   */
  private void authenticate(RoutingContext ctx) {
    String presented = BearerToken.of(ctx.request().getHeader("Authorization"));
    if (!MessageDigest.isEqual(tokenDigest, sha256(presented.getBytes(StandardCharsets.UTF_8)))) {
      throw ApiException.unauthorized("invalid_token", "the admin token is not valid");
    }
    ctx.next();
  }

  private void list(RoutingContext ctx) {
    String query = ctx.request().getParam("q", "");
    String limitText = ctx.request().getParam("limit");
    String after = ctx.request().getParam("after");
    JsonObject invalid = new JsonObject();
    if (query.length() > MAX_QUERY) {
      invalid.put("q", "at most " + MAX_QUERY + " characters");
    }
    int limit = DEFAULT_LIMIT;
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        invalid.put("limit", "a whole number from 1 to " + MAX_LIMIT);
      }
    }
    if (after != null && !CURSOR.matcher(after).matches()) {
      invalid.put("after", "the next value of a previous page");
    }
    if (!invalid.isEmpty()) {
      throw ApiException.fields(invalid);
    }
    store.listUsers(Identifiers.searchPrefix(query), limit, after)
      .onSuccess(page -> JSend.success(ctx, 200, new JsonObject()
        .put("users", page.getJsonArray(Field.USERS)).put("next", page.getString(Field.NEXT))))
      .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    String id = userId(ctx);
    store.user(id)
      .compose(this::describe)
      .onSuccess(user -> JSend.success(ctx, 200, user))
      .onFailure(error -> ctx.fail(notFoundIfGone(error)));
  }

  /** What an operator sees of an account: its USER and its sessions, newest first. */
  private Future<JsonObject> describe(JsonObject user) {
    return store.sessions(user.getString(Field.ID)).map(reply -> {
      JsonArray sessions = reply.getJsonArray(Field.SESSIONS);
      // an operator holds none of them
      sessions.forEach(session -> ((JsonObject) session).put(Field.CURRENT, false));
      return user.copy().put(Field.SESSIONS, sessions);
    });
  }

  private void delete(RoutingContext ctx) {
    String id = userId(ctx);
    deletion.delete(id)
      .onSuccess(confirmed -> {
        LOG.info("Account deleted by an administrator{}", confirmed ? "" : " (not every node confirmed in time: 202)");
        JSend.success(ctx, confirmed ? 200 : 202, null);
      })
      .onFailure(error -> ctx.fail(notFoundIfGone(error)));
  }

  /**
   * Log out everywhere, exactly as the user's own "log out everywhere": every session ends, its
   * refresh and access tokens are refused at once on every node and its sockets are closed with 4401;
   * 200 once every node confirmed, 202 when one did not in time.
   */
  private void logout(RoutingContext ctx) {
    String id = userId(ctx);
    store.user(id)
      .compose(user -> store.endSessions(id, null))
      .compose(ended -> sessionEnds.announce(ended).map(confirmed -> {
        int count = ended.getJsonArray(Field.SESSION_IDS, new JsonArray()).size();
        LOG.info("An administrator logged an account out everywhere: {} sessions ended{}", count,
          confirmed ? "" : " (not every node confirmed in time: 202)");
        return new Ended(count, confirmed);
      }))
      .onSuccess(ended -> JSend.success(ctx, ended.confirmed() ? 200 : 202,
        new JsonObject().put("endedSessions", ended.count())))
      .onFailure(error -> ctx.fail(notFoundIfGone(error)));
  }

  private record Ended(int count, boolean confirmed) {
  }

  private void backup(RoutingContext ctx) {
    store.backup(backupDir, BACKUP_TIMEOUT_MS)
      .onSuccess(written -> JSend.success(ctx, 200, written))
      .onFailure(ctx::fail);
  }

  /** The id of the path; one that cannot be an account's is a 404 at once, without asking the store. */
  private static String userId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !USER_ID.matcher(id).matches()) {
      throw userNotFound();
    }
    return id;
  }

  /** For the admin, an account that does not exist is a missing resource (the public API says 401). */
  private static Throwable notFoundIfGone(Throwable error) {
    return Failure.of(error).filter(Failure.USER_NOT_FOUND::equals).isPresent() ? userNotFound() : error;
  }

  private static ApiException userNotFound() {
    return ApiException.fail(404, "user_not_found", "no account has this id");
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
