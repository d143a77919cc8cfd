package dev.avatarservice.http.avatar;

import dev.avatarservice.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Image work off the event loop, on a shared worker pool of its own ({@code IMAGE_THREADS}), with a
 * bounded queue ({@code IMAGE_QUEUE}): a decode may hold up to {@code AVATAR_DECODE_MEMORY}, so beyond
 * {@code threads + queue} images in progress an upload is refused at once with 503 and
 * {@code Retry-After} rather than piling up memory. One per node, shared by the HTTP verticle
 * instances (each has its own handle on the shared pool).
 */
final class ImageGate implements Shareable {

  private final int capacity;
  private final AtomicInteger inFlight = new AtomicInteger();

  ImageGate(int threads, int queue) {
    this.capacity = threads + queue;
  }

  <T> Future<T> run(WorkerExecutor executor, Callable<T> work) {
    if (inFlight.incrementAndGet() > capacity) {
      inFlight.decrementAndGet();
      return Future.failedFuture(ApiException.unavailable("too many images in progress; try again shortly", 2));
    }
    return executor.<T>executeBlocking(work, false).andThen(done -> inFlight.decrementAndGet());
  }

  /** Images in progress or waiting. */
  int inFlight() {
    return inFlight.get();
  }
}
