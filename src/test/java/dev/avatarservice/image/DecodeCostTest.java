package dev.avatarservice.image;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;

/** What the header says an upload will cost, before any pixel is decoded. */
class DecodeCostTest {

  @Test
  void bitDepthAndChannelsCountInTheWork() {
    ImageInfo deep = ImageInfo.read(ImageFormat.PNG, TestImages.png16BitRgbaZeros(64, 32));
    assertThat(deep.width()).isEqualTo(64);
    assertThat(deep.height()).isEqualTo(32);
    assertThat(deep.channels()).isEqualTo(4);
    assertThat(deep.bitsPerSample()).isEqualTo(16);
    assertThat(DecodeCost.of(deep, 512).work()).isEqualTo(64L * 32 * 8);

    ImageInfo grey = ImageInfo.read(ImageFormat.PNG, TestImages.png(TestImages.solid(64, 32, BufferedImage.TYPE_BYTE_GRAY, Color.GRAY)));
    assertThat(DecodeCost.of(grey, 512).work()).isEqualTo(64L * 32);
  }

  @Test
  void aProgressiveJpegCountsItsScansAndKeepsItsCoefficients() {
    BufferedImage photo = TestImages.photoLike(640, 480, 3);
    ImageInfo baseline = ImageInfo.read(ImageFormat.JPEG, TestImages.jpeg(photo, false));
    ImageInfo progressive = ImageInfo.read(ImageFormat.JPEG, TestImages.jpeg(photo, true));
    ImageInfo manyScans = ImageInfo.read(ImageFormat.JPEG, TestImages.progressiveWithScans(photo, 200));

    assertThat(baseline.progressive()).isFalse();
    assertThat(baseline.scans()).isEqualTo(1);
    assertThat(progressive.progressive()).isTrue();
    assertThat(progressive.scans()).isBetween(2, DecodeCost.SCANS_PER_DECODE);
    assertThat(manyScans.scans()).isEqualTo(progressive.scans() + 200);
    // 4:2:0: a full-size luma plane and two quarter-size chroma planes of 2-byte coefficients
    assertThat(progressive.coefficientCount()).isEqualTo(640L * 480 * 3 / 2);
    assertThat(DecodeCost.of(progressive, 512).memory()).isGreaterThan(progressive.coefficientCount() * 2);
    assertThat(DecodeCost.of(baseline, 512).memory()).isLessThan(DecodeCost.of(progressive, 512).memory());
    assertThat(DecodeCost.of(manyScans, 512).work()).isGreaterThan(20 * DecodeCost.of(baseline, 512).work());
  }

  @Test
  void largeImagesAreSubsampledToTwoToFourTimesTheBox() {
    assertThat(DecodeCost.subsampling(1000, 800, 512)).isEqualTo(1);
    assertThat(DecodeCost.subsampling(2047, 100, 512)).isEqualTo(1);
    assertThat(DecodeCost.subsampling(4000, 3000, 512)).isEqualTo(3);
    assertThat(DecodeCost.subsampling(6000, 6000, 512)).isEqualTo(5);
    for (int side = 1024; side <= 20_000; side += 97) {
      int factor = DecodeCost.subsampling(side, side / 2, 512);
      assertThat((side + factor - 1) / factor).as("side %d", side).isBetween(1024, 4 * 512);
    }
  }
}
