package dev.avatarservice.config;

/** Configuration that cannot work; the message is the one line an operator sees. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}
