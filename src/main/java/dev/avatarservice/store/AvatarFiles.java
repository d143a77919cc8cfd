package dev.avatarservice.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The avatar folder. Names are made here, never taken from a request: 128 random bits in base64url
 * and {@code .png}, a new one for every file, so a URL always designates the same bytes. A file is
 * written under a temporary name, forced to disk and renamed into place atomically, so a name that
 * exists is always a complete file. Every call is blocking I/O run on a worker, never on the event
 * loop.
 */
final class AvatarFiles {

  private static final Logger LOG = LoggerFactory.getLogger(AvatarFiles.class);

  /** An avatar file name: exactly what {@link #newName()} makes. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{22}\\.png");
  static final String TEMP_SUFFIX = ".tmp";
  private static final Pattern TEMP = Pattern.compile("[A-Za-z0-9_-]{22}\\.png\\.tmp");
  private static final int NAME_BYTES = 16;

  private final Vertx vertx;
  private final Path dir;
  private final SecureRandom random;

  AvatarFiles(Vertx vertx, Path dir, SecureRandom random) {
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath().normalize();
    this.random = random;
  }

  Path dir() {
    return dir;
  }

  /** Creates the folder if it is missing. */
  Future<Void> prepare() {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(dir);
      return null;
    }, false);
  }

  /** Writes a new file durably and answers its name; nothing is left behind if that fails. */
  Future<String> write(byte[] png) {
    return vertx.executeBlocking(() -> writeBlocking(png), false);
  }

  /**
   * Deletes a file if it is there; a failure is logged, since the sweep removes it later (at the
   * next start, or by the periodic sweep once it is old enough).
   */
  Future<Void> delete(String name) {
    return remove(name).recover(error -> {
      // Not the message: it names the file, whose name is a capability.
      LOG.warn("Could not delete a replaced avatar file (the sweep removes it later): {}", error.getClass().getName());
      return Future.succeededFuture();
    });
  }

  /**
   * Deletes a file if it is there, and fails when it cannot: for callers that must not go on while
   * the file still exists. A missing file (or a null name) is success.
   */
  Future<Void> remove(String name) {
    if (name == null) {
      return Future.succeededFuture();
    }
    if (!NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException("not an avatar file name"));
    }
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(dir.resolve(name));
      return null;
    }, false);
  }

  /**
   * Removes the avatar files not in {@code keep} and the leftover temporary files, of those last
   * modified before {@code modifiedBefore} (epoch milliseconds); anything else in the folder (files
   * of other programs, links, folders) is left alone. Answers how many files went.
   * <p>
   * {@code keep} must be read from the database before the folder is listed, and a file written
   * after that read is not in it: at start, before any write can begin, sweep everything
   * ({@link Long#MAX_VALUE}); while requests run, only files older than any write can take to be
   * committed, so that the new file of an upload in progress is never taken for an orphan.
   */
  Future<Integer> sweep(Set<String> keep, long modifiedBefore) {
    return vertx.executeBlocking(() -> {
      int removed = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString();
          boolean orphan = NAME.matcher(name).matches() && !keep.contains(name);
          if (orphan || TEMP.matcher(name).matches()) {
            BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isRegularFile() && attributes.lastModifiedTime().toMillis() < modifiedBefore
              && Files.deleteIfExists(entry)) {
              removed++;
            }
          }
        }
      }
      return removed;
    }, false);
  }

  private String writeBlocking(byte[] png) throws IOException {
    String name = newName();
    Path temp = dir.resolve(name + TEMP_SUFFIX);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(png);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    syncFolder();
    return name;
  }

  /** Makes the rename itself durable where the platform allows forcing a folder (POSIX does). */
  private void syncFolder() {
    try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
      folder.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot force the avatar folder to disk: {}", e.toString());
    }
  }

  private String newName() {
    byte[] bytes = new byte[NAME_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + ".png";
  }
}
