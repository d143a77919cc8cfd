package dev.avatarservice.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's pictures are drawn from a results file without running the benchmark (13
 * minutes): from a small sample, each chart whose data is there is a real PNG with something drawn
 * on it, and a chart without data is not drawn.
 */
class BenchChartsTest {

  @TempDir
  Path folder;

  @Test
  void drawsEveryChartOfTheSampleAsANonEmptyPng() throws IOException {
    List<Path> drawn = BenchCharts.draw(sample(), folder);

    assertThat(drawn).extracting(path -> path.getFileName().toString())
      .containsExactly("throughput.png", "socket-memory.png", "event-latency.png", "event-cost.png");
    for (Path png : drawn) {
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image).as(png + " is a PNG").isNotNull();
      assertThat(image.getWidth()).isEqualTo(BenchCharts.WIDTH);
      assertThat(image.getHeight()).isEqualTo(BenchCharts.HEIGHT);
      assertThat(distinctColours(image)).as(png + " has a chart on it, not a blank canvas").isGreaterThan(20);
    }
  }

  @Test
  void drawsOnlyTheChartsWhoseDataIsThere() throws IOException {
    JsonObject results = sample();
    results.getJsonObject("charts").remove("eventCost");
    results.getJsonObject("charts").remove("socketMemory");

    List<Path> drawn = BenchCharts.draw(results, folder);

    assertThat(drawn).extracting(path -> path.getFileName().toString())
      .containsExactly("throughput.png", "event-latency.png");
    assertThat(folder.resolve("event-cost.png")).doesNotExist();
  }

  @Test
  void theSubtitleNamesTheRunsDate() throws IOException {
    assertThat(BenchCharts.subtitle(sample().getString("run"))).isEqualTo("bench/run.sh of 2026-12-05");
    assertThat(BenchCharts.subtitle("")).isEmpty();
  }

  private static JsonObject sample() throws IOException {
    try (InputStream in = BenchChartsTest.class.getResourceAsStream("/bench/sample-results.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static long distinctColours(BufferedImage image) {
    return java.util.stream.IntStream.range(0, image.getWidth() * image.getHeight())
      .map(i -> image.getRGB(i % image.getWidth(), i / image.getWidth()))
      .filter(rgb -> rgb != Color.WHITE.getRGB())
      .distinct().count();
  }
}
