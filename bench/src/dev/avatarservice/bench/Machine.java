package dev.avatarservice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the results were measured on: cores, CPU model, RAM, JDK, and the load at the time. */
final class Machine {

  private Machine() {
  }

  static String describe(String loadAtStart) {
    return Bench.f("%d cores online (%s), %s, RAM %.1f GiB, JDK %s, Linux %s; load average (1, 5, 15 min) %s at the"
        + " start, %s at the end", processors(), read("/sys/devices/system/cpu/online").trim(), cpuModel(),
      memTotalKib() / 1024.0 / 1024.0, System.getProperty("java.vm.version"), System.getProperty("os.version"),
      loadAtStart, loadAverage());
  }

  static long processors() {
    return read("/proc/cpuinfo").lines().filter(line -> line.startsWith("processor")).count();
  }

  static String cpuModel() {
    for (String line : read("/proc/cpuinfo").split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown CPU";
  }

  static long memTotalKib() {
    for (String line : read("/proc/meminfo").split("\n")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  static String loadAverage() {
    String[] parts = read("/proc/loadavg").split(" ");
    return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "?";
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "?";
    }
  }
}
