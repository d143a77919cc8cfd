package dev.avatarservice.bus;

/**
 * Names of the cluster-wide shared data (Hazelcast maps and locks when clustered, local otherwise),
 * so that the code that uses one and the cluster configuration that tunes it agree.
 */
public final class SharedNames {

  /** AsyncMap of failed logins by (identifier, client address): the login throttle's counts. */
  public static final String LOGIN_FAILURES = "avatar-service.login-failures";
  /** Lock held by the node that runs the store role on SQLite, for as long as it runs it. */
  public static final String STORE_ROLE_LOCK = "avatar-service.store-role";

  /**
   * AsyncMap with one entry, {@code holder}: the JSON {address, host, pid, database} of the node that
   * last took the store role, which a standby reads to judge how long to wait when it takes over.
   */
  public static final String STORE_HOLDER = "avatar-service.store-holder";

  private SharedNames() {
  }
}
