package dev.avatarservice.account;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import com.ibm.icu.text.SpoofChecker;

import java.net.IDN;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

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

  /** A phone number as people write it: {@code +}, digits, and spaces, dashes, dots or parentheses between. */
  private static final Pattern FORMATTED_PHONE = Pattern.compile("\\+[0-9 ().\\-]*[0-9][0-9 ().\\-]*");

  private Identifiers() {}

  /**
   * Validates and normalises a raw identifier.
   *
   * <ol>
   *   <li>leading and trailing whitespace ({@link Character#isWhitespace} or
   *       {@link Character#isSpaceChar}, so no-break and ideographic spaces too) is removed;
   *   <li>the rest is NFKC-normalised (and trimmed again, in case NFKC exposed a space);
   *   <li>it must then be {@value #MIN_LENGTH} to {@value #MAX_LENGTH} code points long;
   *   <li>a phone number ({@code +}, digits, spaces, dashes, dots and parentheses only) may carry
   *       spaces; anything else must not contain whitespace, control characters ({@code Cc}),
   *       format characters ({@code Cf}: zero-width characters, bidi overrides, ...) or unpaired
   *       surrogates.
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
    if (!FORMATTED_PHONE.matcher(display).matches() && !display.codePoints().allMatch(Identifiers::isAllowed)) {
      throw new InvalidFieldException(FIELD, BAD_CHARACTERS);
    }
    return new Identifier(display, key(display));
  }

  /**
   * The form under which look-alike identifiers coincide: two identifiers whose skeletons are equal
   * cannot both be registered (the key still decides which account a login reaches). It is the
   * Unicode confusable skeleton (UTS #39, ICU's {@link SpoofChecker}) of the key's canonical form:
   * <ul>
   *   <li>an identifier starting with {@code +} that libphonenumber finds a possible phone number is
   *       the number in E.164 ({@code +44 20 7946 0958} and {@code +442079460958} coincide); no
   *       default region is assumed, so only numbers with their country code are phone numbers;
   *   <li>an e-mail address (an {@code @} with text on both sides) has its domain in Unicode and in
   *       lower case ({@code xn--} labels decoded, so a punycode spelling meets its Unicode one);
   *   <li>anything else is the key itself.
   * </ul>
   * The skeleton then maps each character to its prototype ({@code а} Cyrillic to {@code a},
   * {@code 0} to {@code O}, {@code rn} to {@code m}, ...), so {@code pаypal} and {@code paypal} coincide.
   *
   * <p>The first call loads ICU's and libphonenumber's data (tens of milliseconds): call it on a
   * worker. Thread-safe.
   *
   * @param key a key from {@link #normalize}
   */
  public static String skeleton(String key) {
    return Confusables.SPOOF_CHECKER.getSkeleton(canonical(key));
  }

  /** The canonical form of a key, as {@link #skeleton} describes it. */
  static String canonical(String key) {
    if (key.startsWith("+")) {
      try {
        PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
        Phonenumber.PhoneNumber number = phones.parse(key, "ZZ");
        if (phones.isPossibleNumber(number)) {
          return phones.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
        }
      } catch (NumberParseException notAPhoneNumber) {
        // an identifier that merely starts with +
      }
    }
    int at = key.lastIndexOf('@');
    if (at > 0 && at < key.length() - 1) {
      String domain = IDN.toUnicode(key.substring(at + 1), IDN.ALLOW_UNASSIGNED);
      return key.substring(0, at + 1) + domain.toLowerCase(Locale.ROOT);
    }
    return key;
  }

  /** ICU's confusable data, loaded on first use. */
  private static final class Confusables {
    static final SpoofChecker SPOOF_CHECKER = new SpoofChecker.Builder().build();
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

  /**
   * The key-space form of a search prefix (an operator's {@code admin users list --query}): trimmed,
   * NFKC-normalised and folded like {@link #key}, so a prefix finds every spelling of the accounts
   * it begins. Not validated as an identifier: any prefix, the empty one included, may be searched.
   */
  public static String searchPrefix(String raw) {
    String trimmed = raw == null ? "" : trim(raw);
    return trimmed.isEmpty() ? "" : key(trim(Normalizer.normalize(trimmed, Normalizer.Form.NFKC)));
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
