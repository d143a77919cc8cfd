package dev.avatarservice.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generators: closed-loop lanes (throughput), an open-loop constant-rate client
 * (latency, measured from each request's intended send time, so queueing is never hidden), and
 * wrk. Each reports the statuses it saw, latencies in an HdrHistogram (microseconds), and the CPU
 * time the server and this client spent, read from /proc.
 */
final class Load {

  private Load() {
  }

  /** What one measured phase saw. */
  static final class Result {
    final Histogram micros;
    /** Latencies of the answers of each status (-1: no answer). */
    final Map<Integer, Histogram> byStatus;
    final Map<Integer, Long> statuses;
    final double seconds;
    /** Server CPU time during the phase, and this client's (or wrk's) CPU time. */
    final long serverCpuNanos;
    final long clientCpuNanos;
    /** The server's busiest threads during the phase, ms of CPU per answer (a diagnostic for the log). */
    String threads = "";
    /** The server's CPU per thread name during the phase (closed loops only). */
    Map<String, Long> threadNanos = Map.of();

    Result(Histogram micros, Map<Integer, Histogram> byStatus, double seconds, long serverCpuNanos,
           long clientCpuNanos) {
      this.micros = micros;
      this.byStatus = new TreeMap<>(byStatus);
      this.statuses = new TreeMap<>();
      byStatus.forEach((status, histogram) -> statuses.put(status, histogram.getTotalCount()));
      this.seconds = seconds;
      this.serverCpuNanos = serverCpuNanos;
      this.clientCpuNanos = clientCpuNanos;
    }

    long count(int status) {
      return statuses.getOrDefault(status, 0L);
    }

    long total() {
      return statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    long ok() {
      return statuses.entrySet().stream().filter(e -> e.getKey() >= 200 && e.getKey() < 300)
        .mapToLong(Map.Entry::getValue).sum();
    }

    double okPerSecond() {
      return ok() / seconds;
    }

    /** The share of the server's CPU that threads named {@code prefix}... used during the phase. */
    double cpuShare(String prefix) {
      long named = threadNanos.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue).sum();
      return serverCpuNanos == 0 ? Double.NaN : (double) named / serverCpuNanos;
    }

    /** Server CPU milliseconds per successful operation. */
    double serverCpuMsPerOk() {
      return ok() == 0 ? Double.NaN : serverCpuNanos / 1e6 / ok();
    }

    /** The client's share of its core during the phase, in percent. */
    double clientCpuPercent() {
      return 100.0 * clientCpuNanos / (seconds * 1e9);
    }

    double ms(double percentile) {
      return Load.ms(micros, percentile);
    }

    double maxMs() {
      return micros.getMaxValue() / 1000.0;
    }

    /** A percentile of the answers with these statuses, in ms. */
    double ms(double percentile, int... statusCodes) {
      Histogram merged = histogram();
      for (int status : statusCodes) {
        Histogram h = byStatus.get(status);
        if (h != null) {
          merged.add(h);
        }
      }
      return Load.ms(merged, percentile);
    }

    String statusText() {
      return statuses.toString();
    }
  }

  static Histogram histogram() {
    return new SynchronizedHistogram(TimeUnit.MINUTES.toMicros(10), 3);
  }

  // ---------------------------------------------------------------- closed loop

  /**
   * {@code lanes} requests in flight, each lane sending its next request when the previous one is
   * answered, for {@code seconds}. {@code request.apply(lane)} sends one and gives its status (-1 for
   * a failure without one). Latency is from send to answer.
   */
  static Result closedLoop(Vertx vertx, int lanes, double seconds, long serverPid, IntFunction<Future<Integer>> request) {
    Histogram micros = histogram();
    Map<Integer, Histogram> statuses = new ConcurrentHashMap<>();
    long serverCpu0 = Proc.cpuNanos(serverPid);
    Map<String, Long> threads0 = Proc.threadCpuNanos(serverPid);
    long clientCpu0 = Proc.selfCpuNanos();
    long started = System.nanoTime();
    long deadline = started + (long) (seconds * 1e9);
    List<Future<Void>> finished = new ArrayList<>();
    Context context = vertx.getOrCreateContext();
    for (int lane = 0; lane < lanes; lane++) {
      Promise<Void> done = Promise.promise();
      int l = lane;
      context.runOnContext(v -> next(l, deadline, request, micros, statuses, done));
      finished.add(done.future());
    }
    Future.all(finished).await();
    double elapsed = (System.nanoTime() - started) / 1e9;
    Result result = new Result(micros, statuses, elapsed, Proc.cpuNanos(serverPid) - serverCpu0,
      Proc.selfCpuNanos() - clientCpu0);
    Map<String, Long> threads1 = Proc.threadCpuNanos(serverPid);
    result.threads = Proc.topThreads(threads0, threads1, result.total(), 5);
    Map<String, Long> delta = new TreeMap<>();
    threads1.forEach((name, nanos) -> delta.put(name, nanos - threads0.getOrDefault(name, 0L)));
    result.threadNanos = delta;
    return result;
  }

  private static void next(int lane, long deadline, IntFunction<Future<Integer>> request, Histogram micros,
                           Map<Integer, Histogram> statuses, Promise<Void> done) {
    if (System.nanoTime() >= deadline) {
      done.complete();
      return;
    }
    long sent = System.nanoTime();
    Future<Integer> answer;
    try {
      answer = request.apply(lane);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(result -> {
      int status = result.succeeded() ? result.result() : -1;
      long latency = Math.max(0, (System.nanoTime() - sent) / 1000);
      micros.recordValue(latency);
      statuses.computeIfAbsent(status, k -> histogram()).recordValue(latency);
      next(lane, deadline, request, micros, statuses, done);
    });
  }

  // ---------------------------------------------------------------- open loop

  /** One kind of request for the open-loop client. */
  record Request(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    static Request get(String uri, Map<String, String> headers) {
      return new Request(HttpMethod.GET, uri, headers, null);
    }
  }

  static HttpClientAgent httpClient(Vertx vertx, int port, int connections, int timeoutMillis) {
    return vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true).setConnectTimeout(timeoutMillis),
      new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /**
   * Sends {@code requests} (cycled) at a constant {@code rate} per second for {@code seconds}: request
   * i is due at start + i / rate, whatever happened to the others (a 1 ms timer sends everything
   * due), and its latency runs from that due time to the end of its answer. Requests with no
   * answer within {@code timeoutMillis} count as status -1.
   */
  static Result openLoop(Vertx vertx, HttpClientAgent client, List<Request> requests, double rate, double seconds,
                         int timeoutMillis, long serverPid) {
    Histogram micros = histogram();
    Map<Integer, Histogram> statuses = new ConcurrentHashMap<>();
    long total = (long) (rate * seconds);
    AtomicLong answered = new AtomicLong();
    Promise<Void> done = Promise.promise();
    long serverCpu0 = serverPid > 0 ? Proc.cpuNanos(serverPid) : 0;
    Map<String, Long> threads0 = serverPid > 0 ? Proc.threadCpuNanos(serverPid) : Map.of();
    long clientCpu0 = Proc.selfCpuNanos();
    long[] sent = {0};
    long start = System.nanoTime();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> vertx.setPeriodic(1, 1, timer -> {
      long now = System.nanoTime();
      long due = Math.min(total, (long) ((now - start) / 1e9 * rate) + 1);
      while (sent[0] < due) {
        long intended = start + (long) (sent[0] / rate * 1e9);
        Request request = requests.get((int) (sent[0] % requests.size()));
        sent[0]++;
        RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri())
          .setIdleTimeout(timeoutMillis);
        request.headers().forEach(options::putHeader);
        client.request(options)
          .compose(req -> (request.body() == null ? req.send() : req.send(request.body()))
            .compose(response -> response.body().map(body -> response.statusCode())))
          .onComplete(result -> {
            long latency = (System.nanoTime() - intended) / 1000;
            int status = result.succeeded() ? result.result() : -1;
            if (latency > timeoutMillis * 1000L) {
              status = -1;
            }
            micros.recordValue(Math.max(0, latency));
            statuses.computeIfAbsent(status, k -> histogram()).recordValue(Math.max(0, latency));
            if (answered.incrementAndGet() == total) {
              done.tryComplete();
            }
          });
      }
      if (sent[0] >= total) {
        vertx.cancelTimer(timer);
      }
    }));
    // Waits for the last answers, or for the timeout after the last request was due.
    Future.any(done.future(), vertx.timer((long) (seconds * 1000) + timeoutMillis + 1000)).await();
    double elapsed = Math.max(seconds, (System.nanoTime() - start) / 1e9);
    // a copy: answers that come later must not change what is reported
    Histogram all = micros.copy();
    Map<Integer, Histogram> byStatus = new TreeMap<>();
    statuses.forEach((status, histogram) -> byStatus.put(status, histogram.copy()));
    long missing = total - all.getTotalCount();
    if (missing > 0) {
      // never answered: counted with the timeout as their latency, in the percentiles too
      all.recordValueWithCount(timeoutMillis * 1000L, missing);
      byStatus.computeIfAbsent(-1, k -> histogram()).recordValueWithCount(timeoutMillis * 1000L, missing);
    }
    Result result = new Result(all, byStatus, elapsed,
      serverPid > 0 ? Proc.cpuNanos(serverPid) - serverCpu0 : 0, Proc.selfCpuNanos() - clientCpu0);
    if (serverPid > 0) {
      result.threads = Proc.topThreads(threads0, Proc.threadCpuNanos(serverPid), result.total(), 5);
    }
    return result;
  }

  // ---------------------------------------------------------------- wrk

  /** One wrk run: requests/s, latency percentiles (ms), non-2xx count, socket errors, and CPU times. */
  record Wrk(double rps, long requests, double seconds, double p50, double p99, long non2xx, String errors,
             long serverCpuNanos, long wrkCpuNanos, String threads, long serverUserNanos, long serverSystemNanos,
             long contextSwitches) {
    /** "user X us + system Y us, Z context switches (machine-wide, wrk's included) per request". */
    String split() {
      return String.format(java.util.Locale.ROOT, "user %.1f us + system %.1f us, %.1f context switches per request",
        serverUserNanos / 1e3 / requests, serverSystemNanos / 1e3 / requests, (double) contextSwitches / requests);
    }

    double serverCpuMsPerRequest() {
      return serverCpuNanos / 1e6 / requests;
    }

    /** Answers per second that were 2xx: wrk's own rate counts every answer. */
    double okRps() {
      return (requests - non2xx) / seconds;
    }

    /** Every answer 2xx, and no socket error (connect, read, write, timeout). */
    boolean clean() {
      return non2xx == 0 && errors.isEmpty();
    }

    double wrkCpuPercent() {
      return 100.0 * wrkCpuNanos / (seconds * 1e9);
    }
  }

  /**
   * Runs wrk (one thread, {@code connections} connections) on this process's cores; its CPU time is
   * read from the shell that waited for it (cutime + cstime of /proc/$$/stat).
   */
  static Wrk wrk(String url, int connections, double seconds, Path script, long serverPid) throws IOException,
    InterruptedException {
    String command = "wrk -t1 -c" + connections + " -d" + Math.round(seconds) + "s --latency"
      + (script == null ? "" : " -s " + script) + " " + url + "; echo; echo STAT $(cat /proc/$$/stat)";
    long serverCpu0 = Proc.cpuNanos(serverPid);
    long[] split0 = Proc.userAndSystemNanos(serverPid);
    long switches0 = Proc.contextSwitches();
    Map<String, Long> threads0 = Proc.threadCpuNanos(serverPid);
    Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    long serverCpu = Proc.cpuNanos(serverPid) - serverCpu0;
    long[] split1 = Proc.userAndSystemNanos(serverPid);
    long switches = Proc.contextSwitches() - switches0;
    Map<String, Long> threads1 = Proc.threadCpuNanos(serverPid);
    Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
    Matcher total = Pattern.compile("([0-9]+) requests in ([0-9.]+)(ms|s|m)").matcher(out);
    if (!rps.find() || !total.find()) {
      throw new IllegalStateException("unexpected wrk output:\n" + out);
    }
    Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)").matcher(out);
    Matcher errors = Pattern.compile("Socket errors: ([^\\n]+)").matcher(out);
    String stat = out.substring(out.indexOf("STAT ") + 5).trim();
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long wrkCpu = (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 1_000_000_000L / Proc.CLK_TCK;
    double secs = Double.parseDouble(total.group(2)) * switch (total.group(3)) {
      case "ms" -> 0.001;
      case "m" -> 60;
      default -> 1;
    };
    return new Wrk(Double.parseDouble(rps.group(1)), Long.parseLong(total.group(1)), secs,
      wrkPercentile(out, "50%"), wrkPercentile(out, "99%"), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
      errors.find() ? errors.group(1).trim() : "", serverCpu, wrkCpu,
      Proc.topThreads(threads0, threads1, Long.parseLong(total.group(1)), 5), split1[0] - split0[0],
      split1[1] - split0[1], switches);
  }

  private static double wrkPercentile(String out, String label) {
    Matcher m = Pattern.compile("\\n\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      return Double.NaN;
    }
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value / 1000;
      case "s" -> value * 1000;
      default -> value;
    };
  }

  // ---------------------------------------------------------------- statistics

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The values, formatted, comma-separated: every round of a row. */
  static String list(List<Double> values, String format) {
    return String.join(", ", values.stream().map(v -> String.format(java.util.Locale.ROOT, format, v)).toList());
  }

  static double spread(List<Double> values) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    double median = median(values);
    return median == 0 ? Double.NaN : 100 * (max - min) / median;
  }

  /** A percentile of a histogram of microseconds, in ms (NaN when empty). */
  static double ms(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
  }
}
