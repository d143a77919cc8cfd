package dev.avatarservice.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFormatTest {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void recognisesEachFormatFromItsMagicNumber() {
    BufferedImage image = TestImages.solid(4, 4, BufferedImage.TYPE_INT_RGB, Color.RED);
    assertThat(ImageFormat.sniff(TestImages.png(image))).contains(ImageFormat.PNG);
    assertThat(ImageFormat.sniff(TestImages.jpeg(image))).contains(ImageFormat.JPEG);
    assertThat(ImageFormat.sniff(TestImages.write(image, "gif"))).contains(ImageFormat.GIF);
    assertThat(ImageFormat.sniff(ascii("GIF87a\0\0\0\0"))).contains(ImageFormat.GIF);
    assertThat(ImageFormat.sniff(TestImages.WEBP_LOSSLESS_8X6)).contains(ImageFormat.WEBP);
  }

  @Test
  void needsOnlyTheFirstTwelveBytes() {
    byte[] head = new byte[ImageFormat.SNIFF_LENGTH];
    System.arraycopy(TestImages.WEBP_LOSSY_16X16, 0, head, 0, head.length);
    assertThat(ImageFormat.sniff(head)).contains(ImageFormat.WEBP);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    "hello, this is plain text",
    "<!DOCTYPE html><html><body>hi</body></html>",
    "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n",
    "BM6\0\0\0\0\0\0\0",
    "GIF88a\0\0\0\0",
    "RIFF\u0024\0\0\0WAVEfmt ",
    "RIFF\u0024\0\0",
    "\u0089PNG\r\n\u001a",
    "\u00ff\u00d8",
  })
  void refusesEverythingElse(String content) {
    assertThat(ImageFormat.sniff(ascii(content))).isEmpty();
  }

  @Test
  void refusesARealBmpAndNull() {
    BufferedImage image = TestImages.solid(4, 4, BufferedImage.TYPE_INT_RGB, Color.RED);
    assertThat(ImageFormat.sniff(TestImages.write(image, "bmp"))).isEmpty();
    assertThat(ImageFormat.sniff(null)).isEmpty();
  }
}
