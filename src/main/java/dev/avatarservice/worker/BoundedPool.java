package dev.avatarservice.worker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blocking work (password hashing, images) off the event loop, on a named worker pool of its own,
 * with a bounded queue: beyond {@code threads + queue} jobs in progress on the node, a job is refused
 * at once with {@link PoolBusyException}, so a flood costs a counter, not memory or latency for
 * every other route. The pool and its count are per node: every verticle instance that asks for the
 * same name gets its own handle on the same threads and the same count.
 */
public final class BoundedPool {

  private static final String COUNTS = "avatar-service.bounded-pools";

  private final WorkerExecutor executor;
  private final InFlight inFlight;
  private final int capacity;
  private final String busyMessage;
  private final long retryAfterSeconds;

  BoundedPool(WorkerExecutor executor, InFlight inFlight, int capacity, String busyMessage, long retryAfterSeconds) {
    this.executor = executor;
    this.inFlight = inFlight;
    this.capacity = capacity;
    this.busyMessage = busyMessage;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * This verticle's handle on the node's pool of that name. The handle is closed with the verticle
   * that made it; the threads stay while any handle is open.
   */
  public static BoundedPool shared(Vertx vertx, String name, int threads, int queue, String busyMessage,
                                   long retryAfterSeconds) {
    LocalMap<String, InFlight> counts = vertx.sharedData().getLocalMap(COUNTS);
    InFlight created = new InFlight();
    InFlight existing = counts.putIfAbsent(name, created);
    return new BoundedPool(vertx.createSharedWorkerExecutor(name, threads), existing == null ? created : existing,
      threads + queue, busyMessage, retryAfterSeconds);
  }

  /** Runs the work on a thread of the pool, unordered; refused at once when the pool is full. */
  public <T> Future<T> run(Callable<T> work) {
    if (inFlight.count.incrementAndGet() > capacity) {
      inFlight.count.decrementAndGet();
      return Future.failedFuture(new PoolBusyException(busyMessage, retryAfterSeconds));
    }
    return executor.<T>executeBlocking(work, false).andThen(done -> inFlight.count.decrementAndGet());
  }

  /** The node-wide count of one pool's jobs, running or waiting. */
  static final class InFlight implements Shareable {
    private final AtomicInteger count = new AtomicInteger();
  }
}
