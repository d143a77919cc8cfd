package dev.avatarservice.account;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {

  /** Cheap settings, so that most tests run in milliseconds. */
  private static final Argon2Settings SMALL = new Argon2Settings(256, 1, 1);
  private static final PasswordHasher HASHER = new PasswordHasher(SMALL);

  private static final String PHC_SHAPE =
      "\\$argon2id\\$v=19\\$m=256,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}";

  // Known answers, computed with the reference implementation's command-line tool (Debian package
  // argon2 0~20171227-0.3+deb12u1); the password goes to stdin without a trailing newline:
  //   printf '%s' 'password' | argon2 somesalt -id -t 2 -m 10 -p 1 -l 32 -e
  private static final String KAT_SMALL =
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk";
  //   printf '%s' 'password' | argon2 somesalt -id -t 2 -k 19456 -p 1 -l 32 -e
  private static final String KAT_DEFAULTS =
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E";
  //   printf '%s' 'Pässwörd-ÅΩ-🔐' | argon2 saltsaltsaltsalt -id -t 3 -k 256 -p 2 -l 32 -e
  // (the terminal sent the password as UTF-8, with precomposed ä, ö and Å)
  private static final String KAT_UNICODE_PASSWORD = "P\u00e4ssw\u00f6rd-\u00c5\u03a9-\ud83d\udd10";
  private static final String KAT_UNICODE =
      "$argon2id$v=19$m=256,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$07T8/XBS0x55X1ld2yNz8206cEtUzH3R5pJ201Fo+5k";

  /** A SecureRandom that repeats a fixed pattern, to make {@link PasswordHasher#hash} predictable. */
  private static SecureRandom fixedRandom(String pattern) {
    byte[] bytes = pattern.getBytes(US_ASCII);
    return new SecureRandom() {
      @Override
      public void nextBytes(byte[] out) {
        for (int i = 0; i < out.length; i++) {
          out[i] = bytes[i % bytes.length];
        }
      }
    };
  }

  @Test
  void hashIsAPhcString() {
    String phc = HASHER.hash("horse staple battery");
    assertThat(phc).matches(PHC_SHAPE);
    String[] parts = phc.split("\\$");
    assertThat(parts).hasSize(6);
    assertThat(parts[1]).isEqualTo("argon2id");
    assertThat(parts[2]).isEqualTo("v=19");
    assertThat(parts[3]).isEqualTo("m=256,t=1,p=1");
    assertThat(Base64.getDecoder().decode(parts[4])).hasSize(16);
    assertThat(Base64.getDecoder().decode(parts[5])).hasSize(32);
    // no base64 padding: the only "=" are those of v=, m=, t= and p=
    assertThat(phc.chars().filter(c -> c == '=').count()).isEqualTo(4);
  }

  @Test
  void verifiesTheRightPasswordOnly() {
    String phc = HASHER.hash("horse staple battery");
    assertThat(HASHER.verify("horse staple battery", phc)).isTrue();
    assertThat(HASHER.verify("horse staple batterY", phc)).isFalse();
    assertThat(HASHER.verify("horse staple battery ", phc)).isFalse();
    assertThat(HASHER.verify("", phc)).isFalse();
  }

  @Test
  void saltsDiffer() {
    String a = HASHER.hash("same password twice");
    String b = HASHER.hash("same password twice");
    assertThat(a).isNotEqualTo(b);
    assertThat(a.split("\\$")[4]).isNotEqualTo(b.split("\\$")[4]);
    assertThat(HASHER.verify("same password twice", a)).isTrue();
    assertThat(HASHER.verify("same password twice", b)).isTrue();
  }

  @Test
  void normalisesWithNfkcBeforeHashing() {
    String phc = HASHER.hash("caf\u00e9 au lait");
    assertThat(HASHER.verify("cafe\u0301 au lait", phc)).isTrue(); // decomposed é
    String fullwidth = HASHER.hash("\uff21\uff22\uff23 secret"); // ＡＢＣ
    assertThat(HASHER.verify("ABC secret", fullwidth)).isTrue();
  }

  @Test
  void refusesUnpairedSurrogatesWithoutLeakingThePassword() {
    assertThatThrownBy(() -> HASHER.hash("hunter2-\ud800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("hunter2");
    String phc = HASHER.hash("hunter2-?");
    assertThat(HASHER.verify("hunter2-\ud800", phc)).isFalse(); // getBytes would have made it '?'
  }

  @Test
  void verifiesWithTheStoredParametersAndFlagsOldOnesForRehash() {
    String old = HASHER.hash("old but gold");
    PasswordHasher stronger = new PasswordHasher(new Argon2Settings(512, 2, 1));
    assertThat(stronger.verify("old but gold", old)).isTrue();
    assertThat(stronger.needsRehash(old)).isTrue();
    assertThat(HASHER.needsRehash(old)).isFalse();
    String fresh = stronger.hash("old but gold");
    assertThat(stronger.needsRehash(fresh)).isFalse();
    assertThat(HASHER.needsRehash(fresh)).isTrue();
  }

  @Test
  void needsRehashWhenAnyParameterDiffers() {
    String phc = HASHER.hash("parameters");
    assertThat(new PasswordHasher(new Argon2Settings(257, 1, 1)).needsRehash(phc)).isTrue();
    assertThat(new PasswordHasher(new Argon2Settings(256, 2, 1)).needsRehash(phc)).isTrue();
    assertThat(new PasswordHasher(new Argon2Settings(256, 1, 2)).needsRehash(phc)).isTrue();
    assertThat(new PasswordHasher(new Argon2Settings(256, 1, 1)).needsRehash(phc)).isFalse();
    // same m, t, p but an 8-byte salt (not what this class writes)
    assertThat(new PasswordHasher(new Argon2Settings(1024, 2, 1)).needsRehash(KAT_SMALL)).isTrue();
    // not argon2id v=19, or not parseable at all
    assertThat(HASHER.needsRehash(phc.replace("argon2id", "argon2i"))).isTrue();
    assertThat(HASHER.needsRehash(phc.replace("v=19", "v=16"))).isTrue();
    assertThat(HASHER.needsRehash("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"))
        .isTrue();
    assertThat(HASHER.needsRehash(null)).isTrue();
  }

  @Test
  void tamperedHashesDoNotVerify() {
    String phc = HASHER.hash("tamper with me");
    String[] parts = phc.split("\\$");
    // flip one character of the hash, of the salt, and each parameter
    assertThat(HASHER.verify("tamper with me", withPart(parts, 5, flipFirst(parts[5])))).isFalse();
    assertThat(HASHER.verify("tamper with me", withPart(parts, 4, flipFirst(parts[4])))).isFalse();
    assertThat(HASHER.verify("tamper with me", withPart(parts, 3, "m=264,t=1,p=1"))).isFalse();
    assertThat(HASHER.verify("tamper with me", withPart(parts, 3, "m=256,t=2,p=1"))).isFalse();
    assertThat(HASHER.verify("tamper with me", withPart(parts, 3, "m=256,t=1,p=2"))).isFalse();
    // the last character of 32 bytes in base64 carries 2 unused bits: changing only those gives
    // the same bytes in a non-canonical spelling, which is refused too
    String hash = parts[5];
    char last = hash.charAt(hash.length() - 1);
    int index = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".indexOf(last);
    char sneaky = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charAt(index ^ 1);
    String nonCanonical = hash.substring(0, hash.length() - 1) + sneaky;
    assertThat(Base64.getDecoder().decode(nonCanonical)).isEqualTo(Base64.getDecoder().decode(hash));
    assertThat(HASHER.verify("tamper with me", withPart(parts, 5, nonCanonical))).isFalse();
    // and the untouched one still verifies
    assertThat(HASHER.verify("tamper with me", String.join("$", parts))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "garbage",
      "$argon2id$",
      "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ",
      "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ$",
      "$argon2id$v=19$m=256,t=1,p=1$$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2i$v=19$m=256,t=1,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2d$v=19$m=256,t=1,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=16$m=256,t=1,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$t=2,m=1024,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=01024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=2,p=1,keyid=abc$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ=$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk=",
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL_3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      " $argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk\n",
      "$argon2id$v=19$m=0,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=0,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=2,p=0$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=15,t=2,p=2$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=9999999999,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=1000000,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk",
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL",
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Ht",
      "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
  })
  void malformedStoredHashesAreFalseNotExceptions(String phc) {
    assertThat(HASHER.verify("password", phc)).isFalse();
    assertThat(HASHER.needsRehash(phc)).isTrue();
  }

  @Test
  void nullStoredHashIsFalse() {
    assertThat(HASHER.verify("password", null)).isFalse();
  }

  @Test
  void knownAnswersFromTheReferenceImplementation() {
    // verify() takes m, t, p, salt and hash length from the string, whatever the current settings
    assertThat(HASHER.verify("password", KAT_SMALL)).isTrue();
    assertThat(HASHER.verify("Password", KAT_SMALL)).isFalse();
    assertThat(HASHER.verify(KAT_UNICODE_PASSWORD, KAT_UNICODE)).isTrue();
    // the same password typed with decomposed ä, ö and Å: NFKC makes it the same bytes
    assertThat(HASHER.verify("Pa\u0308ssw\u00f6rd-A\u030a\u03a9-\ud83d\udd10", KAT_UNICODE)).isTrue();
  }

  @Test
  void hashMatchesTheReferenceImplementationForAKnownSalt() {
    PasswordHasher hasher =
        new PasswordHasher(new Argon2Settings(256, 3, 2), fixedRandom("saltsaltsaltsalt"));
    assertThat(hasher.hash(KAT_UNICODE_PASSWORD)).isEqualTo(KAT_UNICODE);
  }

  @Test
  void serviceDefaults() {
    assertThat(Argon2Settings.DEFAULTS).isEqualTo(new Argon2Settings(19456, 2, 1));
    PasswordHasher hasher = new PasswordHasher(Argon2Settings.DEFAULTS);
    String phc = hasher.hash("a real-cost hash, once");
    assertThat(phc).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(hasher.verify("a real-cost hash, once", phc)).isTrue();
    assertThat(hasher.verify("a real-cost hash, twice", phc)).isFalse();
    assertThat(hasher.needsRehash(phc)).isFalse();
    assertThat(hasher.verify("password", KAT_DEFAULTS)).isTrue();
    assertThat(hasher.needsRehash(KAT_DEFAULTS)).isTrue(); // its salt is 8 bytes, ours are 16
  }

  @Test
  void burnCostsAboutAsMuchAsAVerify() {
    PasswordHasher hasher = new PasswordHasher(new Argon2Settings(8192, 2, 1));
    String phc = hasher.hash("the real one");
    hasher.burn("warm up");
    hasher.verify("warm up", phc);
    long verify = Long.MAX_VALUE;
    long burn = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      hasher.verify("a wrong one", phc);
      long t1 = System.nanoTime();
      hasher.burn("a wrong one");
      long t2 = System.nanoTime();
      verify = Math.min(verify, t1 - t0);
      burn = Math.min(burn, t2 - t1);
    }
    // loose bounds: only meant to catch a burn() that skips the Argon2 work
    assertThat(burn).isGreaterThan(verify / 4);
  }

  @Test
  void settingsAreValidated() {
    assertThat(new Argon2Settings(8, 1, 1)).isNotNull();
    assertThat(new Argon2Settings(16, 1, 2)).isNotNull();
    assertThatThrownBy(() -> new Argon2Settings(7, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Argon2Settings(15, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Argon2Settings(256, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Argon2Settings(256, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Argon2Settings(Argon2Settings.MAX_MEMORY_KIB + 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(null)).isInstanceOf(NullPointerException.class);
    assertThat(Argon2Settings.DEFAULTS.meetsOwaspMinimum()).isTrue();
    assertThat(new Argon2Settings(65536, 3, 4).meetsOwaspMinimum()).isTrue();
    assertThat(SMALL.meetsOwaspMinimum()).isFalse();
    assertThat(new Argon2Settings(19456, 1, 1).meetsOwaspMinimum()).isFalse();
    assertThat(new Argon2Settings(19455, 2, 1).meetsOwaspMinimum()).isFalse();
  }

  @Test
  void reusedArgon2MemoryGivesTheSameAnswers() throws Exception {
    // Settings of KAT_SMALL: its verification uses this thread's reused blocks, filled by the hashes before.
    PasswordHasher hasher = new PasswordHasher(new Argon2Settings(1024, 2, 1));
    String other = hasher.hash("another password entirely");
    for (int i = 0; i < 3; i++) {
      assertThat(hasher.verify("password", KAT_SMALL)).isTrue();
      assertThat(hasher.verify("Password", KAT_SMALL)).isFalse();
      assertThat(hasher.verify("another password entirely", other)).isTrue();
    }
    // A thread of its own (fresh blocks) agrees.
    boolean[] fresh = new boolean[2];
    Thread thread = new Thread(() -> {
      fresh[0] = hasher.verify("password", KAT_SMALL);
      fresh[1] = hasher.verify("another password entirely", other);
    });
    thread.start();
    thread.join();
    assertThat(fresh).containsExactly(true, true);
  }

  private static String withPart(String[] parts, int index, String value) {
    String[] copy = parts.clone();
    copy[index] = value;
    return String.join("$", copy);
  }

  private static String flipFirst(String b64) {
    char c = b64.charAt(0);
    return (c == 'A' ? 'B' : 'A') + b64.substring(1);
  }
}
