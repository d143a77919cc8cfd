package dev.avatarservice.image;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decoding memory estimate and the CPU budget of {@link AvatarImageProcessor}, each on its own. */
class ProcessingBoundsTest {

  private static BufferedImage photo;

  @BeforeAll
  static void draw() {
    photo = TestImages.photoLike(2400, 1600, 5);
  }

  @Test
  void aProgressiveJpegWhoseCoefficientsExceedTheMemoryBudgetIsRefusedAndTheSameBaselineIsNot() throws Exception {
    // 2400x1600 4:2:0: 5.8 M coefficients, 11.5 MB kept by a progressive decoder; the baseline one
    // decodes subsampled (factor 2) into a 1200x800 raster
    AvatarImageProcessor processor = new AvatarImageProcessor(40_000_000L, 512, List.of(64), 8L << 20, 10_000);

    assertThatThrownBy(() -> processor.process(TestImages.jpeg(photo, true)))
      .isInstanceOfSatisfying(ImageRejectedException.class,
        rejected -> assertThat(rejected.reason()).isEqualTo(ImageRejectedException.Reason.TOO_COMPLEX));
    AvatarImages images = processor.process(TestImages.jpeg(photo, false));
    assertThat(images.width()).isEqualTo(512);
    assertThat(images.extension()).isEqualTo("jpg");
  }

  @Test
  void anUploadThatOutrunsItsCpuBudgetIsAbortedMidDecodeAndRefused() throws Exception {
    byte[] jpeg = TestImages.jpeg(photo, false);
    FirstFrameDecoder decoder = new FirstFrameDecoder(40_000_000L, 64L << 20, 512);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long whole = Long.MAX_VALUE;
    long aborted = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) { // the first rounds load plugins and warm the JIT
      long start = threads.getCurrentThreadCpuTime();
      assertThat(decoder.decode(ImageFormat.JPEG, jpeg, CpuBudget.start(60_000)).getWidth()).isEqualTo(1200);
      whole = Math.min(whole, threads.getCurrentThreadCpuTime() - start);

      start = threads.getCurrentThreadCpuTime();
      assertThatThrownBy(() -> decoder.decode(ImageFormat.JPEG, jpeg, CpuBudget.start(1)))
        .isInstanceOfSatisfying(ImageRejectedException.class,
          rejected -> assertThat(rejected.reason()).isEqualTo(ImageRejectedException.Reason.TOO_COMPLEX));
      aborted = Math.min(aborted, threads.getCurrentThreadCpuTime() - start);
    }
    // aborted at the reader's first progress report (a twentieth of the rows), not refused after the
    // whole decode: here about a third of a whole one (setting up libjpeg and the raster remains),
    // against all of it when nothing aborts
    assertThat(aborted).as("CPU ns of the aborted decode, against %d for a whole one", whole).isLessThan(whole / 2);
  }

  @Test
  void theWholeUploadIsBoundedByTheBudgetToo() {
    AvatarImageProcessor strict = new AvatarImageProcessor(40_000_000L, 512, List.of(64), 64L << 20, 1);
    assertThatThrownBy(() -> strict.process(TestImages.jpeg(photo, true)))
      .isInstanceOfSatisfying(ImageRejectedException.class,
        rejected -> assertThat(rejected.reason()).isEqualTo(ImageRejectedException.Reason.TOO_COMPLEX));
  }
}
