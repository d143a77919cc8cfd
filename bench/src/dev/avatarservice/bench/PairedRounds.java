package dev.avatarservice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * The rounds of a throughput scenario (1, 3 and 4): its limit and the service measured in turn, in
 * ABBA order (the limit first in odd rounds, the service first in even ones, so that a machine getting
 * busier or quieter favours neither), and what the scenario's row reports of them.
 */
final class PairedRounds {

  private final String limitName;
  private final String serviceName;
  private final List<Double> limitRates = new ArrayList<>();
  private final List<Double> rates = new ArrayList<>();
  private final List<Double> ratios = new ArrayList<>();
  private final List<Double> limitCpu = new ArrayList<>();
  private final List<Double> cpu = new ArrayList<>();
  private final List<Double> limitDbCpu = new ArrayList<>();
  private final List<Double> dbCpu = new ArrayList<>();
  /** The database server's CPU time so far (PostgreSQL's processes), or null: SQLite runs inside the node. */
  private java.util.function.LongSupplier database;
  private long notOk;
  private String lastThreads = "";

  /** {@code limitName} and {@code serviceName} name what each side counts, e.g. "raw hashes" and "logins". */
  PairedRounds(String limitName, String serviceName) {
    this.limitName = limitName;
    this.serviceName = serviceName;
  }

  /** Also measures the CPU time of a database server of its own (PostgreSQL) on both sides. */
  PairedRounds database(java.util.function.LongSupplier cpuNanos) {
    this.database = cpuNanos;
    return this;
  }

  /** Measures round {@code round} (from 1) of both sides and logs it; the service's side. */
  Load.Result run(int round, Callable<Raw.Result> limit, Callable<Load.Result> service) throws Exception {
    Raw.Result r;
    Load.Result s;
    long[] db = new long[2];
    if (round % 2 == 1) {
      r = measured(limit, db, 0);
      s = measured(service, db, 1);
    } else {
      s = measured(service, db, 1);
      r = measured(limit, db, 0);
    }
    if (database != null) {
      limitDbCpu.add(r.ops() == 0 ? Double.NaN : db[0] / 1e6 / r.ops());
      dbCpu.add(s.ok() == 0 ? Double.NaN : db[1] / 1e6 / s.ok());
      log("  round %d: PostgreSQL's CPU per operation (ms): %s %.3f | %s %.3f", round, limitName,
        limitDbCpu.get(limitDbCpu.size() - 1), serviceName, dbCpu.get(dbCpu.size() - 1));
    }
    limitRates.add(r.perSecond());
    rates.add(s.okPerSecond());
    ratios.add(s.okPerSecond() / r.perSecond());
    limitCpu.add(r.cpuMsPerOp());
    cpu.add(s.serverCpuMsPerOk());
    notOk += s.total() - s.ok();
    lastThreads = s.threads;
    log("round %d: %s %.2f/s (%.3f ms CPU each) | %s %.2f/s (%.3f ms server CPU each, p50 %.1f ms, p99 %.1f ms, %s;"
        + " client CPU %.0f%%) | ratio %.3f", round, limitName, r.perSecond(), r.cpuMsPerOp(), serviceName,
      s.okPerSecond(), s.serverCpuMsPerOk(), s.ms(50), s.ms(99), s.statusText(), s.clientCpuPercent(),
      s.okPerSecond() / r.perSecond());
    log("  server CPU per operation by thread (ms): %s", s.threads);
    return s;
  }

  private <T> T measured(Callable<T> side, long[] db, int index) throws Exception {
    long before = database == null ? 0 : database.getAsLong();
    T result = side.call();
    db[index] = database == null ? 0 : database.getAsLong() - before;
    return result;
  }

  /** Median CPU of the database server per service operation and per limit operation, in ms (NaN: none). */
  double dbCpuMs() {
    return Load.median(dbCpu);
  }

  double limitDbCpuMs() {
    return Load.median(limitDbCpu);
  }

  /** The median of the rounds' ratios. */
  double ratio() {
    return Load.median(ratios);
  }

  String ratioText() {
    return f("%.3f (rounds spread %.0f%%)", ratio(), Load.spread(ratios));
  }

  double rate() {
    return Load.median(rates);
  }

  double limitRate() {
    return Load.median(limitRates);
  }

  /** Median server CPU per successful operation, and the limit's per operation, in ms. */
  double cpuMs() {
    return Load.median(cpu);
  }

  double limitCpuMs() {
    return Load.median(limitCpu);
  }

  /** Answers other than 2xx (and requests never answered) over all rounds. */
  long notOk() {
    return notOk;
  }

  /** The server's busiest threads in the last round, ms of CPU per operation. */
  String lastThreads() {
    return lastThreads;
  }
}
