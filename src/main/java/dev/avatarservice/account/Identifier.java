package dev.avatarservice.account;

import java.util.Objects;

/**
 * A validated account identifier (nickname, e-mail address or phone number).
 *
 * @param display the trimmed, NFKC-normalised spelling given at registration: what the API shows
 * @param key the case-insensitive uniqueness key: what the store indexes and looks up on login
 * @see Identifiers#normalize(String)
 */
public record Identifier(String display, String key) {

  public Identifier {
    Objects.requireNonNull(display, "display");
    Objects.requireNonNull(key, "key");
  }
}
