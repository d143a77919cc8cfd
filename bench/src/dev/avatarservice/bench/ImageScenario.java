package dev.avatarservice.bench;

import dev.avatarservice.image.AvatarImageProcessor;
import dev.avatarservice.image.AvatarImages;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 4c. The avatar pipeline against libvips, the anchor: per upload, the service makes the 512 avatar
 * and its 256, 128 and 64 variants; {@code vipsthumbnail} (Debian's {@code libvips-tools}) makes the
 * same sizes the same way (512 from the original, each smaller one from that 512), JPEG quality 85
 * without metadata, one process per size over a batch of files, on the same core as the node, in the
 * same run. For a 4000x3000 phone-style photo (about 3 MB) and a 1280x800 one.
 *
 * <p>Reported per image: the node's CPU time per upload through HTTP, one at a time (decoding,
 * scaling, encoding, and the HTTP and store work around them), against vipsthumbnail's CPU time per
 * image (user and system time of its processes), which is the comparison on a shared machine; wall
 * times of both are reported too;
 * the bytes of each size against vips' JPEG; and the heap one upload needs (measured in this process
 * on the processor alone: bytes allocated, and the peak of the used heap above idle, sampled).
 * Skipped, with the reason, where {@code vipsthumbnail} is not installed.
 */
final class ImageScenario {

  static final int BATCH = 8;
  static final int[] SIZES = {512, 256, 128, 64};
  private final Bench b;

  ImageScenario(Bench bench) {
    this.b = bench;
  }

