package dev.avatarservice.http;


import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;

/**
 * {@code GET /avatars/{file}}: serves avatar files from the avatar folder, and nothing else. The
 * name must be exactly what the store makes (22 base64url characters and {@code .png}), checked
 * before it is joined to the folder, so no name can reach out of it (no separators, no dots but the
 * extension, no temporary or other files), and must be the whole rest of the path (no trailing
 * slash); the file must be a regular file, links are not followed.
 * Anything else is 404. Files are opened on a worker and sent with zero copy where the platform can.
 *
 * <p>A name never designates other bytes (every upload makes a new one), so the name is a strong
 * ETag and the response may be cached for a year as immutable.
 */
final class AvatarFileHandler implements Handler<RoutingContext> {

  /** The store's avatar file names; the OpenAPI pattern {@code ^[A-Za-z0-9_-]+\.png$} is wider. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{22}\\.png");
  static final String PREFIX = "/avatars/";
  static final String CACHE_CONTROL = "public, max-age=31536000, immutable";
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

  private final Vertx vertx;
  private final Path dir;

  AvatarFileHandler(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath().normalize();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    if (name == null || !NAME.matcher(name).matches() || !ctx.normalizedPath().equals(PREFIX + name)) {
      ctx.fail(404);
      return;
    }
    String etag = "\"" + name.substring(0, name.length() - ".png".length()) + "\"";
    Path file = dir.resolve(name);
    vertx.executeBlocking(() -> open(file), false).onComplete(opened -> {
      if (opened.failed() || opened.result() == null) {
        ctx.fail(404);
        return;
      }
      OpenFile open = opened.result();
      HttpServerResponse response = ctx.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
        .putHeader(HttpHeaders.ETAG, etag);
      if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
        open.close();
        response.setStatusCode(304).end();
        return;
      }
      response
        .putHeader(HttpHeaders.CONTENT_TYPE, "image/png")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      if (AllowedMethods.isHead(ctx)) {
        open.close();
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(open.size())).end();
        return;
      }
      try {
        response.sendFile(open.channel(), 0, open.size()).onComplete(sent -> open.close());
      } catch (RuntimeException e) {
        open.close();
        ctx.fail(e);
      }
    });
  }

  /** The file opened for reading, or null when there is no regular file by that name. */
  private static OpenFile open(Path file) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!attributes.isRegularFile()) {
      return null;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null; // deleted meanwhile
    }
    try {
      return new OpenFile(channel, channel.size());
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** {@code If-None-Match}: a list of entity tags (weak ones compare equal too, RFC 9110 §13.1.2), or *. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private record OpenFile(FileChannel channel, long size) {
    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing was written through it
      }
    }
  }
}
