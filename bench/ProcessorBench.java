import dev.avatarservice.http.avatar.AvatarImageProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The raw rate of AvatarImageProcessor.toPng (sniff, header checks, decode, scale to 512, PNG) on a
 * ~1 MP JPEG, with N threads each converting in a loop: no HTTP, no store, no event loop.
 *
 * <p>Arguments: threads (default: cores), seconds measured (default 20), seconds of warm-up (default 5).
 */
public final class ProcessorBench {

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    byte[] jpeg = BenchImage.jpeg();
    AvatarImageProcessor processor = new AvatarImageProcessor(AvatarImageProcessor.DEFAULT_MAX_PIXELS,
      AvatarImageProcessor.DEFAULT_MAX_SIDE);
    int pngBytes = processor.toPng(jpeg).length;

    run(processor, jpeg, threads, warmup);
    long started = System.nanoTime();
    long done = run(processor, jpeg, threads, seconds);
    double elapsed = (System.nanoTime() - started) / 1e9;
    System.out.printf("processor: %d threads, input %dx%d JPEG of %d bytes -> PNG of %d bytes: %d images in %.1f s = %.1f images/s (%.1f ms each per thread)%n",
      threads, BenchImage.WIDTH, BenchImage.HEIGHT, jpeg.length, pngBytes, done, elapsed, done / elapsed,
      threads * elapsed * 1000 / done);
  }

  private static long run(AvatarImageProcessor processor, byte[] jpeg, int threads, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        workers.add(pool.submit(() -> {
          long count = 0;
          while (System.nanoTime() < deadline) {
            processor.toPng(jpeg);
            count++;
          }
          return count;
        }));
      }
      long total = 0;
      for (Future<Long> worker : workers) {
        total += worker.get();
      }
      return total;
    } finally {
      pool.shutdown();
    }
  }
}
