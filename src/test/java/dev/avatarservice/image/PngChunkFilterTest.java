package dev.avatarservice.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatarservice.image.ImageRejectedException.Reason;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PngChunkFilterTest {

  private final byte[] png = TestImages.png(TestImages.noise(64, 64, 7));

  @Test
  void keepsOnlyThePixelChunksAndStopsAtIend() throws Exception {
    byte[] decorated = TestImages.withChunksAfterIhdr(png,
        TestImages.textChunk("Comment", "hello"),
        TestImages.compressedTextChunk("Author", "someone"),
        TestImages.pngChunk("iCCP", "profile\0\0xx".getBytes(StandardCharsets.ISO_8859_1)),
        TestImages.pngChunk("tIME", new byte[7]));
    byte[] trailer = "trailing bytes".getBytes(StandardCharsets.ISO_8859_1);
    byte[] withTrailer = Arrays.copyOf(decorated, decorated.length + trailer.length);
    System.arraycopy(trailer, 0, withTrailer, decorated.length, trailer.length);

    byte[] filtered = PngChunkFilter.essentialChunks(withTrailer);

    assertThat(TestImages.pngChunkTypes(filtered)).containsOnly("IHDR", "IDAT", "IEND");
    assertThat(filtered).isEqualTo(png);
  }

  @Test
  void keepsPaletteAndTransparency() throws Exception {
    byte[] palette = TestImages.png(TestImages.indexedWithTransparency(8, 8));

    assertThat(TestImages.pngChunkTypes(PngChunkFilter.essentialChunks(palette)))
        .contains("IHDR", "PLTE", "tRNS", "IDAT", "IEND");
  }

  @Test
  void stopsAtAChunkCutShortByTheEndOfTheData() throws Exception {
    byte[] truncated = Arrays.copyOf(png, png.length - 20); // inside the last IDAT, before IEND

    byte[] filtered = PngChunkFilter.essentialChunks(truncated);

    assertThat(filtered.length).isLessThan(truncated.length);
    assertThat(TestImages.pngChunkTypes(filtered)).doesNotContain("IEND");
  }

  @Test
  void refusesDataThatDoesNotStartWithIhdr() {
    byte[] noIhdr = Arrays.copyOf(TestImages.PNG_SIGNATURE, 40);
    byte[] textFirst = new byte[png.length];
    System.arraycopy(png, 0, textFirst, 0, png.length);
    textFirst[12] = 't';

    assertThatThrownBy(() -> PngChunkFilter.essentialChunks(noIhdr))
        .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE));
    assertThatThrownBy(() -> PngChunkFilter.essentialChunks(textFirst))
        .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE));
  }

  @Test
  void outputOfTheFilterStillDecodes() throws Exception {
    byte[] image = TestImages.png(TestImages.solid(5, 3, BufferedImage.TYPE_INT_ARGB, Color.PINK));

    assertThat(TestImages.decode(PngChunkFilter.essentialChunks(image)).getWidth()).isEqualTo(5);
  }
}
