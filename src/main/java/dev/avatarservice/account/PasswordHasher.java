package dev.avatarservice.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (BouncyCastle), stored in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (base64, standard alphabet, no padding).
 *
 * <p>Every method is CPU- and memory-heavy by design (except {@link #needsRehash}): call them on a
 * worker thread, never on an event loop. Instances are immutable and thread-safe.
 *
 * <p>Passwords are NFKC-normalised here too (NFKC is idempotent, so a password already returned by
 * {@link PasswordPolicy#normalize} is unchanged), then encoded as UTF-8. The byte arrays holding
 * the encoded password and the computed hashes are zeroed after use; the {@code String}s they come
 * from cannot be, which is a limit of the JVM.
 *
 * <p>Argon2's memory (19 MiB at the defaults, as 19,456 blocks of 1 KiB) is kept per thread and
 * reused by that thread's next hash with the current settings, instead of being allocated afresh:
 * a login flood would otherwise turn 19 MiB of garbage per hash into frequent collections, promote
 * the blocks of the hash in progress to the old generation, and stop every event loop for full
 * collections (measured: 207 GC pauses in a login flood before, 3 after). BouncyCastle zeroes
 * each block before it returns to the pool. A thread that has hashed keeps that memory: hashing
 * runs on the bounded pool of HASH_THREADS.
 */
public final class PasswordHasher {

  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;

  /** Bounds accepted when reading a stored hash (PHC/Argon2 minimums; upper bounds are sanity). */
  private static final int MIN_SALT_BYTES = 8;
  private static final int MAX_SALT_BYTES = 64;
  private static final int MIN_HASH_BYTES = 16;
  private static final int MAX_HASH_BYTES = 64;

  private static final String NUMBER = "([1-9][0-9]{0,9})";
  private static final String B64 = "([A-Za-z0-9+/]+)";
  /** Only what this class writes: argon2id, version 19, m/t/p in that order, no keyid or data. */
  private static final Pattern PHC = Pattern.compile(
      "\\$argon2id\\$v=" + NUMBER + "\\$m=" + NUMBER + ",t=" + NUMBER + ",p=" + NUMBER
          + "\\$" + B64 + "\\$" + B64);

  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  /** Per thread, the Argon2 blocks of its last hash with the current settings, for the next one. */
  private static final ThreadLocal<ReusedBlocks> BLOCKS = new ThreadLocal<>();

  private final Argon2Settings settings;
  private final int settingsBlocks;
  private final SecureRandom random;
  /** A well-formed stored hash with the current settings that no password matches in practice. */
  private final String dummyPhc;

  public PasswordHasher(Argon2Settings settings) {
    this(settings, new SecureRandom());
  }

  PasswordHasher(Argon2Settings settings, SecureRandom random) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.random = Objects.requireNonNull(random, "random");
    this.settingsBlocks = Argon2BytesGenerator.getBlockCount(settings.memoryKiB(), settings.parallelism());
    // Random salt and random "hash": no work at start-up, and verifying against it costs exactly
    // what verifying against a real stored hash with the current settings costs.
    this.dummyPhc = encode(settings, randomBytes(SALT_BYTES), randomBytes(HASH_BYTES));
  }

  public Argon2Settings settings() {
    return settings;
  }

  /**
   * Hashes a password with a fresh 16-byte random salt and the current settings.
   *
   * @return the PHC string, e.g. {@code $argon2id$v=19$m=19456,t=2,p=1$<22 chars>$<43 chars>}
   * @throws IllegalArgumentException if the password contains an unpaired surrogate (no UTF-8
   *     form); {@link PasswordPolicy#normalize} refuses those first. The message does not contain
   *     the password.
   */
  public String hash(String password) {
    byte[] passwordBytes = encodePassword(password);
    if (passwordBytes == null) {
      throw new IllegalArgumentException("password is not valid Unicode text");
    }
    byte[] salt = randomBytes(SALT_BYTES);
    byte[] hash = argon2(passwordBytes, salt, settings.memoryKiB(), settings.iterations(),
        settings.parallelism(), HASH_BYTES, blockPool(settings.memoryKiB(), settings.parallelism()));
    try {
      return encode(settings, salt, hash);
    } finally {
      Arrays.fill(hash, (byte) 0);
    }
  }

  /**
   * Checks a password against a stored PHC string, using the parameters stored in it (so that
   * hashes made with older settings keep working; see {@link #needsRehash}).
   *
   * @return {@code true} only if the password matches; {@code false} on a mismatch, and also on a
   *     stored string that is not a well-formed argon2id v=19 PHC string within sane bounds, or a
   *     password with no UTF-8 form. Never throws for bad stored data, and never says why.
   */
  public boolean verify(String password, String phc) {
    Objects.requireNonNull(password, "password");
    Stored stored = parse(phc);
    if (stored == null) {
      return false;
    }
    byte[] passwordBytes = encodePassword(password);
    if (passwordBytes == null) {
      return false;
    }
    byte[] actual = argon2(passwordBytes, stored.salt, stored.memoryKiB, stored.iterations,
        stored.parallelism, stored.hash.length, blockPool(stored.memoryKiB, stored.parallelism));
    try {
      return MessageDigest.isEqual(actual, stored.hash);
    } finally {
      Arrays.fill(actual, (byte) 0);
      Arrays.fill(stored.hash, (byte) 0);
    }
  }

  /**
   * Whether a stored hash should be replaced (after a successful {@link #verify}) by a fresh
   * {@link #hash}: true when its memory, iterations, parallelism, salt length or hash length differ
   * from the current ones, and when it is not a well-formed argon2id v=19 PHC string at all.
   */
  public boolean needsRehash(String phc) {
    Stored stored = parse(phc);
    if (stored == null) {
      return true;
    }
    Arrays.fill(stored.hash, (byte) 0);
    return stored.memoryKiB != settings.memoryKiB()
        || stored.iterations != settings.iterations()
        || stored.parallelism != settings.parallelism()
        || stored.salt.length != SALT_BYTES
        || stored.hash.length != HASH_BYTES;
  }

  /**
   * Does the work of a {@link #verify} with the current settings and throws the result away: call
   * it when the identifier is unknown, so that a login for an unknown identifier takes as long as
   * one with a wrong password.
   */
  public void burn(String password) {
    verify(password, dummyPhc);
  }

  // --- internals ---------------------------------------------------------------------------

  /** A parsed stored hash. */
  private static final class Stored {
    final int memoryKiB;
    final int iterations;
    final int parallelism;
    final byte[] salt;
    final byte[] hash;

    Stored(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {
      this.memoryKiB = memoryKiB;
      this.iterations = iterations;
      this.parallelism = parallelism;
      this.salt = salt;
      this.hash = hash;
    }
  }

  /** Parses a stored PHC string; {@code null} if it is malformed or out of bounds. */
  private static Stored parse(String phc) {
    if (phc == null) {
      return null;
    }
    Matcher m = PHC.matcher(phc);
    if (!m.matches()) {
      return null;
    }
    long version = Long.parseLong(m.group(1));
    long memoryKiB = Long.parseLong(m.group(2));
    long iterations = Long.parseLong(m.group(3));
    long parallelism = Long.parseLong(m.group(4));
    if (version != 19
        || parallelism > Argon2Settings.MAX_PARALLELISM
        || iterations > Argon2Settings.MAX_ITERATIONS
        || memoryKiB < 8 * parallelism
        || memoryKiB > Argon2Settings.MAX_MEMORY_KIB) {
      return null;
    }
    byte[] salt = decodeCanonical(m.group(5));
    byte[] hash = decodeCanonical(m.group(6));
    if (salt == null || hash == null
        || salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES
        || hash.length < MIN_HASH_BYTES || hash.length > MAX_HASH_BYTES) {
      return null;
    }
    return new Stored((int) memoryKiB, (int) iterations, (int) parallelism, salt, hash);
  }

  /**
   * Decodes unpadded base64, or returns {@code null}. Only the canonical spelling is accepted (the
   * unused low bits of the last character must be zero), so that a stored string has exactly one
   * valid form.
   */
  private static byte[] decodeCanonical(String b64) {
    if (b64.length() % 4 == 1) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(b64);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!ENCODER.encodeToString(bytes).equals(b64)) {
      return null;
    }
    return bytes;
  }

  private static String encode(Argon2Settings s, byte[] salt, byte[] hash) {
    return "$argon2id$v=19$m=" + s.memoryKiB() + ",t=" + s.iterations() + ",p=" + s.parallelism()
        + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
  }

  /** NFKC, then UTF-8; {@code null} if the text contains an unpaired surrogate. */
  private static byte[] encodePassword(String password) {
    String normalized = Normalizer.normalize(password, Normalizer.Form.NFKC);
    if (normalized.codePoints().anyMatch(cp -> Character.getType(cp) == Character.SURROGATE)) {
      return null;
    }
    return normalized.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * This thread's reusable blocks when a hash with these parameters needs as many as the current
   * settings; {@code null} (fresh memory) otherwise, so that a stored hash with other parameters
   * never makes a thread keep more than the current settings' memory.
   */
  private Argon2BytesGenerator.BlockPool blockPool(int memoryKiB, int parallelism) {
    if (Argon2BytesGenerator.getBlockCount(memoryKiB, parallelism) != settingsBlocks) {
      return null;
    }
    ReusedBlocks reused = BLOCKS.get();
    if (reused == null || reused.count != settingsBlocks) {
      reused = new ReusedBlocks(settingsBlocks, new Argon2BytesGenerator.FixedBlockPool(settingsBlocks));
      BLOCKS.set(reused);
    }
    return reused.pool;
  }

  private record ReusedBlocks(int count, Argon2BytesGenerator.FixedBlockPool pool) {
  }

  /** Computes Argon2id v1.3; zeroes {@code password} before returning. */
  private static byte[] argon2(byte[] password, byte[] salt, int memoryKiB, int iterations,
      int parallelism, int hashLength, Argon2BytesGenerator.BlockPool pool) {
    Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKiB)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt);
    if (pool != null) {
      builder.withBlockPool(pool);
    }
    Argon2Parameters parameters = builder.build();
    try {
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(parameters);
      byte[] out = new byte[hashLength];
      generator.generateBytes(password, out);
      return out;
    } finally {
      parameters.clear();
      Arrays.fill(password, (byte) 0);
    }
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }
}
