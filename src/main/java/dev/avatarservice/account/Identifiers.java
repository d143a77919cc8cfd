package dev.avatarservice.account;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Validation and normalisation of the {@code identifier} field (see API.md, "Identifiers and
 * passwords"). Pure Java, stateless, thread-safe.
 */
public final class Identifiers {

  public static final String FIELD = "identifier";
  public static final int MIN_LENGTH = 3;
  public static final int MAX_LENGTH = 254;

  static final String REQUIRED = "is required";
  static final String BAD_LENGTH = "must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters";
  static final String BAD_CHARACTERS = "must not contain whitespace or control characters";

  /**
   * Inputs longer than this many UTF-16 units (after trimming) are refused before normalisation:
   * NFKC composes at most a handful of code points into one, so such an input cannot come down to
   * {@value #MAX_LENGTH} code points. This only bounds the work done on absurd inputs.
   */
  private static final int MAX_RAW_UTF16_LENGTH = 32 * MAX_LENGTH;

  private Identifiers() {}

  /**
   * Validates and normalises a raw identifier.
   *
   * <ol>
   *   <li>leading and trailing whitespace ({@link Character#isWhitespace} or
   *       {@link Character#isSpaceChar}, so no-break and ideographic spaces too) is removed;
   *   <li>the rest is NFKC-normalised (and trimmed again, in case NFKC exposed a space);
   *   <li>it must then be {@value #MIN_LENGTH} to {@value #MAX_LENGTH} code points long;
   *   <li>it must not contain whitespace, control characters ({@code Cc}), format characters
   *       ({@code Cf}: zero-width characters, bidi overrides, ...) or unpaired surrogates.
   * </ol>
   *
   * @return the display spelling and the case-insensitive key
   * @throws InvalidFieldException with field {@code "identifier"}; its message never repeats the input
   */
  public static Identifier normalize(String raw) {
    if (raw == null) {
      throw new InvalidFieldException(FIELD, REQUIRED);
    }
    String trimmed = trim(raw);
    if (trimmed.isEmpty()) {
      throw new InvalidFieldException(FIELD, REQUIRED);
    }
    if (trimmed.length() > MAX_RAW_UTF16_LENGTH) {
      throw new InvalidFieldException(FIELD, BAD_LENGTH);
    }
    String display = trim(Normalizer.normalize(trimmed, Normalizer.Form.NFKC));
    int length = display.codePointCount(0, display.length());
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      throw new InvalidFieldException(FIELD, BAD_LENGTH);
    }
    if (!display.codePoints().allMatch(Identifiers::isAllowed)) {
      throw new InvalidFieldException(FIELD, BAD_CHARACTERS);
    }
    return new Identifier(display, key(display));
  }

  /**
   * The key-space form of a search prefix (an operator's {@code admin users list --query}): trimmed,
   * NFKC-normalised and folded like {@link #key}, so a prefix finds every spelling of the accounts
   * it begins. Not validated as an identifier: any prefix, the empty one included, may be searched.
   */
  public static String searchPrefix(String raw) {
    String trimmed = raw == null ? "" : trim(raw);
    return trimmed.isEmpty() ? "" : key(trim(Normalizer.normalize(trimmed, Normalizer.Form.NFKC)));
  }

  /**
   * The case-insensitive uniqueness key of an already normalised display spelling.
   *
   * <p>Unicode full case folding (what {@code ß} → {@code ss} needs) is not in the JDK, so it is
   * approximated with the JDK's locale-independent case mappings: lower-case, upper-case, lower-case
   * again, then NFKC again (case mapping can produce characters that NFKC changes).
   * <ul>
   *   <li>Upper-casing expands {@code ß} to {@code SS}, and the final lower-casing gives {@code ss};
   *   <li>the first lower-casing turns capital-only forms such as {@code ẞ} (U+1E9E) into
   *       {@code ß} first, so that {@code ẞ}, {@code ß}, {@code SS} and {@code ss} all share a key;
   *   <li>{@code σ}, {@code ς} and {@code Σ} all go through {@code Σ} and come back with the JDK's
   *       context-sensitive final-sigma rule, so {@code ΟΔΟΣ}, {@code οδοσ} and {@code οδος} share
   *       a key.
   * </ul>
   * Checked against Unicode's CaseFolding.txt (statuses C and F) for every code point the JDK
   * knows: each character and its full case folding get the same key. The one place where it folds
   * more than Unicode does is Turkish dotless {@code ı}, which shares the key of {@code i}: for a
   * uniqueness key, folding slightly too much is the safe side (fewer look-alike accounts).
   * {@link Locale#ROOT} keeps the result independent of the server's default locale.
   */
  static String key(String display) {
    String folded = display.toLowerCase(Locale.ROOT).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    return Normalizer.normalize(folded, Normalizer.Form.NFKC);
  }

  private static boolean isAllowed(int codePoint) {
    if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
      return false;
    }
    switch (Character.getType(codePoint)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE: // only unpaired ones: paired surrogates come out as one code point
        return false;
      default:
        return true;
    }
  }

  private static boolean isTrimmable(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
  }

  /** Strips leading and trailing whitespace, in the wider sense of {@link #isTrimmable}. */
  private static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end) {
      int cp = s.codePointAt(start);
      if (!isTrimmable(cp)) {
        break;
      }
      start += Character.charCount(cp);
    }
    while (end > start) {
      int cp = s.codePointBefore(end);
      if (!isTrimmable(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return s.substring(start, end);
  }
}
