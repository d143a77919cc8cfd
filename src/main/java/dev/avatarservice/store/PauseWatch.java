package dev.avatarservice.store;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Notices that this JVM stopped running for a while (SIGSTOP, a long garbage collection, a starved
 * machine): a thread of its own ticks every {@code tickMillis} and calls {@code onPause} when two
 * ticks lie more than {@code limitMillis} apart. {@link #fresh()} says the same to a request that
 * arrives before the ticker has run again after such a pause. Its own thread, not an event-loop
 * timer: an event loop busy for a while is no pause of the JVM, and Hazelcast keeps heartbeating.
 * {@link System#nanoTime()} keeps counting while the process is stopped, so a pause shows as a gap.
 */
final class PauseWatch implements AutoCloseable {

  private final long limitNanos;
  private final LongSupplier changes;
  private final Runnable onPause;
  private final ScheduledExecutorService ticker;
  private volatile long lastTick;
  /** The membership changes seen at the last tick before now: what a pause is judged against. */
  private volatile long changesAtLastTick;

  /**
   * @param changes the membership changes this member has seen so far, sampled at every tick
   * @param onPause called on the ticker's thread when a gap is seen, with {@link #fresh()} already false
   */
  PauseWatch(long tickMillis, long limitMillis, LongSupplier changes, Runnable onPause) {
    this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMillis);
    this.changes = changes;
    this.onPause = onPause;
    this.lastTick = System.nanoTime();
    this.changesAtLastTick = changes.getAsLong();
    this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "store-role-pause-watch");
      thread.setDaemon(true);
      return thread;
    });
    ticker.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = System.nanoTime();
    if (now - lastTick > limitNanos) {
      // before the tick moves on: a request that reads a fresh tick must not miss this pause
      onPause.run();
    }
    changesAtLastTick = changes.getAsLong();
    lastTick = now;
  }

  /** Whether the JVM has run without a pause longer than the limit up to now. */
  boolean fresh() {
    return System.nanoTime() - lastTick <= limitNanos;
  }

  /** The membership changes at the last tick (before a pause, when called from {@code onPause}). */
  long changesBeforePause() {
    return changesAtLastTick;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
