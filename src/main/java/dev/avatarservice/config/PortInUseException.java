package dev.avatarservice.config;

/**
 * A listener could not bind its port because something else holds it. The message is the one line
 * an operator sees: the configuration key, the address and the port, and what to do.
 */
public final class PortInUseException extends RuntimeException {

  public PortInUseException(String key, String host, int port) {
    super(key + "=" + port + ": port " + port + " on " + host + " is already in use (another process, or another"
      + " node on this host); set " + key + " to a free port", null, false, false);
  }

  /** Whether a failed listen is a port someone else holds: Netty's native transports and the JDK's say it apart. */
  public static boolean isAddressInUse(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.BindException
        || (cause.getMessage() != null && cause.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }
}
