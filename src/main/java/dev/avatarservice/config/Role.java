package dev.avatarservice.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Which verticles a node runs. */
public enum Role {
  /** The database and the avatar folder: exactly one node of a cluster when the database is SQLite. */
  STORE,
  /** The public HTTP server: the API, and the sockets when {@link #NOTIFY} runs too. */
  HTTP,
  /** Fans avatar and deletion events out to this node's sockets. */
  NOTIFY;

  /** Parses a comma-separated list such as {@code http,notify}, or {@code all}. */
  public static Set<Role> parse(String text) {
    if (text.isBlank() || text.trim().equalsIgnoreCase("all")) {
      return EnumSet.allOf(Role.class);
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : text.split(",")) {
      try {
        roles.add(valueOf(part.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ROLES: unknown role '" + part.trim() + "' (use all, or a list of store, http, notify)");
      }
    }
    if (roles.contains(NOTIFY) && !roles.contains(HTTP)) {
      throw new ConfigException("ROLES: notify needs http on the same node, which serves the sockets");
    }
    return roles;
  }
}
