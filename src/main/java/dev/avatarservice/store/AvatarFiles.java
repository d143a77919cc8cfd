package dev.avatarservice.store;

import dev.avatarservice.bus.AvatarNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The avatar folder. Names are made here, never taken from a request: 128 random bits in base64url
 * and the format's extension, a new one for every upload, so a URL always designates the same bytes
 * (see {@link AvatarNames}). An avatar and its variants are written under temporary names, each
 * forced to disk, then renamed into place atomically, so a name that exists is always a complete
 * file; the row that makes them reachable is pointed at them only after all of them are in place
 * ({@link Avatars}). Every call is blocking I/O run on a worker, never on the event loop.
 */
final class AvatarFiles implements AvatarStorage {

  private static final Logger LOG = LoggerFactory.getLogger(AvatarFiles.class);
  private static final int NAME_BYTES = 16;
  /** Files larger than this are not avatars of ours (a 512-pixel PNG is far smaller). */
  private static final long MAX_FILE_BYTES = 16L << 20;

  private final Vertx vertx;
  private final Path dir;
  private final SecureRandom random;
  /** The variant sizes this node renders, ascending. */
  private final List<Integer> sizes;

  AvatarFiles(Vertx vertx, Path dir, SecureRandom random, List<Integer> sizes) {
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath().normalize();
    this.random = random;
    this.sizes = List.copyOf(sizes);
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

  /**
   * Writes an avatar and its variants durably and answers the avatar's name; nothing is left behind
   * if that fails.
   *
   * @param extension {@code jpg} or {@code png}
   */
  Future<String> write(String extension, byte[] image, Map<Integer, byte[]> variants) {
    return vertx.executeBlocking(() -> writeBlocking(extension, image, variants), false);
  }

  /**
   * Deletes an avatar and its variants if they are there; a failure is logged, since the sweep
   * removes them later (at the next start, or by the periodic sweep once they are old enough).
   */
  Future<Void> delete(String name) {
    return remove(name).recover(error -> {
      // Not the message: it names the file, whose name is a capability.
      LOG.warn("Could not delete a replaced avatar file (the sweep removes it later): {}", error.getClass().getName());
      return Future.succeededFuture();
    });
  }

  /**
   * Deletes an avatar and its variants if they are there, and fails when it cannot: for callers that
   * must not go on while a file still exists. The variants go first and the avatar last, so that a
   * failure leaves the avatar, by which a retry finds the rest. Missing files (or a null name) are
   * success.
   */
  Future<Void> remove(String name) {
    if (name == null) {
      return Future.succeededFuture();
    }
    if (!AvatarNames.isAvatar(name)) {
      return Future.failedFuture(new IllegalArgumentException("not an avatar file name"));
    }
    return vertx.executeBlocking(() -> {
      for (int size : sizes) {
        Files.deleteIfExists(dir.resolve(AvatarNames.variant(name, size)));
      }
      Files.deleteIfExists(dir.resolve(name));
      return null;
    }, false);
  }

  /** The file names of an avatar: the avatar, then each variant this node renders. */
  List<String> filesOf(String name) {
    List<String> names = new ArrayList<>();
    names.add(name);
    for (int size : sizes) {
      names.add(AvatarNames.variant(name, size));
    }
    return names;
  }

  /**
   * The bytes of the smallest variant of {@code name} that fits {@code size} or more (the avatar
   * itself when no variant is that large, or for size 0), with the file name they came from; empty
   * when the avatar is not there. Only regular files, links are not followed.
   */
  Future<Optional<Map.Entry<String, byte[]>>> read(String name, int size) {
    if (!AvatarNames.isAvatar(name)) {
      return Future.succeededFuture(Optional.empty());
    }
    List<String> candidates = new ArrayList<>();
    if (size > 0) {
      for (int variant : sizes) {
        if (variant >= size) {
          candidates.add(AvatarNames.variant(name, variant));
        }
      }
    }
    candidates.add(name);
    return vertx.executeBlocking(() -> {
      for (String candidate : candidates) {
        byte[] bytes = readRegularFile(dir.resolve(candidate));
        if (bytes != null) {
          return Optional.of(Map.entry(candidate, bytes));
        }
      }
      return Optional.empty();
    }, false);
  }

  /**
   * Removes the files of avatars not in {@code keep} (variants included) and the leftover temporary
   * files, of those last modified before {@code modifiedBefore} (epoch milliseconds); anything else
   * in the folder (files of other programs, links, folders) is left alone. Answers how many files went.
   * <p>
   * {@code keep} must be read from the database before the folder is listed, and a file written
   * after that read is not in it: at start, before any write can begin, sweep everything
   * ({@link Long#MAX_VALUE}); while requests run, only files older than any write can take to be
   * committed, so that the new files of an upload in progress are never taken for orphans.
   */
  Future<Integer> sweep(Set<String> keep, long modifiedBefore) {
    return vertx.executeBlocking(() -> {
      int removed = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString();
          Optional<String> owner = AvatarNames.owner(name);
          boolean orphan = owner.isPresent() && !keep.contains(owner.get());
          if (orphan || AvatarNames.isTemporary(name)) {
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

  // AvatarStorage: the files are written before the transaction and deleted after it

  @Override
  public Future<Integer> prepare(Supplier<Future<Set<String>>> namesInUse) {
    return prepare().compose(created -> sweep(namesInUse, Long.MAX_VALUE));
  }

  @Override
  public Future<Integer> sweep(Supplier<Future<Set<String>>> namesInUse, long modifiedBefore) {
    return namesInUse.get().compose(names -> sweep(names, modifiedBefore));
  }

  @Override
  public Future<String> stage(String extension, byte[] image, Map<Integer, byte[]> variants) {
    return write(extension, image, variants);
  }

  @Override
  public Future<Void> attach(SqlClient tx, String name, byte[] image, Map<Integer, byte[]> variants) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> discard(String name) {
    return delete(name);
  }

  @Override
  public Future<Void> detach(SqlClient tx, String name) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> release(String name) {
    return delete(name);
  }

  @Override
  public Future<Void> removeBefore(String name) {
    return remove(name);
  }

  @Override
  public Future<Optional<Map.Entry<String, byte[]>>> read(SqlClient client, String name, int size) {
    return read(name, size);
  }

  private String writeBlocking(String extension, byte[] image, Map<Integer, byte[]> variants) throws IOException {
    String name = newName(random, extension);
    Map<String, byte[]> files = new LinkedHashMap<>();
    variants.forEach((size, bytes) -> files.put(AvatarNames.variant(name, size), bytes));
    files.put(name, image); // renamed last: once the avatar exists, so do its variants
    List<Path> written = new ArrayList<>();
    try {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path temp = dir.resolve(file.getKey() + AvatarNames.TEMP_SUFFIX);
        written.add(temp);
        writeDurably(temp, file.getValue());
      }
      for (String file : files.keySet()) {
        Path target = dir.resolve(file);
        written.add(target);
        Files.move(dir.resolve(file + AvatarNames.TEMP_SUFFIX), target, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException | RuntimeException e) {
      for (Path path : written) {
        Files.deleteIfExists(path);
      }
      throw e;
    }
    syncFolder();
    return name;
  }

  private static void writeDurably(Path temp, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  /** The file's bytes, or null when there is no regular file by that name. */
  private static byte[] readRegularFile(Path file) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!attributes.isRegularFile() || attributes.size() > MAX_FILE_BYTES) {
      return null;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > MAX_FILE_BYTES) {
        return null;
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // until full or end of file
      }
      return buffer.hasRemaining() ? java.util.Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
    } catch (NoSuchFileException e) {
      return null; // deleted meanwhile
    }
  }

  /** Makes the renames themselves durable where the platform allows forcing a folder (POSIX does). */
  private void syncFolder() {
    try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
      folder.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot force the avatar folder to disk: {}", e.toString());
    }
  }

  /** A new avatar name: 128 random bits in base64url and the format's extension. */
  static String newName(SecureRandom random, String extension) {
    byte[] bytes = new byte[NAME_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "." + extension;
  }
}
