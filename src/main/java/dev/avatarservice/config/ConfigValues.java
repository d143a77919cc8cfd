package dev.avatarservice.config;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Typed reads of the flat configuration JSON of {@link ConfigLoader}, for {@link Settings#parse}
 * only. Every read of a missing or invalid value throws a {@link ConfigException} naming the key,
 * in the one line an operator sees.
 */
final class ConfigValues {

  private final JsonObject json;

  ConfigValues(JsonObject json) {
    this.json = json;
  }

  private Object value(String key) {
    if (!json.containsKey(key)) {
      throw new ConfigException(key + " is missing");
    }
    return json.getValue(key);
  }

  /** The value as text; {@code null} reads as empty. */
  String string(String key) {
    Object value = value(key);
    return value == null ? "" : value.toString();
  }

  /** The trimmed text, which must not be empty. */
  String nonBlank(String key) {
    String value = string(key).trim();
    if (value.isEmpty()) {
      throw new ConfigException(key + " must not be empty");
    }
    return value;
  }

  /** The text, upper-cased, which must be one of {@code choices}. */
  String oneOf(String key, List<String> choices) {
    String value = string(key).toUpperCase(Locale.ROOT);
    if (!choices.contains(value)) {
      throw new ConfigException(key + " must be one of " + String.join(", ", choices));
    }
    return value;
  }

  boolean bool(String key) {
    String value = string(key).trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off", "" -> false;
      default -> throw new ConfigException(key + " must be true or false");
    };
  }

  int intIn(String key, int min, int max) {
    return (int) longIn(key, min, max);
  }

  long longIn(String key, long min, long max) {
    Object value = value(key);
    long parsed;
    try {
      parsed = value instanceof Number number && number.doubleValue() == number.longValue()
        ? number.longValue() : Long.parseLong(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a whole number from " + min + " to " + max);
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key + " must be a whole number from " + min + " to " + max);
    }
    return parsed;
  }

  /** A count of threads or instances from 0 to {@code max}, where 0 means one per core. */
  int perCore(String key, int max) {
    int configured = intIn(key, 0, max);
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }

  /** A comma-separated list, trimmed, without empty items; each must match {@code pattern}. */
  List<String> list(String key, String pattern, String refusal) {
    String text = string(key).trim();
    if (text.isEmpty()) {
      return List.of();
    }
    return Arrays.stream(text.split(",")).map(String::trim).filter(item -> !item.isEmpty())
      .map(item -> {
        if (!item.matches(pattern)) {
          throw new ConfigException(key + ": '" + item + "' " + refusal);
        }
        return item;
      })
      .toList();
  }

  /** A list of origins such as {@code https://example.com} or {@code *}; empty when none are configured. */
  Set<String> origins(String key) {
    return list(key, "\\*|https?://[^/\\s]+", "is not an origin like https://example.com").stream()
      .collect(Collectors.toUnmodifiableSet());
  }
}
