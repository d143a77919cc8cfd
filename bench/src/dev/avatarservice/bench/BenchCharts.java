package dev.avatarservice.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.avatarservice.bench.Bench.f;

/**
 * The benchmark's pictures, drawn from a results.json (what {@link Bench} writes beside
 * results.md, or a saved one such as bench/pictures/results-*.json): each chart is drawn when its
 * data is there, and each is a PNG in the output folder.
 * <p>
 * The chart data, under {@code charts} (every number a JSON number):
 * <ul>
 *   <li>{@code throughput}: {@code {scenario, measured, limit, ratio, limitName, target}}, the rate
 *   (per second) of a scenario and of its limit in the same run (medians of the rounds), the median
 *   of the rounds' ratios (else measured / limit), and the target ratio: {@code throughput.png}</li>
 *   <li>{@code socketMemory}: {@code {kind, sockets, heapMiB, residentMiB}}, memory above the idle
 *   node with that many sockets of a kind open: {@code socket-memory.png}</li>
 *   <li>{@code eventLatency}: {@code {name, percentiles: {"50": ms, "99": ms, ...}}}, from an
 *   event's {@code changedAt} to its arrival at a socket: {@code event-latency.png}</li>
 *   <li>{@code eventCost}: {@code {nodes, sockets, cpuMsPerEvent: [per node], busRemoteCopiesPerEvent,
 *   tcpSegmentsPerEvent, ...}}, the events scenario: {@code event-cost.png}</li>
 * </ul>
 * Run on saved results: {@code bench/run.sh pictures [results.json [folder]]}.
 */
public final class BenchCharts {

  static final int WIDTH = 1000;
  static final int HEIGHT = 520;

  private BenchCharts() {
  }

  /** {@code [results.json [folder]]}: defaults target/bench/results.json, and the folder of the file. */
  public static void main(String[] args) throws IOException {
    Path json = Path.of(args.length > 0 ? args[0] : "target/bench/results.json");
    Path folder = args.length > 1 ? Path.of(args[1]) : json.toAbsolutePath().getParent();
    List<Path> drawn = draw(new JsonObject(Files.readString(json)), folder);
    for (Path picture : drawn) {
      System.out.println(picture);
    }
    if (drawn.isEmpty()) {
      System.err.println(json + " has no chart data");
      System.exit(1);
    }
  }

