package dev.avatarservice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 7. Start-up: from spawning {@code java -jar avatar-service.jar} on fresh data (new folder, the
 * database created and migrated) to the first {@code 200} of {@code GET /health}, polled every 10 ms;
 * then the resident memory of the idle node 5 s later. Several starts each on the server core
 * alone and on both cores (nothing else of the benchmark runs meanwhile).
 */
final class StartupScenario {

  static final int STARTS = Integer.getInteger("bench.startup.runs", 5);
  private static final Pattern STARTED = Pattern.compile("started in ([0-9]+) ms");
  private final Bench b;

  StartupScenario(Bench bench) {
    this.b = bench;
  }

  void run() throws Exception {
    measure(b.serverCpus, "1 core", List.of(), "7a", "7b");
    measure(b.serverCpus + "," + b.loadCpus, "2 cores", List.of(), "7c", "7d");
    // A deployment option, not the default: an AppCDS archive of the classes a start loads, made by
    // one training start (-XX:ArchiveClassesAtExit writes it when the JVM exits).
    Path archive = b.freshDir("startup-cds").resolve("avatar-service.jsa");
    int port = Proc.freePort();
    try (Proc training = b.startNode("node", archive.getParent(), port, Map.of(), b.serverCpus,
      List.of("-XX:ArchiveClassesAtExit=" + archive))) {
      training.awaitStatus200(port, "/ready", 60_000);
    }
    if (Files.isRegularFile(archive)) {
      measure(b.serverCpus, "1 core, with an AppCDS archive", List.of("-XX:SharedArchiveFile=" + archive), "7e", null);
    } else {
      log("no AppCDS archive was written; skipping that measurement");
    }
  }

  /** STARTS fresh starts: row {@code id} for the time to healthy, {@code rssId} (if any) for the idle RSS. */
  private void measure(String cpus, String label, List<String> jvmOptions, String id, String rssId) throws Exception {
    List<Double> healthy = new ArrayList<>();
    List<Double> logged = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    String gc = "?";
    for (int run = 1; run <= STARTS; run++) {
      Path dir = b.freshDir("startup-" + id + "-" + cpus.replace(',', '-') + "-" + run);
      int port = Proc.freePort();
      long t0 = System.nanoTime();
      try (Proc node = b.startNode("node", dir, port, Map.of(), cpus, jvmOptions)) {
        while (Proc.httpStatus(port, "/health", 200) != 200) {
          if (!node.alive()) {
            throw new IllegalStateException("the node exited:\n" + node.tail(30));
          }
          if (System.nanoTime() - t0 > 60_000_000_000L) {
            throw new IllegalStateException("not healthy after 60 s:\n" + node.tail(30));
          }
          Proc.sleep(10);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        double cpuMs = node.cpuNanos() / 1e6;
        Proc.sleep(5000);
        double rssMib = node.rssBytes() / 1024.0 / 1024.0;
        gc = collector(node.pid());
        Matcher started = STARTED.matcher(Files.readString(node.log));
        double mainMs = started.find() ? Double.parseDouble(started.group(1)) : Double.NaN;
        healthy.add(ms);
        logged.add(mainMs);
        rss.add(rssMib);
        cpu.add(cpuMs);
        log("start %d on %s: healthy after %.0f ms (Main logs 'started in %.0f ms'; %.0f ms CPU by then); idle RSS 5 s"
          + " later %.1f MiB", run, label, ms, mainMs, cpuMs, rssMib);
      }
    }
    b.row(id, f("start-up to healthy, fresh data, %s (%d starts)", label, STARTS),
      f("median %.0f ms (min %.0f, max %.0f); Main's own 'started in' %.0f ms", Load.median(healthy),
        healthy.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        healthy.stream().mapToDouble(Double::doubleValue).max().orElse(0), Load.median(logged)), "-",
      f("%.0f ms", Load.median(healthy)), "< 2 s", Load.median(healthy) < 2000,
      f("%.0f ms CPU to healthy", Load.median(cpu)));
    if (rssId == null) {
      return;
    }
    b.row(rssId, f("resident memory of an idle node, %s (the JVM's default collector there: %s)", label, gc),
      f("median %.1f MiB", Load.median(rss)), "-", f("%.1f MiB", Load.median(rss)), "< 200 MiB",
      Load.median(rss) < 200, "-");
  }

  /** Which collector the JVM chose, from the names of its threads (Serial has none of its own). */
  private static String collector(long pid) {
    java.util.Set<String> threads = Proc.threadCpuNanos(pid).keySet();
    if (threads.stream().anyMatch(name -> name.startsWith("G1"))) {
      return "G1";
    }
    return threads.stream().anyMatch(name -> name.startsWith("GC Thread")) ? "Parallel" : "Serial";
  }
}