  void run() throws Exception {
    if (!onPath("vipsthumbnail")) {
      log("image scenario skipped: vipsthumbnail is not installed (Debian: apt-get install -y libvips-tools)");
      b.row("4c", "avatar pipeline vs libvips", "skipped: vipsthumbnail not installed (apt-get install -y libvips-tools)",
        "-", "-", "-", null, "-");
      return;
    }
    Map<String, byte[]> inputs = new LinkedHashMap<>();
    inputs.put("4000x3000", BenchImage.jpeg(4000, 3000));
    inputs.put("1280x800", BenchImage.jpeg());
    Path dir = b.freshDir("image");
    int port = Proc.freePort();
    try (Proc node = b.startNode("node", dir, port, Map.of(), b.serverCpus)) {
      node.awaitStatus200(port, "/health", 120_000);
      Api api = new Api(b.vertx, port, 2);
      String token = api.register(1, 1).get(0).getString("accessToken");
      for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
        measure(node, api, token, dir, input.getKey(), input.getValue());
      }
      api.close();
    }
  }

  private void measure(Proc node, Api api, String token, Path dir, String name, byte[] jpeg) throws Exception {
    Buffer body = Buffer.buffer(jpeg);
    IntFunction<Future<Integer>> upload = lane -> api.client.post("/api/user/avatar").timeout(Api.TIMEOUT_MS)
      .bearerTokenAuthentication(token).putHeader("Content-Type", "image/jpeg")
      .sendBuffer(body).map(response -> response.statusCode());
    Load.closedLoop(b.vertx, 1, b.warmup, node.pid(), upload);
    double serviceMs = Double.MAX_VALUE;
    double serviceCpuMs = Double.MAX_VALUE;
    double vipsMs = Double.MAX_VALUE;
    double vipsCpuMs = Double.MAX_VALUE;
    Map<Integer, Long> vipsBytes = null;
    for (int round = 1; round <= b.rounds; round++) {
      Load.Result service = Load.closedLoop(b.vertx, 1, Math.max(5, b.seconds), node.pid(), upload);
      if (service.count(200) != service.total()) {
        throw new IllegalStateException("uploads failed: " + service.statusText());
      }
      double ms = Math.max(5, b.seconds) * 1000 / service.total();
      Vips vips = vips(dir.resolve("vips-" + name), jpeg);
      double cpuMs = service.serverCpuNanos / 1e6 / service.total();
      log("%s round %d: service %.1f ms per upload (server CPU %.1f ms); vipsthumbnail %.1f ms per image (CPU %.1f ms)",
        name, round, ms, cpuMs, vips.msPerImage, vips.cpuMsPerImage);
      serviceMs = Math.min(serviceMs, ms);
      serviceCpuMs = Math.min(serviceCpuMs, cpuMs);
      vipsCpuMs = Math.min(vipsCpuMs, vips.cpuMsPerImage);
      if (vips.msPerImage < vipsMs) {
        vipsMs = vips.msPerImage;
        vipsBytes = vips.bytes;
      }
    }
    Map<Integer, Integer> served = servedBytes(api, token, body);
    Heap heap = heap(jpeg);
    // CPU time is the comparison: on a shared machine wall times measure the neighbours too
    double ratio = serviceCpuMs / vipsCpuMs;
    b.row("4c", f("%s JPEG of %d KB to 512+256+128+64, one upload at a time", name, jpeg.length / 1000),
      f("%.1f ms CPU per upload (%.1f ms wall)", serviceCpuMs, serviceMs),
      f("vipsthumbnail %.1f ms CPU per image (%.1f ms wall)", vipsCpuMs, vipsMs),
      f("%.2fx libvips CPU (%.2fx wall)", ratio, serviceMs / vipsMs), "<= 1.5x", ratio <= 1.5,
      f("%.1f ms per upload", serviceCpuMs));
    StringBuilder bytes = new StringBuilder();
    for (int size : SIZES) {
      bytes.append(f("%d: %.1f KB vs %.1f KB; ", size, served.get(size) / 1024.0, vipsBytes.get(size) / 1024.0));
    }
    b.row("4d", f("%s: bytes served per size vs libvips JPEG Q85", name), bytes.toString().trim(), "-",
      f("512: %.2fx", served.get(512) / (double) vipsBytes.get(512)), "512 <= 40 KB", served.get(512) <= 40 * 1024,
      "-");
    b.row("4e", f("%s: heap per upload (processor alone)", name),
      f("peak %.1f MB above idle (sampled, includes garbage)", heap.peakBytes / 1e6),
      "-", f("%.1f MB allocated", heap.allocatedBytes / 1e6), "-", null, "-");
  }

  /** Bytes of each size as a client gets them. */
  private static Map<Integer, Integer> servedBytes(Api api, String token, Buffer body) {
    JsonObject data = api.client.post("/api/user/avatar").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/jpeg").sendBuffer(body).await().bodyAsJsonObject().getJsonObject("data");
    String path = java.net.URI.create(data.getString("avatarUrl")).getRawPath();
    Map<Integer, Integer> bytes = new LinkedHashMap<>();
    for (int size : SIZES) {
      bytes.put(size, api.client.get(path + "?size=" + size).send().await().body().length());
    }
    return bytes;
  }

  private record Vips(double msPerImage, double cpuMsPerImage, Map<Integer, Long> bytes) {
  }

  /**
   * vipsthumbnail over a batch: one process for the 512s from the originals, then one per smaller
   * size from those 512s, as the service does.
   */
  private Vips vips(Path dir, byte[] jpeg) throws IOException, InterruptedException {
    Path in = Files.createDirectories(dir.resolve("in"));
    Path out = Files.createDirectories(dir.resolve("out"));
    try (Stream<Path> old = Files.list(out)) {
      for (Path p : (Iterable<Path>) old::iterator) {
        Files.delete(p);
      }
    }
    List<String> originals = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      Path file = in.resolve("p" + i + ".jpg");
      Files.write(file, jpeg);
      originals.add(file.toString());
    }
    long start = System.nanoTime();
    long cpu = vipsthumbnail(originals, 512, out.resolve("%s_512.jpg[Q=85,strip]").toString());
    List<String> fives = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      fives.add(out.resolve("p" + i + "_512.jpg").toString());
    }
    for (int size : new int[] {256, 128, 64}) {
      cpu += vipsthumbnail(fives, size, out.resolve("%s_" + size + ".jpg[Q=85,strip]").toString());
    }
    double ms = (System.nanoTime() - start) / 1e6 / BATCH;
    Map<Integer, Long> bytes = new LinkedHashMap<>();
    bytes.put(512, Files.size(out.resolve("p0_512.jpg")));
    for (int size : new int[] {256, 128, 64}) {
      bytes.put(size, Files.size(out.resolve("p0_512_" + size + ".jpg")));
    }
    return new Vips(ms, cpu / 1e6 / BATCH, bytes);
  }

  /**
   * Runs one vipsthumbnail process on the server cores and answers its CPU time (user + system, all
   * its threads), read from the shell that waited for it (cutime + cstime of /proc/$$/stat).
   */
  private long vipsthumbnail(List<String> files, int size, String output) throws IOException, InterruptedException {
    StringBuilder command = new StringBuilder("taskset -c " + b.serverCpus + " vipsthumbnail");
    for (String file : files) {
      command.append(" '").append(file).append('\'');
    }
    command.append(" -s ").append(size).append(" -o '").append(output).append("' || exit 1; echo STAT $(cat /proc/$$/stat)");
    Process process = new ProcessBuilder("sh", "-c", command.toString()).redirectErrorStream(true).start();
    String text = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0 || !text.contains("STAT ")) {
      throw new IllegalStateException("vipsthumbnail failed: " + text);
    }
    String stat = text.substring(text.indexOf("STAT ") + 5).trim();
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 1_000_000_000L / Proc.CLK_TCK;
  }

  private record Heap(long allocatedBytes, long peakBytes) {
  }

  /**
   * The processor alone, in this process, after a warm-up: the bytes one call allocates (exact,
   * per thread) and the peak of the used heap above the idle level while it runs (sampled every
   * millisecond, so garbage not yet collected counts too: an upper bound).
   */
  private static Heap heap(byte[] jpeg) throws Exception {
    AvatarImageProcessor processor = new AvatarImageProcessor(AvatarImageProcessor.DEFAULT_MAX_PIXELS,
      AvatarImageProcessor.DEFAULT_MAX_SIDE, AvatarImageProcessor.DEFAULT_SIZES, AvatarImageProcessor.DEFAULT_DECODE_MEMORY,
      AvatarImageProcessor.DEFAULT_CPU_BUDGET_MS * 10);
    for (int i = 0; i < 5; i++) {
      processor.process(jpeg);
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long allocated = Long.MAX_VALUE;
    long peak = 0;
    for (int i = 0; i < 3; i++) {
      System.gc();
      long idle = memory.getHeapMemoryUsage().getUsed();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong max = new AtomicLong(idle);
      Thread sampler = new Thread(() -> {
        while (running.get()) {
          max.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.start();
      long before = threads.getCurrentThreadAllocatedBytes();
      AvatarImages images = processor.process(jpeg);
      long after = threads.getCurrentThreadAllocatedBytes();
      running.set(false);
      sampler.join();
      if (images.main().length == 0) {
        throw new IllegalStateException("no avatar");
      }
      allocated = Math.min(allocated, after - before);
      peak = Math.max(peak, max.get() - idle);
    }
    return new Heap(allocated, peak);
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
