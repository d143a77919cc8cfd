package dev.avatarservice.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The name, version and git commit of this build, written into {@code build-info.properties} by
 * Maven (resource filtering, the commit from git-commit-id-maven-plugin), never typed by hand. A build
 * without git metadata (a source archive, a Docker build without {@code .git}) says {@code unknown}.
 */
public record BuildInfo(String name, String version, String commit) {

  private static final String UNKNOWN = "unknown";
  private static final BuildInfo CURRENT = load();

  public static BuildInfo current() {
    return CURRENT;
  }

  private static BuildInfo load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/build-info.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // reported as unknown below
    }
    return new BuildInfo(value(properties, "name", "avatar-service"), value(properties, "version", UNKNOWN),
      value(properties, "commit", UNKNOWN));
  }

  /** The property, or the fallback when it is missing or was left unfiltered ({@code ${...}}). */
  private static String value(Properties properties, String key, String fallback) {
    String value = properties.getProperty(key, "").trim();
    return value.isEmpty() || value.startsWith("${") ? fallback : value;
  }
}
