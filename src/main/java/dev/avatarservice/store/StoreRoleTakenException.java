package dev.avatarservice.store;

import dev.avatarservice.bus.SharedNames;

/** Another node of the cluster already runs the store role; the message is the one line an operator sees. */
public final class StoreRoleTakenException extends RuntimeException {

  public StoreRoleTakenException(Throwable cause) {
    super("another node of this cluster already runs the store role (lock '" + SharedNames.STORE_ROLE_LOCK + "' is held): "
      + "start this node without it (ROLES=http,notify) or stop the other store node first", cause, false, false);
  }
}
