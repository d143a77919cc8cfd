package dev.avatarservice.log;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/**
 * Makes client-influenced values safe to log: one line, no terminal escapes, bounded. Control
 * characters (C0, C1, DEL), line and paragraph separators and bidirectional overrides become
 * {@code \\uXXXX}, so a value can neither forge a log line nor rewrite a terminal, and it is cut at
 * {@value #MAX_LENGTH} characters. It does not make a secret safe: secrets are never logged at all.
 */
public final class LogSafe {

  static final int MAX_LENGTH = 300;

  private LogSafe() {
  }

  /** {@code String.valueOf(value)}, escaped and bounded. */
  public static String escape(Object value) {
    String text = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 16);
    int shown = 0;
    for (int i = 0; i < text.length(); i++, shown++) {
      if (shown == MAX_LENGTH) {
        return out.append("...(").append(text.length()).append(" chars)").toString();
      }
      char c = text.charAt(i);
      if (unsafe(c)) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * For logging an exception whose messages may quote a client (a header value, a body token): a
   * copy of its cause chain, each message escaped and prefixed with the original class name, with
   * the original stack traces.
   */
  public static Throwable escapeMessages(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Escaped top = null;
    Escaped last = null;
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      Escaped copy = new Escaped(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + escape(t.getMessage())));
      copy.setStackTrace(t.getStackTrace());
      if (last == null) {
        top = copy;
      } else {
        last.initCause(copy);
      }
      last = copy;
    }
    return top;
  }

  private static boolean unsafe(char c) {
    return Character.getType(c) == Character.CONTROL || c == '\u2028' || c == '\u2029'
      || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }

  /** A logged copy of an exception: the original class name leads its message. */
  static final class Escaped extends Exception {

    Escaped(String message) {
      super(message);
    }
  }
}
