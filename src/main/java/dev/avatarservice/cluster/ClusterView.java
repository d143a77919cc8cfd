package dev.avatarservice.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the store role needs to know of this node's Hazelcast membership, without touching Hazelcast
 * itself: the member's address (which names the store holder on {@code /ready}), the failure-detection
 * settings (its safety margins derive from them), and the events that say this member may have been
 * separated from the cluster. A node that is not clustered has a view with no events.
 */
public final class ClusterView implements AutoCloseable {

  /** Why a holder must stop serving: Hazelcast says it was separated, or is going away under it. */
  public enum Separation { MERGING, SHUTTING_DOWN }

  private final HazelcastInstance hazelcast;
  private final AtomicLong changes = new AtomicLong();
  private UUID membershipListener;
  private UUID lifecycleListener;

  private ClusterView(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /**
   * The view of this Vert.x's cluster member; {@code onSeparation} runs on a Hazelcast thread when
   * this member learns that it was cut off from the others (a split-brain merge begins) or shuts
   * down. Every membership change (a member removed, a merge) counts in {@link #changes()}.
   */
  public static ClusterView of(Vertx vertx, Consumer<Separation> onSeparation) {
    if (!(vertx instanceof VertxInternal internal) || !(internal.clusterManager() instanceof HazelcastClusterManager manager)) {
      return new ClusterView(null);
    }
    ClusterView view = new ClusterView(manager.getHazelcastInstance());
    view.membershipListener = view.hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // a member joining takes no role away
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        view.changes.incrementAndGet();
      }
    });
    view.lifecycleListener = view.hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
        view.changes.incrementAndGet();
        onSeparation.accept(Separation.MERGING);
      } else if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
        view.changes.incrementAndGet();
        onSeparation.accept(Separation.SHUTTING_DOWN);
      } else if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        view.changes.incrementAndGet();
      }
    });
    return view;
  }

  public boolean clustered() {
    return hazelcast != null;
  }

  /** This member's Hazelcast address ({@code host:port}), or null when the node is not clustered. */
  public String localAddress() {
    if (hazelcast == null) {
      return null;
    }
    var address = hazelcast.getCluster().getLocalMember().getAddress();
    return address.getHost() + ":" + address.getPort();
  }

  /** This member's identity in the cluster: a member that was removed and merged back gets a new one. */
  public String localMemberId() {
    return hazelcast == null ? "" : hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  /** Whether this member sees any other member of its cluster (a member cut off sees only itself). */
  public boolean others() {
    return hazelcast != null && hazelcast.getCluster().getMembers().size() > 1;
  }

  /** How many membership changes this member has seen: members removed, merges, shut-downs. */
  public long changes() {
    return changes.get();
  }

  /**
   * {@code hazelcast.max.no.heartbeat.seconds} in milliseconds: how long a member may stay silent
   * before the others remove it (0 when not clustered).
   */
  public long noHeartbeatMillis() {
    return hazelcast == null ? 0 : properties().getMillis(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS);
  }

  /** {@code hazelcast.heartbeat.interval.seconds} in milliseconds (0 when not clustered). */
  public long heartbeatMillis() {
    return hazelcast == null ? 0 : properties().getMillis(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS);
  }

  private HazelcastProperties properties() {
    return new HazelcastProperties(hazelcast.getConfig());
  }

  @Override
  public void close() {
    if (hazelcast == null) {
      return;
    }
    try {
      if (membershipListener != null) {
        hazelcast.getCluster().removeMembershipListener(membershipListener);
      }
      if (lifecycleListener != null) {
        hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
      }
    } catch (RuntimeException e) {
      // the instance is already gone: so are its listeners
    }
  }
}
