package dev.avatarservice.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {

  private static final String LENGTH = "must be 3 to 254 characters";
  private static final String CHARACTERS = "must not contain whitespace or control characters";

  private static void assertRefused(String raw, String message) {
    InvalidFieldException e =
        catchThrowableOfType(InvalidFieldException.class, () -> Identifiers.normalize(raw));
    assertThat(e).as("refused: %s", raw).isNotNull();
    assertThat(e.field()).isEqualTo("identifier");
    assertThat(e.getMessage()).isEqualTo(message);
    if (raw != null && !raw.isBlank()) {
      assertThat(e.getMessage()).doesNotContain(raw.strip());
    }
  }

  @Test
  void keepsTheSpellingAndTrims() {
    Identifier id = Identifiers.normalize("  \tAlice@Example.com \n");
    assertThat(id.display()).isEqualTo("Alice@Example.com");
    assertThat(id.key()).isEqualTo("alice@example.com");
  }

  @Test
  void trimsUnicodeSpacesToo() {
    // no-break space, ideographic space, em space
    assertThat(Identifiers.normalize("\u00a0\u3000bob\u2003").display()).isEqualTo("bob");
  }

  @Test
  void casesShareAKeyButKeepTheirDisplay() {
    Identifier a = Identifiers.normalize("Alice@Example.com");
    Identifier b = Identifiers.normalize("alice@example.com");
    Identifier c = Identifiers.normalize("ALICE@EXAMPLE.COM");
    assertThat(a.key()).isEqualTo(b.key()).isEqualTo(c.key());
    assertThat(a.display()).isEqualTo("Alice@Example.com");
    assertThat(b.display()).isEqualTo("alice@example.com");
  }

  @Test
  void appliesNfkc() {
    Identifier id = Identifiers.normalize("\uff21\uff22\uff23"); // fullwidth ＡＢＣ
    assertThat(id.display()).isEqualTo("ABC");
    assertThat(id.key()).isEqualTo("abc");
    // a composed é and e + combining acute are the same identifier and spelling
    assertThat(Identifiers.normalize("Ren\u00e9e").display())
        .isEqualTo(Identifiers.normalize("Rene\u0301e").display())
        .isEqualTo("Ren\u00e9e");
    // compatibility characters: ligature ﬁ, Kelvin sign K, circled digit ①
    assertThat(Identifiers.normalize("\ufb01x\u212a\u2460").display()).isEqualTo("fixK1");
  }

  @Test
  void foldsSharpSAndSigmaSensibly() {
    String[] sharp = {"stra\u00dfe", "STRA\u1e9eE", "STRASSE", "strasse", "Stra\u00dfe"};
    for (String s : sharp) {
      assertThat(Identifiers.normalize(s).key()).as(s).isEqualTo("strasse");
    }
    String upper = Identifiers.normalize("\u039f\u0394\u039f\u03a3").key(); // ΟΔΟΣ
    assertThat(Identifiers.normalize("\u03bf\u03b4\u03bf\u03c3").key()).isEqualTo(upper); // οδοσ
    assertThat(Identifiers.normalize("\u03bf\u03b4\u03bf\u03c2").key()).isEqualTo(upper); // οδος
    assertThat(Identifiers.normalize("\u03bf\u03b4\u03bf\u03c2").display()).isEqualTo("\u03bf\u03b4\u03bf\u03c2");
  }

  @Test
  void keyIsStable() {
    for (String s : new String[] {"Alice@Example.com", "STRA\u1e9eE", "\u039f\u0394\u039f\u03a3", "+3712000",
        "\u0130stanbul", "\ud83d\ude00\ud83d\ude00\ud83d\ude00"}) {
      String key = Identifiers.normalize(s).key();
      assertThat(Identifiers.normalize(key).key()).as(s).isEqualTo(key);
    }
  }

  @Test
  void keyDoesNotDependOnTheDefaultLocale() {
    java.util.Locale saved = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
      assertThat(Identifiers.normalize("ILIA").key()).isEqualTo("ilia");
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }

  @Test
  void acceptsEmailsPhonesAndNicknames() {
    assertThat(Identifiers.normalize("+37120000000").display()).isEqualTo("+37120000000");
    assertThat(Identifiers.normalize("jo\u00eblle_92").display()).isEqualTo("jo\u00eblle_92");
    assertThat(Identifiers.normalize("\u5c71\u7530\u592a\u90ce").display()).isEqualTo("\u5c71\u7530\u592a\u90ce");
  }

  @Test
  void lengthIsCountedInCodePoints() {
    String emoji = "\ud83d\ude00"; // 😀: one code point, two UTF-16 units
    assertThat(Identifiers.normalize("abc").display()).isEqualTo("abc");
    assertThat(Identifiers.normalize("a" + emoji + "b").display()).isEqualTo("a" + emoji + "b");
    assertThat(Identifiers.normalize(emoji.repeat(3)).display()).isEqualTo(emoji.repeat(3));
    assertRefused("ab", LENGTH);
    assertRefused(emoji.repeat(2), LENGTH); // 4 UTF-16 units, but 2 characters
    assertRefused("  ab  ", LENGTH); // trimmed first

    String max = "a".repeat(254);
    assertThat(Identifiers.normalize(max).display()).isEqualTo(max);
    assertRefused("a".repeat(255), LENGTH);
    String maxEmoji = emoji.repeat(254); // 508 UTF-16 units
    assertThat(Identifiers.normalize(maxEmoji).display()).isEqualTo(maxEmoji);
    assertRefused(emoji.repeat(255), LENGTH);
    assertRefused("a".repeat(100_000), LENGTH);
  }

  @Test
  void lengthIsCountedAfterNfkc() {
    // U+3392 SQUARE MHZ is one character that NFKC expands to three: "MHz"
    assertThat(Identifiers.normalize("\u3392").display()).isEqualTo("MHz");
    assertThat(Identifiers.normalize("\u3392".repeat(84)).display()).hasSize(252);
    assertRefused("\u3392".repeat(85), LENGTH); // 85 before, 255 after
    // 3 base letters with combining marks compose to 3 characters
    assertThat(Identifiers.normalize("e\u0301e\u0301e\u0301").display()).isEqualTo("\u00e9\u00e9\u00e9");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "alice smith", // inner space
      "alice\tsmith", // tab
      "alice\nsmith", // newline
      "alice\r\nsmith",
      "alice\u00a0smith", // no-break space (NFKC makes it a space)
      "alice\u3000smith", // ideographic space
      "alice\u2028smith", // line separator
      "alice\u0000smith", // NUL
      "alice\u0007smith", // BEL
      "alice\u007fsmith", // DEL
      "alice\u0085smith", // NEL (C1 control)
      "alice\u200bsmith", // zero-width space
      "alice\u200dsmith", // zero-width joiner
      "alice\u202esmith", // right-to-left override
      "alice\u2066smith", // left-to-right isolate
      "\u200balice", // leading zero-width space is not trimmed: refused
      "alice\ufeff", // byte order mark / zero-width no-break space
      "alice\u00adsmith", // soft hyphen
      "alice\ud800smith", // unpaired high surrogate
      "alice\udc00smith", // unpaired low surrogate
      "alice\ud800", // unpaired at the end
  })
  void refusesWhitespaceAndControlCharacters(String raw) {
    assertRefused(raw, CHARACTERS);
  }

  @Test
  void refusesMissingOrBlank() {
    assertRefused(null, "is required");
    assertRefused("", "is required");
    assertRefused(" \t\n\u3000", "is required");
  }

  @Test
  void messagesNeverContainTheInput() {
    String secretish = "my secret\u202eidentifier";
    assertThatThrownBy(() -> Identifiers.normalize(secretish))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage(CHARACTERS)
        .hasMessageNotContaining("secret");
  }

  @Test
  void onlyAPhoneNumberMayCarrySpaces() {
    assertThat(Identifiers.normalize(" +44 (20) 7946-0958 ").display()).isEqualTo("+44 (20) 7946-0958");
    assertThat(Identifiers.normalize("+1\u00a0415\u00a0555\u00a00100").display()).isEqualTo("+1 415 555 0100");
    assertRefused("+ cool guy", Identifiers.BAD_CHARACTERS);
    assertRefused("+44 20\t7946", Identifiers.BAD_CHARACTERS);
    assertRefused("not a phone", Identifiers.BAD_CHARACTERS);
  }

  @Test
  void canonicalFormsOfPhoneNumbersAndEmailAddresses() {
    assertThat(Identifiers.canonical("+44 (20) 7946-0958")).isEqualTo("+442079460958");
    assertThat(Identifiers.canonical("+1.415.555.0100")).isEqualTo("+14155550100");
    // no default region: without its country code a number is just a name
    assertThat(Identifiers.canonical("020 7946 0958")).isEqualTo("020 7946 0958");
    assertThat(Identifiers.canonical("+12")).isEqualTo("+12");
    assertThat(Identifiers.canonical("bob@xn--bcher-kva.example")).isEqualTo("bob@b\u00fccher.example");
    assertThat(Identifiers.canonical("@handle")).isEqualTo("@handle");
  }

  @Test
  void lookAlikesShareASkeletonAndOthersDoNot() {
    String paypal = Identifiers.skeleton(Identifiers.normalize("paypal").key());
    assertThat(Identifiers.skeleton(Identifiers.normalize("p\u0430yp\u0430l").key())).isEqualTo(paypal);
    assertThat(Identifiers.skeleton(Identifiers.normalize("PayPal").key())).isEqualTo(paypal);
    assertThat(Identifiers.skeleton(Identifiers.normalize("paypals").key())).isNotEqualTo(paypal);
    assertThat(Identifiers.skeleton(Identifiers.normalize("+44 20 7946 0958").key()))
      .isEqualTo(Identifiers.skeleton(Identifiers.normalize("+442079460958").key()));
  }
}
