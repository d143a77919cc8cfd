package dev.avatarservice.config;

import java.util.List;

/**
 * Whether and how the node joins the Hazelcast cluster (read by {@code Node} and
 * {@code cluster.HazelcastSettings}).
 *
 * @param enabled         CLUSTER (or {@code --cluster})
 * @param host            CLUSTER_HOST: the address this node's event bus listens on and other nodes reach it at
 * @param busPort         CLUSTER_BUS_PORT: the event bus port; 0 picks a free one
 * @param name            CLUSTER_NAME: the Hazelcast cluster name; empty keeps the one of the Hazelcast file
 * @param members         CLUSTER_MEMBERS: the members to join over TCP/IP ({@code host}, {@code host:port},
 *                        or Hazelcast's {@code 10.0.0.1-9} ranges); empty keeps the join settings of the file
 * @param port            CLUSTER_PORT: the Hazelcast member port; 0 keeps the one of the file
 * @param hazelcastConfig HAZELCAST_CONFIG: a file, else a class-path resource of that name;
 *                        {@code classpath:NAME} for a resource only; empty for vertx-hazelcast's own lookup
 */
public record ClusterSettings(boolean enabled, String host, int busPort, String name, List<String> members, int port,
                              String hazelcastConfig) {
}
