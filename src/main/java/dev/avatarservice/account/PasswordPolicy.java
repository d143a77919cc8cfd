package dev.avatarservice.account;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.math.BigDecimal;
import me.gosimple.nbvcxz.Nbvcxz;
import me.gosimple.nbvcxz.resources.ConfigurationBuilder;
import me.gosimple.nbvcxz.resources.DictionaryUtil;
import me.gosimple.nbvcxz.scoring.Result;

/**
 * Validation and normalisation of the {@code password} field at registration (see API.md,
 * "Identifiers and passwords"). Pure Java, thread-safe.
 *
 * <p>Neither the password nor any part of it ever appears in an exception message or a log.
 */
public final class PasswordPolicy {

  public static final String FIELD = "password";
  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 1024;

  static final String REQUIRED = "is required";
  static final String BAD_LENGTH = "must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters";
  static final String NOT_UNICODE = "must be valid Unicode text";
  static final String TOO_COMMON =
      "is too common: choose one that is not on lists of common passwords";
  static final String TOO_GUESSABLE = "is too easy to guess";
  static final String ADVICE = "A few uncommon words together make a strong password.";

  /** Passwords estimated guessable in fewer attempts than this are refused (NIST SP 800-63B: no composition rules). */
  static final BigDecimal MIN_GUESSES = BigDecimal.valueOf(1_000_000);

  /**
   * Only this many leading characters are estimated. nbvcxz's work grows steeply with length (a
   * 1024-character password took seconds, 64 repeated digits about 0.3 s), and a longer password's
   * estimate is at least its prefix's: a strong prefix is a strong password; a weak prefix may
   * refuse a long password that was stronger, a price paid for a bounded check.
   */
  static final int ESTIMATED_LENGTH = 32;
  /** nbvcxz's own bound on its search for the best combination of matches (then it takes a good one). */
  private static final long ESTIMATE_TIMEOUT_MILLIS = 50;

  /**
   * Inputs longer than this many UTF-16 units are refused before normalisation: NFKC composes at
   * most a handful of code points into one, so they cannot come down to {@value #MAX_LENGTH} code
   * points. This only bounds the work done on absurd inputs.
   */
  private static final int MAX_RAW_UTF16_LENGTH = 32 * MAX_LENGTH;

  private static volatile boolean loaded;

  private PasswordPolicy() {}

  /**
   * Validates a password chosen at registration (or on a password change) and returns the form to
   * hash.
   *
   * <p>The password is NFKC-normalised but not trimmed (spaces are allowed, anywhere), must then be
   * {@value #MIN_LENGTH} to {@value #MAX_LENGTH} code points long, must not contain unpaired
   * surrogates (they have no UTF-8 encoding), and must not be on nbvcxz's list of common passwords,
   * compared case-insensitively.
   *
   * <p>Logins must not go through this method (a password that was accepted once, or the list, may
   * change): {@link PasswordHasher} applies the same NFKC normalisation itself.
   *
   * @return the NFKC-normalised password
   * @throws InvalidFieldException with field {@code "password"}; its message never repeats the input
   */
  public static String normalize(String raw) {
    if (raw == null) {
      throw new InvalidFieldException(FIELD, REQUIRED);
    }
    if (raw.length() > MAX_RAW_UTF16_LENGTH) {
      throw new InvalidFieldException(FIELD, BAD_LENGTH);
    }
    String password = Normalizer.normalize(raw, Normalizer.Form.NFKC);
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      throw new InvalidFieldException(FIELD, BAD_LENGTH);
    }
    if (password.codePoints().anyMatch(cp -> Character.getType(cp) == Character.SURROGATE)) {
      throw new InvalidFieldException(FIELD, NOT_UNICODE);
    }
    if (isCommon(password)) {
      throw new InvalidFieldException(FIELD, TOO_COMMON);
    }
    return password;
  }

  /**
   * Refuses a password nbvcxz (a zxcvbn-style estimator) finds guessable in fewer than
   * {@link #MIN_GUESSES} attempts, with the reason. Tens of milliseconds of CPU, and the first call
   * builds the estimator (seconds): call it on a worker, never on an event loop.
   *
   * @param password a password {@link #normalize} accepted
   * @throws InvalidFieldException with field {@code "password"} and the estimator's warning
   */
  public static void checkStrength(String password) {
    int end = password.offsetByCodePoints(0, Math.min(ESTIMATED_LENGTH, password.codePointCount(0, password.length())));
    Result estimate = Estimator.NBVCXZ.estimate(password.substring(0, end));
    if (estimate.getGuesses().compareTo(MIN_GUESSES) < 0) {
      String warning = estimate.getFeedback().getWarning();
      throw new InvalidFieldException(FIELD, TOO_GUESSABLE + (warning == null ? ". " : ": " + warning + " ") + ADVICE);
    }
  }

  /**
   * Whether the common-password list has been read and the estimator built: until then,
   * {@link #normalize} and {@link #checkStrength} would do it (seconds), so callers call
   * {@link #load} on a worker first.
   */
  static boolean loaded() {
    return loaded && Estimator.built;
  }

  /** Reads the list and builds the estimator; blocking, once. */
  static Void load() {
    commonPasswordCount();
    Estimator.NBVCXZ.getConfiguration();
    return null;
  }

  /** Whether the (normalised) password is on the common-password list, ignoring case. */
  static boolean isCommon(String password) {
    return CommonPasswords.SET.contains(password.toLowerCase(Locale.ROOT));
  }

  /** How many distinct (case-insensitive) entries the common-password list has; reads it on first use. */
  static int commonPasswordCount() {
    return CommonPasswords.SET.size();
  }

  /** The strength estimator, built on first use; its dictionaries take seconds to load. Thread-safe. */
  private static final class Estimator {

    static final Nbvcxz NBVCXZ = new Nbvcxz(new ConfigurationBuilder()
        .setLocale(Locale.ENGLISH)
        .setMaxLength(ESTIMATED_LENGTH)
        .setCombinationAlgorithmTimeout(ESTIMATE_TIMEOUT_MILLIS)
        .createConfiguration());
    static volatile boolean built;

    static {
      built = true;
    }
  }

  /**
   * The common-password list, loaded on first use (the JVM runs a holder class's initialiser once,
   * thread-safely).
   *
   * <p>It is nbvcxz's own password dictionary: the resource {@code /dictionaries/passwords.txt} in
   * the nbvcxz jar (100,002 lines, one password each, most frequent first; 96,520 entries once
   * lower-cased), read through nbvcxz's public {@link DictionaryUtil#loadRankedDictionary} with
   * {@link DictionaryUtil#passwords}. This is the dictionary nbvcxz itself registers as
   * {@code "passwords"} in {@code ConfigurationBuilder.getDefaultDictionaries()}; going through
   * {@code DictionaryUtil} avoids loading its other, larger dictionaries (English words, names).
   */
  private static final class CommonPasswords {

    static final Set<String> SET = load();

    static {
      loaded = true;
    }

    private static Set<String> load() {
      Map<String, Integer> ranked = DictionaryUtil.loadRankedDictionary(DictionaryUtil.passwords);
      Set<String> set = new HashSet<>(ranked.size() * 2);
      for (String word : ranked.keySet()) {
        if (!word.isEmpty()) {
          set.add(Normalizer.normalize(word, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT));
        }
      }
      // nbvcxz only prints a message when the resource cannot be read: refuse to run without it
      // rather than silently accept every password.
      if (set.size() < 10_000) {
        throw new IllegalStateException(
            "nbvcxz common-password dictionary missing or truncated: " + set.size() + " entries");
      }
      return Set.copyOf(set);
    }
  }
}
