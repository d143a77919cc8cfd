package dev.avatarservice.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.avatarservice.image.ImageRejectedException.Reason;
import dev.avatarservice.image.TestImages.GifFrame;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AvatarImageProcessorTest {

  private final AvatarImageProcessor processor = new AvatarImageProcessor(
      AvatarImageProcessor.DEFAULT_MAX_PIXELS, AvatarImageProcessor.DEFAULT_MAX_SIDE);

  // ---- each accepted format ----

  @Test
  void pngWithAlphaKeepsItsTransparency() throws Exception {
    BufferedImage source = TestImages.halves(64, 48, BufferedImage.TYPE_INT_ARGB, Color.RED, new Color(0, 0, 255, 0));

    BufferedImage out = decodeAvatar(processor.toPng(TestImages.png(source)), 64, 48);

    assertThat(out.getColorModel().hasAlpha()).isTrue();
    assertThat(out.getRGB(10, 10)).isEqualTo(0xFFFF0000);
    assertThat(alpha(out.getRGB(50, 10))).isZero();
  }

  @Test
  void palettePngKeepsItsTransparentIndex() throws Exception {
    byte[] png = TestImages.png(TestImages.indexedWithTransparency(20, 10));

    BufferedImage out = decodeAvatar(processor.toPng(png), 20, 10);

    assertThat(out.getRGB(2, 5)).isEqualTo(0xFFFF0000);
    assertThat(alpha(out.getRGB(17, 5))).isZero();
  }

  @Test
  void sixteenBitGrayPngBecomesAnOpaqueRgbImage() throws Exception {
    BufferedImage gray = TestImages.solid(30, 20, BufferedImage.TYPE_USHORT_GRAY, Color.WHITE);

    BufferedImage out = decodeAvatar(processor.toPng(TestImages.png(gray)), 30, 20);

    assertThat(out.getColorModel().hasAlpha()).isFalse();
    assertColor(out.getRGB(15, 10), Color.WHITE, 2);
  }

  @Test
  void jpegIsDecodedAndOpaque() throws Exception {
    byte[] jpeg = TestImages.jpeg(TestImages.halves(200, 100, BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE));

    BufferedImage out = decodeAvatar(processor.toPng(jpeg), 200, 100);

    assertThat(out.getColorModel().hasAlpha()).isFalse();
    assertColor(out.getRGB(20, 50), Color.RED, 40);
    assertColor(out.getRGB(180, 50), Color.BLUE, 40);
  }

  @Test
  void cmykJpegIsDecoded() throws Exception {
    byte[] cmyk = TestImages.cmykJpeg(40, 30, 0, 255, 255, 0); // no cyan, full magenta and yellow: red

    BufferedImage out = decodeAvatar(processor.toPng(cmyk), 40, 30);

    int rgb = out.getRGB(20, 15);
    assertThat(red(rgb)).isGreaterThan(180);
    assertThat(green(rgb)).isLessThan(100);
    assertThat(blue(rgb)).isLessThan(100);
  }

  @Test
  void animatedGifKeepsItsFirstFrame() throws Exception {
    byte[] gif = TestImages.gif(32, 24,
        new GifFrame(TestImages.solid(32, 24, BufferedImage.TYPE_INT_RGB, Color.RED), 0, 0),
        new GifFrame(TestImages.solid(32, 24, BufferedImage.TYPE_INT_RGB, Color.BLUE), 0, 0));

    BufferedImage out = decodeAvatar(processor.toPng(gif), 32, 24);

    assertThat(out.getRGB(0, 0)).isEqualTo(0xFFFF0000);
    assertThat(out.getRGB(31, 23)).isEqualTo(0xFFFF0000);
  }

  @Test
  void gifFirstFrameIsPlacedOnItsLogicalScreen() throws Exception {
    byte[] gif = TestImages.gif(40, 30,
        new GifFrame(TestImages.solid(10, 10, BufferedImage.TYPE_INT_RGB, Color.GREEN), 20, 15),
        new GifFrame(TestImages.solid(40, 30, BufferedImage.TYPE_INT_RGB, Color.BLUE), 0, 0));

    BufferedImage out = decodeAvatar(processor.toPng(gif), 40, 30);

    assertThat(out.getRGB(25, 20)).isEqualTo(0xFF00FF00);
    assertThat(alpha(out.getRGB(5, 5))).as("outside the first frame").isZero();
    assertThat(alpha(out.getRGB(39, 29))).as("outside the first frame").isZero();
  }

  @Test
  void losslessWebpWithAlphaIsDecoded() throws Exception {
    BufferedImage out = decodeAvatar(processor.toPng(TestImages.WEBP_LOSSLESS_8X6), 8, 6);

    assertThat(out.getRGB(1, 1)).isEqualTo(0xFFFF0000);
    assertThat(out.getRGB(6, 4)).isEqualTo(0x800000FF);
  }

  @Test
  void animatedWebpKeepsItsFirstFrame() throws Exception {
    BufferedImage out = decodeAvatar(processor.toPng(TestImages.WEBP_ANIMATED_6X4), 6, 4);

    assertThat(out.getRGB(0, 0)).isEqualTo(0xFFFF0000);
    assertThat(out.getRGB(5, 3)).isEqualTo(0xFFFF0000);
  }

  @Test
  void lossyWebpIsDecoded() throws Exception {
    BufferedImage out = decodeAvatar(processor.toPng(TestImages.WEBP_LOSSY_16X16), 16, 16);

    assertColor(out.getRGB(8, 8), new Color(0x00C000), 30);
  }

  // ---- size ----

  @Test
  void largeImageIsScaledDownKeepingItsAspectRatio() throws Exception {
    byte[] png = TestImages.png(TestImages.halves(3000, 2000, BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE));

    BufferedImage out = decodeAvatar(processor.toPng(png), 512, 341);

    assertColor(out.getRGB(100, 170), Color.RED, 2);
    assertColor(out.getRGB(400, 170), Color.BLUE, 2);
  }

  @Test
  void tallImageIsScaledByItsHeight() throws Exception {
    byte[] jpeg = TestImages.jpeg(TestImages.solid(1000, 3000, BufferedImage.TYPE_INT_RGB, Color.ORANGE));

    decodeAvatar(processor.toPng(jpeg), 171, 512);
  }

  @Test
  void longThinImageShrinksAlongItsLongSideOnly() throws Exception {
    byte[] png = TestImages.png(TestImages.solid(6000, 3, BufferedImage.TYPE_INT_RGB, Color.GREEN));

    BufferedImage out = decodeAvatar(processor.toPng(png), 512, 1);

    assertColor(out.getRGB(256, 0), Color.GREEN, 2);
  }

  @Test
  void scaledTransparentImageHasNoDarkFringe() throws Exception {
    // An opaque white square in a transparent (black) field, its edges off the sampling grid. Scaling
    // premultiplied pixels keeps the partly transparent edge pixels white; scaling plain ARGB
    // would mix in the black of the transparent pixels and draw a grey outline.
    BufferedImage source = TestImages.solid(2000, 2000, BufferedImage.TYPE_INT_ARGB, new Color(0, 0, 0, 0));
    Graphics2D g = source.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(501, 501, 999, 999);
    g.dispose();

    BufferedImage out = decodeAvatar(processor.toPng(TestImages.png(source)), 512, 512);

    int partlyTransparent = 0;
    for (int x = 120; x < 140; x++) {
      int argb = out.getRGB(x, 256);
      if (alpha(argb) > 16) {
        assertThat(red(argb)).as("edge pixel %d: %08x", x, argb).isGreaterThan(230);
        partlyTransparent += alpha(argb) < 240 ? 1 : 0;
      }
    }
    assertThat(partlyTransparent).as("the edge is soft, so the check above saw some").isPositive();
  }

  @Test
  void smallImageIsNotEnlarged() throws Exception {
    byte[] png = TestImages.png(TestImages.solid(100, 80, BufferedImage.TYPE_INT_RGB, Color.MAGENTA));

    BufferedImage out = decodeAvatar(processor.toPng(png), 100, 80);

    assertThat(out.getRGB(50, 40)).isEqualTo(Color.MAGENTA.getRGB());
  }

  @Test
  void imageExactlyAtTheLimitsIsAccepted() throws Exception {
    AvatarImageProcessor small = new AvatarImageProcessor(1000, 20);
    byte[] png = TestImages.png(TestImages.solid(40, 25, BufferedImage.TYPE_INT_RGB, Color.RED));

    decodeAvatar(small.toPng(png), 20, 13);
  }

  // ---- EXIF orientation ----

  @Test
  void jpegWithExifOrientation6IsTurnedClockwise() throws Exception {
    // Left half red, right half blue; turned a quarter clockwise, red is on top.
    BufferedImage source = TestImages.halves(60, 40, BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE);
    byte[] jpeg = TestImages.jpegWithExif(source, 6, ByteOrder.BIG_ENDIAN);

    BufferedImage out = decodeAvatar(processor.toPng(jpeg), 40, 60);

    assertColor(out.getRGB(20, 8), Color.RED, 40);
    assertColor(out.getRGB(20, 52), Color.BLUE, 40);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyExifOrientationIsApplied(int orientation) throws Exception {
    Color r = Color.RED;
    Color g = Color.GREEN;
    Color b = Color.BLUE;
    Color w = Color.WHITE;
    BufferedImage source = TestImages.quadrants(60, 40, r, g, b, w);
    // Expected corners of the upright image: top-left, top-right, bottom-left, bottom-right.
    Color[][] expected = {
      null,
      {r, g, b, w}, // 1: as stored
      {g, r, w, b}, // 2: mirrored left-right
      {w, b, g, r}, // 3: turned 180 degrees
      {b, w, r, g}, // 4: mirrored top-bottom
      {r, b, g, w}, // 5: mirrored along the main diagonal
      {b, r, w, g}, // 6: turned 90 degrees clockwise
      {w, g, b, r}, // 7: mirrored along the other diagonal
      {g, w, r, b}, // 8: turned 90 degrees counter-clockwise
    };
    ByteOrder order = orientation % 2 == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    byte[] jpeg = TestImages.jpegWithExif(source, orientation, order);

    boolean sidesSwap = orientation >= 5;
    BufferedImage out = decodeAvatar(processor.toPng(jpeg), sidesSwap ? 40 : 60, sidesSwap ? 60 : 40);

    int right = out.getWidth() - 5;
    int bottom = out.getHeight() - 5;
    assertColor(out.getRGB(4, 4), expected[orientation][0], 40);
    assertColor(out.getRGB(right, 4), expected[orientation][1], 40);
    assertColor(out.getRGB(4, bottom), expected[orientation][2], 40);
    assertColor(out.getRGB(right, bottom), expected[orientation][3], 40);
  }

  @Test
  void orientationIsAppliedAfterScalingALargeJpeg() throws Exception {
    BufferedImage source = TestImages.halves(1200, 800, BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE);
    byte[] jpeg = TestImages.jpegWithExif(source, 8, ByteOrder.BIG_ENDIAN);

    BufferedImage out = decodeAvatar(processor.toPng(jpeg), 341, 512);

    // Turned counter-clockwise: the left (red) half ends up at the bottom.
    assertColor(out.getRGB(170, 50), Color.BLUE, 40);
    assertColor(out.getRGB(170, 460), Color.RED, 40);
  }

  @Test
  void brokenExifIsIgnoredRatherThanRefused() throws Exception {
    byte[] brokenExif = {(byte) 0xFF, (byte) 0xE1, 0, 12, 'E', 'x', 'i', 'f', 0, 0, 'X', 'X', 0, 42};
    byte[] jpeg = TestImages.insertAfterSoi(
        TestImages.jpeg(TestImages.solid(30, 20, BufferedImage.TYPE_INT_RGB, Color.RED)), brokenExif);

    decodeAvatar(processor.toPng(jpeg), 30, 20);
  }

  // ---- nothing of the source survives ----

  @Test
  void pngTextChunksAreDropped() throws Exception {
    byte[] png = TestImages.withChunksAfterIhdr(
        TestImages.png(TestImages.solid(20, 20, BufferedImage.TYPE_INT_ARGB, Color.CYAN)),
        TestImages.textChunk("Comment", "secret-text-marker"),
        TestImages.compressedTextChunk("Author", "secret-ztxt-marker"),
        TestImages.pngChunk("eXIf", "secret-exif-marker".getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(TestImages.pngChunkTypes(png)).contains("tEXt", "zTXt", "eXIf");

    byte[] out = processor.toPng(png);

    decodeAvatar(out, 20, 20);
    assertNoMetadata(out);
    assertThat(contains(out, "secret")).isFalse();
  }

  @Test
  void palettePngWithCompressedTextIsDecodedWithoutIt() throws Exception {
    // The JDK reader parses every chunk of a palette image; the filter must have removed them.
    byte[] png = TestImages.withChunksAfterIhdr(
        TestImages.png(TestImages.indexedWithTransparency(16, 16)),
        TestImages.compressedTextChunk("Comment", "x".repeat(100_000)));

    byte[] out = processor.toPng(png);

    decodeAvatar(out, 16, 16);
    assertNoMetadata(out);
  }

  @Test
  void jpegExifAndGpsAreDropped() throws Exception {
    byte[] jpeg = TestImages.jpegWithExif(
        TestImages.solid(50, 50, BufferedImage.TYPE_INT_RGB, Color.GREEN), 1, ByteOrder.BIG_ENDIAN);

    byte[] out = processor.toPng(jpeg);

    decodeAvatar(out, 50, 50);
    assertNoMetadata(out);
    assertThat(contains(out, "Exif")).isFalse();
  }

  @Test
  void bytesAfterIendAreNotCopied() throws Exception {
    byte[] png = TestImages.png(TestImages.solid(20, 20, BufferedImage.TYPE_INT_RGB, Color.RED));
    byte[] trailer = "<script>TRAILING-GARBAGE-MARKER</script>".getBytes(StandardCharsets.ISO_8859_1);
    byte[] withTrailer = Arrays.copyOf(png, png.length + trailer.length);
    System.arraycopy(trailer, 0, withTrailer, png.length, trailer.length);

    byte[] out = processor.toPng(withTrailer);

    decodeAvatar(out, 20, 20); // also fails if anything follows IEND
    assertThat(contains(out, "TRAILING-GARBAGE-MARKER")).isFalse();
  }

  // ---- refusals ----

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    "just some text, whatever the file was called",
    "<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>",
    "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
  })
  void nonImagesAreUnsupported(String content) {
    assertRejected(() -> processor.toPng(content.getBytes(StandardCharsets.UTF_8)), Reason.UNSUPPORTED_TYPE);
  }

  @Test
  void bmpIsUnsupported() {
    byte[] bmp = TestImages.write(TestImages.solid(10, 10, BufferedImage.TYPE_INT_RGB, Color.RED), "bmp");

    assertRejected(() -> processor.toPng(bmp), Reason.UNSUPPORTED_TYPE);
  }

  @Test
  void truncatedPngIsUndecodable() {
    byte[] png = TestImages.png(TestImages.noise(200, 200, 42));

    assertRejected(() -> processor.toPng(Arrays.copyOf(png, png.length / 2)), Reason.UNDECODABLE);
  }

  @Test
  void truncatedJpegIsUndecodableRatherThanHalfGrey() {
    byte[] jpeg = TestImages.jpeg(TestImages.noise(200, 200, 42));

    assertRejected(() -> processor.toPng(Arrays.copyOf(jpeg, jpeg.length / 2)), Reason.UNDECODABLE);
  }

  @Test
  void truncatedJpegIsSpottedEvenWithAnEndMarkerInItsMetadata() {
    // A comment segment holding FF D9, as an embedded thumbnail would; the scan data is still cut.
    byte[] comment = {(byte) 0xFF, (byte) 0xFE, 0, 6, 'x', 'x', (byte) 0xFF, (byte) 0xD9};
    byte[] jpeg = TestImages.insertAfterSoi(TestImages.jpeg(TestImages.noise(200, 200, 42)), comment);

    assertRejected(() -> processor.toPng(Arrays.copyOf(jpeg, jpeg.length / 2)), Reason.UNDECODABLE);
  }

  @Test
  void jpegWithBytesAfterItsEndIsAccepted() throws Exception {
    byte[] jpeg = TestImages.jpeg(TestImages.solid(30, 20, BufferedImage.TYPE_INT_RGB, Color.RED));
    byte[] withTrailer = Arrays.copyOf(jpeg, jpeg.length + 100);

    decodeAvatar(processor.toPng(withTrailer), 30, 20);
  }

  @Test
  void truncatedWebpIsUndecodable() {
    byte[] lossless = TestImages.WEBP_LOSSLESS_8X6;
    byte[] lossy = TestImages.WEBP_LOSSY_16X16;

    assertRejected(() -> processor.toPng(Arrays.copyOf(lossless, lossless.length - 6)), Reason.UNDECODABLE);
    assertRejected(() -> processor.toPng(Arrays.copyOf(lossy, lossy.length - 10)), Reason.UNDECODABLE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "\u0089PNG\r\n\u001a\n",
    "\u0089PNG\r\n\u001a\nnot a chunk at all, just text",
    "\u00ff\u00d8\u00ff\u00e0 followed by garbage",
    "GIF89a",
    "GIF89a\u0001\u0000\u0001\u0000 garbage",
    "RIFF\u0010\u0000\u0000\u0000WEBPVP8 garbage",
  })
  void corruptDataIsUndecodable(String content) {
    byte[] data = content.getBytes(StandardCharsets.ISO_8859_1);

    assertRejected(() -> processor.toPng(data), Reason.UNDECODABLE);
  }

  @Test
  void pngDeclaringTenGigapixelsIsRefusedBeforeDecoding() {
    byte[] png = TestImages.pngDeclaring(100_000, 100_000);

    assertRejected(() -> processor.toPng(png), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void pngJustOverTheLimitIsRefused() {
    AvatarImageProcessor small = new AvatarImageProcessor(1000, 512);
    byte[] png = TestImages.png(TestImages.solid(40, 26, BufferedImage.TYPE_INT_RGB, Color.RED));

    assertRejected(() -> small.toPng(png), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void jpegDeclaringAHugeSizeIsRefused() {
    byte[] jpeg = TestImages.withJpegSize(
        TestImages.jpeg(TestImages.solid(16, 16, BufferedImage.TYPE_INT_RGB, Color.RED)), 65_000, 65_000);

    assertRejected(() -> processor.toPng(jpeg), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void gifWithAHugeLogicalScreenIsRefused() {
    byte[] gif = TestImages.gif(65_535, 65_535,
        new GifFrame(TestImages.solid(2, 2, BufferedImage.TYPE_INT_RGB, Color.RED), 0, 0));

    assertRejected(() -> processor.toPng(gif), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void webpWhoseBitstreamIsLargerThanItsCanvasIsRefused() {
    // The canvas (1x1) passes a 20-pixel limit, but the VP8L data inside says 8x6 = 48 pixels.
    AvatarImageProcessor small = new AvatarImageProcessor(20, 512);
    byte[] webp = TestImages.withCanvas(TestImages.WEBP_LOSSLESS_8X6, 1, 1);

    assertRejected(() -> small.toPng(webp), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void webpHidingAHugeLossyBitstreamInATinyCanvasIsRefused() {
    // Without the check the reader reports 1x1, then allocates for 16383x16383 while decoding.
    byte[] webp = TestImages.withCanvas(TestImages.withLossySize(TestImages.WEBP_LOSSY_16X16, 16383, 16383), 1, 1);

    assertRejected(() -> processor.toPng(webp), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void webpDeclaringAHugeSizeIsRefused() {
    byte[] webp = TestImages.withLosslessSize(TestImages.WEBP_LOSSLESS_8X6, 16384, 16384);

    assertRejected(() -> processor.toPng(webp), Reason.TOO_MANY_PIXELS);
  }

  @Test
  void extendedWebpWithAnHonestCanvasIsDecoded() throws Exception {
    byte[] webp = TestImages.withCanvas(TestImages.WEBP_LOSSLESS_8X6, 8, 6);

    BufferedImage out = decodeAvatar(processor.toPng(webp), 8, 6);

    assertThat(out.getRGB(1, 1)).isEqualTo(0xFFFF0000);
  }

  @Test
  void rejectionMessagesNeverEchoTheInput() {
    ImageRejectedException e = rejection(() -> processor.toPng(
        "<script>alert('owned')</script>".getBytes(StandardCharsets.UTF_8)));
    assertThat(e.getMessage()).doesNotContain("script").doesNotContain("owned");

    ImageRejectedException corrupt = rejection(() -> processor.toPng(
        "GIF89a<script>alert('owned')</script>".getBytes(StandardCharsets.UTF_8)));
    assertThat(corrupt.getMessage()).doesNotContain("script").doesNotContain("owned");
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new AvatarImageProcessor(0, 512)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AvatarImageProcessor(1000, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- concurrency ----

  @Test
  void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
    List<byte[]> inputs = List.of(
        TestImages.png(TestImages.noise(700, 500, 1)),
        TestImages.jpegWithExif(TestImages.noise(600, 900, 2), 6, ByteOrder.LITTLE_ENDIAN),
        TestImages.gif(64, 64, new GifFrame(TestImages.noise(64, 64, 3), 0, 0)),
        TestImages.WEBP_LOSSLESS_8X6);
    List<byte[]> expected = new ArrayList<>();
    for (byte[] input : inputs) {
      expected.add(processor.toPng(input));
    }

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<byte[]>> tasks = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (byte[] input : inputs) {
          tasks.add(() -> processor.toPng(input));
        }
      }
      List<Future<byte[]>> results = pool.invokeAll(tasks);
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get()).isEqualTo(expected.get(i % inputs.size()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- helpers ----

  /** Checks the PNG signature, the chunk list and the size, and returns the decoded image. */
  private static BufferedImage decodeAvatar(byte[] png, int width, int height) {
    assertThat(png).startsWith(TestImages.PNG_SIGNATURE);
    assertNoMetadata(png);
    BufferedImage image = TestImages.decode(png);
    assertThat(image.getWidth()).as("width").isEqualTo(width);
    assertThat(image.getHeight()).as("height").isEqualTo(height);
    return image;
  }

  private static void assertNoMetadata(byte[] png) {
    assertThat(TestImages.pngChunkTypes(png))
        .doesNotContain("tEXt", "iTXt", "zTXt", "eXIf", "iCCP", "tIME", "pHYs", "sRGB", "gAMA")
        .containsOnly("IHDR", "IDAT", "IEND");
  }

  private static void assertRejected(ThrowingCallable call, Reason reason) {
    assertThat(rejection(call).reason()).isEqualTo(reason);
  }

  private static ImageRejectedException rejection(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(ImageRejectedException.class);
    return (ImageRejectedException) thrown;
  }

  private static void assertColor(int argb, Color expected, int tolerance) {
    assertThat(alpha(argb)).as("alpha of %08x", argb).isEqualTo(255);
    assertThat(Math.abs(red(argb) - expected.getRed())).as("red of %08x", argb).isLessThanOrEqualTo(tolerance);
    assertThat(Math.abs(green(argb) - expected.getGreen())).as("green of %08x", argb).isLessThanOrEqualTo(tolerance);
    assertThat(Math.abs(blue(argb) - expected.getBlue())).as("blue of %08x", argb).isLessThanOrEqualTo(tolerance);
  }

  private static boolean contains(byte[] data, String text) {
    byte[] needle = text.getBytes(StandardCharsets.ISO_8859_1);
    outer:
    for (int i = 0; i + needle.length <= data.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static int alpha(int argb) {
    return argb >>> 24;
  }

  private static int red(int argb) {
    return argb >> 16 & 0xFF;
  }

  private static int green(int argb) {
    return argb >> 8 & 0xFF;
  }

  private static int blue(int argb) {
    return argb & 0xFF;
  }
}
