package dev.avatarservice.account;

import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Limits password checks per identifier and client address: at most {@code limit} failed checks in
 * a window of {@code LOGIN_FAILURES_WINDOW}, after which no password of that pair is checked until
 * the window ends. Keys are hashes: no identifier or address is kept.
 *
 * <p>A check first {@linkplain #reserve reserves} its attempt, atomically, before any hashing: the
 * reservation is counted as a failure at once, so guesses sent at the same instant, to one node or to
 * several, are counted one by one and the ones beyond the limit are refused before their password is
 * looked at. The caller then settles the {@link Attempt}: {@link Attempt#succeeded()} clears the
 * pair's failures, {@link Attempt#failed()} leaves the reservation counted, and
 * {@link Attempt#abandoned()} gives it back when no verdict was reached (the store or the hashing
 * pool did not answer). A reservation that cannot be made fails the check
 * ({@link AttemptsUnavailableException}); one the limit refuses fails with
 * {@link LoginLockedException}, carrying the seconds to wait.
 *
 * <p>Every password check of the service goes through here (login; a password change checks the
 * current password the same way), so they share one count per pair.
 */
public final class LoginThrottle {


  private final AttemptCounts counts;
  private final int limit;
  private final long windowMillis;
  private final LongSupplier clock;

  public LoginThrottle(AttemptCounts counts, int limit, long windowSeconds, LongSupplier clock) {
    this.counts = counts;
    this.limit = limit;
    this.windowMillis = windowSeconds * 1000;
    this.clock = clock;
  }

  /**
   * Reserves one password check for the key: fails with {@link LoginLockedException} while the key
   * has used up its window, with {@link AttemptsUnavailableException} when the count cannot be made.
   */
  public Future<Attempt> reserve(String key) {
    return counts.reserve(key, limit, clock.getAsLong(), windowMillis)
      .recover(error -> Future.failedFuture(new AttemptsUnavailableException(error)))
      .compose(waitMillis -> waitMillis > 0
        ? Future.failedFuture(new LoginLockedException(Math.max(1, (waitMillis + 999) / 1000)))
        : Future.succeededFuture(new Attempt(key)));
  }

  /** One reserved password check; settle it once. */
  public final class Attempt {

    private final String key;
    private final AtomicBoolean settled = new AtomicBoolean();

    private Attempt(String key) {
      this.key = key;
    }

    /** The password was right: the pair's failures are forgotten. */
    public Future<Void> succeeded() {
      return settle() ? counts.clear(key) : Future.succeededFuture();
    }

    /** The password was wrong: the reservation stays counted as a failure. */
    public Future<Void> failed() {
      settle();
      return Future.succeededFuture();
    }

    /** No verdict (the store or the hashing pool failed): the reservation is given back. */
    public Future<Void> abandoned() {
      return settle() ? counts.release(key, clock.getAsLong()) : Future.succeededFuture();
    }

    private boolean settle() {
      return settled.compareAndSet(false, true);
    }
  }

  /** The map key of an identifier and client address. */
  public static String key(String identifierKey, String clientAddress) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest((identifierKey + "\n" + clientAddress).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
