package dev.avatarservice.config;

import java.nio.charset.StandardCharsets;

/**
 * What the management listener needs: where it listens, whether the admin API is on, and where
 * backups go.
 *
 * @param host          MANAGEMENT_HOST: the address it listens on (loopback by default: operators
 *                      reach it on the host, or through a port published only to them)
 * @param port          MANAGEMENT_PORT: its port; 0 turns the management listener off
 * @param metricsPublic METRICS_PUBLIC: whether {@code /metrics} is served on the public port too
 * @param adminToken    ADMIN_TOKEN as UTF-8 bytes, at least 32; empty when the admin API is off
 * @param backupDir     BACKUP_DIR: the folder {@code POST /admin/backup} writes into
 */
public record ManagementSettings(String host, int port, boolean metricsPublic, byte[] adminToken, String backupDir) {

  /** The shortest ADMIN_TOKEN accepted: 256 bits of a random token. */
  public static final int MIN_TOKEN_BYTES = 32;

  public boolean enabled() {
    return port > 0;
  }

  public boolean adminEnabled() {
    return adminToken.length > 0;
  }

  /** The token as text, for the command line that sends it. */
  public String adminTokenText() {
    return new String(adminToken, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    // never the token
    return "ManagementSettings[host=" + host + ", port=" + port + ", metricsPublic=" + metricsPublic
      + ", admin=" + (adminEnabled() ? "on" : "off") + ", backupDir=" + backupDir + "]";
  }
}
