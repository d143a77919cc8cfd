package dev.avatarservice.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.text.Normalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordPolicyTest {

  private static final String LENGTH = "must be 8 to 1024 characters";
  private static final String COMMON =
      "is too common: choose one that is not on lists of common passwords";

  /** A long random passphrase (made up for this test, not from any list). */
  private static final String STRONG = "Quokka tundra 7 vermilion ladles hum!";

  private static InvalidFieldException refusal(String raw) {
    InvalidFieldException e =
        catchThrowableOfType(InvalidFieldException.class, () -> PasswordPolicy.normalize(raw));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.field()).isEqualTo("password");
    if (raw != null && !raw.isEmpty()) {
      assertThat(e.getMessage()).doesNotContain(raw);
      assertThat(e.toString()).doesNotContain(raw);
    }
    return e;
  }

  @Test
  void lengthLimits() {
    assertThat(refusal("x7#Qz!p").getMessage()).isEqualTo(LENGTH); // 7
    assertThat(PasswordPolicy.normalize("x7#Qz!pM")).isEqualTo("x7#Qz!pM"); // 8
    String max = "kT9$".repeat(256); // 1024
    assertThat(PasswordPolicy.normalize(max)).isEqualTo(max);
    assertThat(refusal(max + "w").getMessage()).isEqualTo(LENGTH); // 1025
    assertThat(refusal("").getMessage()).isEqualTo(LENGTH);
    assertThat(refusal("z".repeat(1_000_000)).getMessage()).isEqualTo(LENGTH);
  }

  @Test
  void lengthIsCountedInCodePointsAfterNfkc() {
    String emoji = "\ud83d\udd11"; // 🔑: two UTF-16 units
    assertThat(refusal(emoji.repeat(7)).getMessage()).isEqualTo(LENGTH); // 14 units, 7 characters
    assertThat(PasswordPolicy.normalize(emoji.repeat(8))).isEqualTo(emoji.repeat(8));
    assertThat(PasswordPolicy.normalize(emoji.repeat(1024))).isEqualTo(emoji.repeat(1024));
    assertThat(refusal(emoji.repeat(1025)).getMessage()).isEqualTo(LENGTH);
    // U+3392 SQUARE MHZ becomes "MHz": 3 characters before NFKC, 9 after
    assertThat(PasswordPolicy.normalize("\u3392\u3392\u3392")).isEqualTo("MHzMHzMHz");
    // 8 decomposed characters (16 code points) compose to 8
    assertThat(PasswordPolicy.normalize("e\u0301".repeat(8))).isEqualTo("\u00e9".repeat(8));
  }

  @Test
  void appliesNfkcButDoesNotTrim() {
    assertThat(PasswordPolicy.normalize("\uff30\uff41\uff53\uff53 \uff37\uff4f\uff52\uff44 \uff19\uff18"))
        .isEqualTo("Pass Word 98"); // fullwidth letters
    assertThat(PasswordPolicy.normalize("caf\u00e9 con leche"))
        .isEqualTo(PasswordPolicy.normalize("cafe\u0301 con leche"))
        .isEqualTo("caf\u00e9 con leche");
    assertThat(PasswordPolicy.normalize("  leading and trailing  "))
        .isEqualTo("  leading and trailing  ");
    String result = PasswordPolicy.normalize("\u2460\u2461\u2462 \ufb01ve tigers");
    assertThat(result).isEqualTo("123 five tigers");
    assertThat(Normalizer.isNormalized(result, Normalizer.Form.NFKC)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "password123", "12345678", "PASSWORD123", "Password123", "pAsSwOrD123", "Passw0rd", "qwerty123",
      "qwertyuiop", "iloveyou", "sunshine", "football", "baseball", "trustno1",
      "\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12\uff13", // fullwidth password123
  })
  void refusesCommonPasswordsIgnoringCase(String raw) {
    assertThat(refusal(raw).getMessage()).isEqualTo(COMMON);
  }

  @Test
  void acceptsAStrongPassphrase() {
    assertThat(PasswordPolicy.normalize(STRONG)).isEqualTo(STRONG);
    assertThat(PasswordPolicy.normalize("c0rrect-H0rse-b@ttery-st4ple-9f2k")).isNotNull();
  }

  @Test
  void refusesUnpairedSurrogates() {
    assertThat(refusal("abcdefgh\ud800").getMessage()).isEqualTo("must be valid Unicode text");
    assertThat(refusal("\udc00abcdefgh").getMessage()).isEqualTo("must be valid Unicode text");
  }

  @Test
  void refusesNull() {
    assertThat(refusal(null).getMessage()).isEqualTo("is required");
  }

  @Test
  void theListIsNbvcxzsPasswordDictionary() {
    // nbvcxz 1.5.1 ships 100,002 lines in /dictionaries/passwords.txt, 96,520 once lower-cased
    assertThat(PasswordPolicy.commonPasswordCount()).isBetween(90_000, 100_002);
    assertThat(PasswordPolicy.isCommon("password123")).isTrue();
    assertThat(PasswordPolicy.isCommon("LETMEIN")).isTrue();
    assertThat(PasswordPolicy.isCommon(STRONG)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"        ", "zzzzzzzzzzzz", "ponmlkjihgfe", "abcabcabcabcabc", "asdfghjklqwerty", "zxcvbnmasdfghjkl"})
  void passwordsOffTheListButEasyToGuessAreRefusedByTheEstimate(String password) {
    assertThat(PasswordPolicy.isCommon(password)).as("on the list").isFalse();
    InvalidFieldException e =
        catchThrowableOfType(InvalidFieldException.class, () -> PasswordPolicy.checkStrength(password));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.field()).isEqualTo("password");
    assertThat(e.getMessage()).startsWith("is too easy to guess").endsWith(PasswordPolicy.ADVICE);
    if (!password.isBlank()) {
      assertThat(e.getMessage()).doesNotContain(password);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"purple monkey dishwasher", "sunny rainy day", "house cat tree", "blue sky ocean", STRONG})
  void passphrasesOfOrdinaryWordsPassTheEstimate(String passphrase) {
    PasswordPolicy.checkStrength(PasswordPolicy.normalize(passphrase));
  }

  @Test
  void aLongWeakPasswordIsRefusedByItsEstimatedPrefix() {
    InvalidFieldException e = catchThrowableOfType(InvalidFieldException.class,
        () -> PasswordPolicy.checkStrength("1".repeat(1024)));
    assertThat(e).as("refused").isNotNull();
  }
}