  /** Draws every chart whose data {@code results} has into {@code folder}; the files written. */
  static List<Path> draw(JsonObject results, Path folder) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(folder);
    JsonObject charts = results.getJsonObject("charts", new JsonObject());
    String run = results.getString("run", "");
    List<Path> written = new ArrayList<>();
    if (!points(charts, "throughput").isEmpty()) {
      written.add(save(throughput(points(charts, "throughput"), run), folder.resolve("throughput.png")));
    }
    if (!points(charts, "socketMemory").isEmpty()) {
      written.add(save(socketMemory(points(charts, "socketMemory"), run), folder.resolve("socket-memory.png")));
    }
    if (!points(charts, "eventLatency").isEmpty()) {
      written.add(save(eventLatency(points(charts, "eventLatency"), run), folder.resolve("event-latency.png")));
    }
    if (!points(charts, "eventCost").isEmpty()) {
      written.add(save(eventCost(points(charts, "eventCost"), run), folder.resolve("event-cost.png")));
    }
    return written;
  }

  /** Each scenario's rate as a share of its limit in the same run, beside its target. */
  static CategoryChart throughput(List<JsonObject> points, String run) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
      .title("Throughput against the limit, same run, same core")
      .xAxisTitle("scenario: service / limit, per second   (" + subtitle(run) + ")")
      .yAxisTitle("service / limit").build();
    List<String> labels = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Double> targets = new ArrayList<>();
    for (JsonObject p : points) {
      double measured = p.getDouble("measured");
      double limit = p.getDouble("limit");
      labels.add(f("%s: %s / %s", p.getString("scenario"), number(measured), number(limit)));
      // the row's own ratio (the median of the rounds' ratios) where there is one
      ratios.add(p.getDouble("ratio", measured / limit));
      targets.add(p.getDouble("target", 0.0));
    }
    chart.addSeries("service / limit", labels, ratios).setFillColor(new Color(0x3b6ea8));
    chart.addSeries("target (at least)", labels, targets).setFillColor(new Color(0xc8c8c8));
    style(chart);
    chart.getStyler().setOverlapped(false).setLabelsVisible(true).setYAxisDecimalPattern("0.00");
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.1);
    return chart;
  }

  /** Memory above the idle node against the number of sockets open, per kind: heap and resident. */
  static XYChart socketMemory(List<JsonObject> points, String run) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
      .title("Memory of idle authenticated sockets").xAxisTitle("sockets open   (" + subtitle(run) + ")")
      .yAxisTitle("MiB above the idle node").build();
    Map<String, List<JsonObject>> byKind = new LinkedHashMap<>();
    for (JsonObject p : points) {
      byKind.computeIfAbsent(p.getString("kind"), k -> new ArrayList<>()).add(p);
    }
    byKind.forEach((kind, list) -> {
      double[] sockets = list.stream().mapToDouble(p -> p.getDouble("sockets")).toArray();
      addLine(chart, kind + ", resident", sockets, list.stream().mapToDouble(p -> p.getDouble("residentMiB")).toArray());
      addLine(chart, kind + ", heap", sockets, list.stream().mapToDouble(p -> p.getDouble("heapMiB")).toArray());
    });
    style(chart);
    chart.getStyler().setXAxisMin(0.0).setYAxisMin(0.0).setXAxisDecimalPattern("#,##0");
    return chart;
  }

  /** Percentiles of event delivery per measurement, the percentiles all measurements have. */
  static CategoryChart eventLatency(List<JsonObject> points, String run) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
      .title("avatar.changed: from the node's changedAt to the socket").xAxisTitle("percentile   (" + subtitle(run) + ")")
      .yAxisTitle("ms").build();
    Set<String> common = null;
    for (JsonObject p : points) {
      Set<String> keys = new LinkedHashSet<>(p.getJsonObject("percentiles").fieldNames());
      if (common == null) {
        common = keys;
      } else {
        common.retainAll(keys);
      }
    }
    List<String> percentiles = new ArrayList<>(common);
    percentiles.sort((a, c) -> Double.compare(order(a), order(c)));
    List<String> labels = percentiles.stream().map(p -> p.equals("max") ? "max" : "p" + p).toList();
    for (JsonObject p : points) {
      JsonObject values = p.getJsonObject("percentiles");
      chart.addSeries(p.getString("name"), labels, percentiles.stream().map(values::getDouble).toList());
    }
    style(chart);
    chart.getStyler().setLabelsVisible(true).setYAxisDecimalPattern("0.00");
    chart.getStyler().setYAxisMin(0.0);
    return chart;
  }

  /**
   * The CPU an event costs the nodes that only receive it (summed over them), with and without
   * sockets, against the number of nodes: what grows with N when every event reaches every node.
   */
  static XYChart eventCost(List<JsonObject> points, String run) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
      .title("Cost of one published event by cluster size").xAxisTitle("nodes   (" + subtitle(run) + ")")
      .yAxisTitle("CPU ms per event").build();
    boolean copiesDrawn = false;
    for (boolean sockets : new boolean[] {false, true}) {
      List<JsonObject> list = points.stream().filter(p -> p.getBoolean("sockets", false) == sockets).toList();
      if (list.isEmpty()) {
        continue;
      }
      String which = sockets ? "with the user's sockets on every node" : "no socket open";
      double[] nodes = list.stream().mapToDouble(p -> p.getInteger("nodes")).toArray();
      double[] cpu = list.stream().mapToDouble(p -> {
        JsonArray perNode = p.getJsonArray("cpuMsPerEvent");
        double others = 0;
        for (int i = 1; i < perNode.size(); i++) {
          others += Math.max(0, perNode.getDouble(i));
        }
        return others;
      }).toArray();
      addLine(chart, "CPU of all the receiving nodes, " + which, nodes, cpu);
      if (!copiesDrawn) {
        // the same for both phases: one line, on an axis of its own
        XYSeries copies = chart.addSeries("event-bus copies sent to other nodes (right axis)", nodes,
          list.stream().mapToDouble(p -> p.getDouble("busRemoteCopiesPerEvent")).toArray());
        copies.setMarker(SeriesMarkers.SQUARE);
        copies.setYAxisGroup(1);
        copiesDrawn = true;
      }
    }
    style(chart);
    chart.setYAxisGroupTitle(0, "CPU ms per event");
    chart.setYAxisGroupTitle(1, "copies per event");
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    chart.getStyler().setXAxisMin(1.0).setYAxisMin(0.0).setXAxisDecimalPattern("0").setYAxisDecimalPattern("0.00");
    return chart;
  }

  // ---------------------------------------------------------------- helpers

  private static List<JsonObject> points(JsonObject charts, String name) {
    JsonArray array = charts.getJsonArray(name, new JsonArray());
    List<JsonObject> points = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      points.add(array.getJsonObject(i));
    }
    return points;
  }

  private static void addLine(XYChart chart, String name, double[] x, double[] y) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.CIRCLE);
  }

  private static void style(Chart<? extends AxesChartStyler, ?> chart) {
    AxesChartStyler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.InsideNW);
    styler.setChartTitleFont(styler.getChartTitleFont().deriveFont(16f));
    styler.setAxisTitleFont(styler.getAxisTitleFont().deriveFont(11f));
    styler.setAntiAlias(true);
  }

  /** The run's date and load, short enough for an axis title. */
  static String subtitle(String run) {
    String date = run.replaceAll(".*benchmark, (\\d{4}-\\d{2}-\\d{2}).*", "$1");
    return date.equals(run) ? "" : "bench/run.sh of " + date;
  }

  private static double order(String percentile) {
    return percentile.equals("max") ? Double.MAX_VALUE : Double.parseDouble(percentile);
  }

  private static String number(double value) {
    return value >= 100 ? f("%,.0f", value) : f("%.1f", value);
  }

  private static Path save(Chart<?, ?> chart, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    return file;
  }
}
