package dev.avatarservice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process started by the benchmark (a node, the raw harness), pinned to a set of cores with
 * {@code taskset}, its output in a log file; and what Linux says about any process: CPU time
 * (utime + stime of /proc/PID/stat) and resident memory (VmRSS).
 */
final class Proc implements AutoCloseable {

  /** Clock ticks per second of /proc/PID/stat (getconf CLK_TCK; 100 on Linux). */
  static final long CLK_TCK = Long.getLong("clk.tck", 100);

  /** Every process started, so that none outlives a benchmark that is interrupted or fails. */
  private static final java.util.Set<Process> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.stream().filter(Process::isAlive)
      .forEach(Process::destroyForcibly), "bench-children"));
  }

  final Process process;
  final Path log;
  final String name;

  private Proc(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    STARTED.add(process);
  }

  /** Starts {@code taskset -c cpus command...} in {@code dir}, with {@code env} added, output to {@code log}. */
  static Proc start(String name, String cpus, List<String> command, Map<String, String> env, Path dir, Path log)
    throws IOException {
    List<String> full = new ArrayList<>();
    if (cpus != null && !cpus.isEmpty()) {
      full.addAll(List.of("taskset", "-c", cpus));
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full).directory(dir.toFile())
      .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new Proc(name, builder.start(), log);
  }

  /** Like {@link #start} but with stdin/stdout as pipes (the raw harness); stderr goes to the log. */
  static Proc startPiped(String name, String cpus, List<String> command, Path dir, Path log) throws IOException {
    List<String> full = new ArrayList<>(List.of("taskset", "-c", cpus));
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full).directory(dir.toFile())
      .redirectError(log.toFile());
    return new Proc(name, builder.start(), log);
  }

  long pid() {
    return process.pid();
  }

  long cpuNanos() {
    return cpuNanos(pid());
  }

  long rssBytes() {
    return rssBytes(pid());
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines of the log, to explain a failure. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  // ------------------------------------------------------------------ /proc

  /** utime + stime of a process (all its threads), in nanoseconds. */
  static long cpuNanos(long pid) {
    String[] fields = statFields(pid);
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1_000_000_000L / CLK_TCK;
  }

  /** utime and stime of a process, in nanoseconds. */
  static long[] userAndSystemNanos(long pid) {
    String[] fields = statFields(pid);
    return new long[] {Long.parseLong(fields[11]) * 1_000_000_000L / CLK_TCK,
      Long.parseLong(fields[12]) * 1_000_000_000L / CLK_TCK};
  }

  /** Context switches of the whole machine so far (ctxt of /proc/stat). */
  static long contextSwitches() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("ctxt ")) {
          return Long.parseLong(line.substring(5).trim());
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }

  /** The fields of /proc/PID/stat after the command name: index 0 is field 3 (state). */
  static String[] statFields(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/stat: " + e.getMessage(), e);
    }
  }

  /** CPU time per thread name (digits folded, so that a pool counts as one), in nanoseconds. */
  static java.util.Map<String, Long> threadCpuNanos(long pid) {
    java.util.Map<String, Long> byName = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
          long nanos = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1_000_000_000L / CLK_TCK;
          byName.merge(name, nanos, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return byName;
    }
    return byName;
  }

  /** The threads that used the most CPU between two {@link #threadCpuNanos} readings, in ms per op. */
  static String topThreads(java.util.Map<String, Long> before, java.util.Map<String, Long> after, long ops, int top) {
    return after.entrySet().stream()
      .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
      .filter(e -> e.getValue() > 0)
      .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
      .limit(top)
      .map(e -> String.format(java.util.Locale.ROOT, "%s %.3f", e.getKey(), e.getValue() / 1e6 / Math.max(1, ops)))
      .collect(java.util.stream.Collectors.joining(", "));
  }

  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
    }
    return -1;
  }

  static long selfCpuNanos() {
    return cpuNanos(ProcessHandle.current().pid());
  }

  // ------------------------------------------------------------------ network

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The status of a plain blocking HTTP/1.0 GET on 127.0.0.1, or -1 (refused, timeout, garbage). */
  static int httpStatus(int port, String path, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = new byte[12];
      int read = 0;
      while (read < head.length) {
        int n = in.read(head, read, head.length - read);
        if (n < 0) {
          return -1;
        }
        read += n;
      }
      return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Waits until GET path answers 200; fails if the process dies or the time runs out. */
  void awaitStatus200(int port, String path, long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (httpStatus(port, path, 1000) != 200) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited during start-up:\n" + tail(30));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " not ready on " + path + " after " + timeoutMillis + " ms:\n" + tail(30));
      }
      sleep(20);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
