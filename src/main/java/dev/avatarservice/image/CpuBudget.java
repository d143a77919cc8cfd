package dev.avatarservice.image;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time one upload may use on its image thread. CPU time rather than wall time, so that an
 * upload that merely waited for a busy core is not refused; where the JVM cannot measure a thread's
 * CPU time, wall time stands in. Checked by the thread itself (between steps, and in the decoder's
 * progress callbacks, which run on it): the JDK's JPEG reader refuses {@code abort()} from another
 * thread while it reads.
 */
final class CpuBudget {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

  private final long limitNanos;
  private final long start;

  private CpuBudget(long limitNanos) {
    this.limitNanos = limitNanos;
    this.start = now();
  }

  /** Starts counting on the calling thread. */
  static CpuBudget start(long limitMillis) {
    return new CpuBudget(limitMillis * 1_000_000L);
  }

  boolean exceeded() {
    return now() - start > limitNanos;
  }

  /** Nanoseconds used so far. */
  long used() {
    return now() - start;
  }

  void check() throws ImageRejectedException {
    if (exceeded()) {
      throw new ImageRejectedException(ImageRejectedException.Reason.TOO_COMPLEX);
    }
  }

  private static long now() {
    return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
