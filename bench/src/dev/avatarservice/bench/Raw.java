package dev.avatarservice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The benchmark's side of {@link RawHarness}: one command, one measured answer. */
final class Raw implements AutoCloseable {

  /** A raw measurement: operations, wall seconds, and the harness's CPU time. */
  record Result(long ops, double seconds, long cpuNanos) {
    double perSecond() {
      return ops / seconds;
    }

    double cpuMsPerOp() {
      return cpuNanos / 1e6 / ops;
    }
  }

  /**
   * How much longer than the command's own SECONDS its answer may take: the last operation of each
   * thread, the first command's set-up (schema, JIT). Beyond it the harness is stuck.
   */
  static final long MARGIN_SECONDS = 120;

  private final Proc proc;
  private final Writer in;
  /** The harness's output lines, read by a thread of their own so that waiting for one has a deadline; empty: its end. */
  private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();

  Raw(Proc proc) {
    this.proc = proc;
    this.in = new OutputStreamWriter(proc.process.getOutputStream(), StandardCharsets.UTF_8);
    BufferedReader out = new BufferedReader(new InputStreamReader(proc.process.getInputStream(), StandardCharsets.UTF_8));
    Thread reader = new Thread(() -> read(out), "raw-harness-output");
    reader.setDaemon(true);
    reader.start();
  }

  private void read(BufferedReader out) {
    try {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(Optional.of(line));
      }
    } catch (IOException e) {
      // the harness is gone: same as the end of its output
    }
    lines.add(Optional.empty());
  }

  Result run(String command) throws IOException {
    in.write(command + "\n");
    in.flush();
    long timeout = timeoutSeconds(command);
    Optional<String> line;
    try {
      line = lines.poll(timeout, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the raw harness's answer to '" + command + "'", e);
    }
    if (line == null) {
      throw new IllegalStateException("the raw harness gave no answer to '" + command + "' within " + timeout + " s:\n"
        + proc.tail(30));
    }
    if (line.isEmpty()) {
      throw new IllegalStateException("the raw harness died on '" + command + "':\n" + proc.tail(30));
    }
    String[] parts = line.get().trim().split(" ");
    return new Result(Long.parseLong(parts[0]), Double.parseDouble(parts[1]), Long.parseLong(parts[2]));
  }

  /** The command's SECONDS (its third word in every command of {@link RawHarness}) plus the margin. */
  static long timeoutSeconds(String command) {
    String[] words = command.trim().split(" ");
    double seconds = 0;
    if (words.length > 2) {
      try {
        seconds = Double.parseDouble(words[2]);
      } catch (NumberFormatException e) {
        // not a measured command: the margin alone
      }
    }
    return (long) Math.ceil(seconds) + MARGIN_SECONDS;
  }

  @Override
  public void close() {
    try {
      in.write("quit\n");
      in.flush();
    } catch (IOException e) {
      // gone already
    }
    proc.close();
  }
}
