package dev.avatarservice.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Layers the configuration: the bundled {@code conf/config.json} (every key and its default), then
 * {@code conf/config.json} of the working directory if present, then environment variables named
 * like the keys. Runs in {@code main}, before Vert.x exists (whether to cluster is configuration),
 * which is why this is plain blocking code rather than a vertx-config retriever.
 */
public final class ConfigLoader {

  static final String BUNDLED = "conf/config.json";

  private ConfigLoader() {
  }

  public static JsonObject load(Path workingDirectory, Map<String, String> environment) {
    JsonObject merged = bundledDefaults();
    Path local = workingDirectory.resolve(BUNDLED);
    if (Files.isRegularFile(local)) {
      JsonObject overrides = parse(read(local), local.toString());
      for (String key : overrides.fieldNames()) {
        if (!merged.containsKey(key)) {
          throw new ConfigException(local + ": unknown key " + key);
        }
        merged.put(key, overrides.getValue(key));
      }
    }
    for (String key : merged.fieldNames()) {
      String value = environment.get(key);
      if (value != null) {
        merged.put(key, value);
      }
    }
    return merged;
  }

  /** Every key with its default value. */
  public static JsonObject bundledDefaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new ConfigException("the bundled " + BUNDLED + " is missing from the class path");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled " + BUNDLED);
    } catch (IOException e) {
      throw new ConfigException("cannot read the bundled " + BUNDLED + ": " + e.getMessage());
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static JsonObject parse(String text, String origin) {
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException(origin + " is not a JSON object");
    }
  }
}
