package dev.avatarservice.account;

import dev.avatarservice.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Password hashing off the event loop, on a shared worker pool of its own sized to the cores, with a bounded
 * queue: beyond {@code threads + queue} hashes in progress a request is refused at once with 503
 * and {@code Retry-After}, so a login flood costs the server a counter, not memory or latency for
 * every other route. One per node, shared by the HTTP verticle instances.
 */
public final class HashingGate implements Shareable {

  private final int capacity;
  private final AtomicInteger inFlight = new AtomicInteger();

  public HashingGate(int threads, int queue) {
    this.capacity = threads + queue;
  }

  /** Runs the work on that executor (each verticle instance has its handle on the shared pool). */
  public <T> Future<T> run(WorkerExecutor executor, Callable<T> work) {
    if (inFlight.incrementAndGet() > capacity) {
      inFlight.decrementAndGet();
      return Future.failedFuture(ApiException.unavailable("too many logins in progress; try again shortly", 1));
    }
    return executor.<T>executeBlocking(work, false).andThen(done -> inFlight.decrementAndGet());
  }

  /** Hashes in progress or waiting, for the metrics. */
  public int inFlight() {
    return inFlight.get();
  }
}
