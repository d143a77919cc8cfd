package dev.avatarservice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

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

  private final Proc proc;
  private final Writer in;
  private final BufferedReader out;

  Raw(Proc proc) {
    this.proc = proc;
    this.in = new OutputStreamWriter(proc.process.getOutputStream(), StandardCharsets.UTF_8);
    this.out = new BufferedReader(new InputStreamReader(proc.process.getInputStream(), StandardCharsets.UTF_8));
  }

  Result run(String command) throws IOException {
    in.write(command + "\n");
    in.flush();
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException("the raw harness died on '" + command + "':\n" + proc.tail(30));
    }
    String[] parts = line.trim().split(" ");
    return new Result(Long.parseLong(parts[0]), Double.parseDouble(parts[1]), Long.parseLong(parts[2]));
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
