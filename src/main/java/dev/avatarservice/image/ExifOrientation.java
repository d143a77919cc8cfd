package dev.avatarservice.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF Orientation tag (0x0112) of a JPEG, and the lossless rotation or mirroring it asks for.
 * Cameras store pixels as the sensor saw them and record how to turn them; since the output has
 * no EXIF, the turn must be applied to the pixels.
 */
final class ExifOrientation {

  static final int NORMAL = 1;

  private ExifOrientation() {
  }

  /**
   * The orientation (1..8) of the first APP1 "Exif" segment that has one, or {@link #NORMAL} when
   * there is none or the metadata is broken: bad metadata must not cost the user an avatar whose
   * pixels decode fine.
   */
  static int read(byte[] jpeg) {
    try (ImageInputStream in = new ByteArrayImageInputStream(jpeg)) {
      for (JPEGSegment segment : JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif")) {
        int orientation = orientationOf(segment);
        if (orientation != 0) {
          return orientation;
        }
      }
    } catch (IOException | RuntimeException e) {
      return NORMAL;
    }
    return NORMAL;
  }

  private static int orientationOf(JPEGSegment segment) throws IOException {
    byte[] tiff;
    try (InputStream data = segment.data()) {
      // data() starts after "Exif\0"; the TIFF structure follows one more padding NUL.
      if (data == null || data.read() < 0) {
        return 0;
      }
      tiff = data.readAllBytes();
    }
    // A stream of known length lets TIFFReader refuse values that point past the end before it
    // allocates anything for them (the segment itself is at most 64 KiB).
    Directory directory = new TIFFReader().read(new ByteArrayImageInputStream(tiff));
    Entry entry = directory.getEntryById(TIFF.TAG_ORIENTATION);
    if (entry != null && entry.getValue() instanceof Number) {
      int value = ((Number) entry.getValue()).intValue();
      if (value >= 1 && value <= 8) {
        return value;
      }
    }
    return 0;
  }

  /**
   * Returns {@code image} turned upright for the given orientation; the pixels are moved, never
   * interpolated. Expects an INT_RGB or INT_ARGB image and returns one of the same type.
   */
  static BufferedImage apply(BufferedImage image, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    boolean swapsSides = orientation >= 5; // 5..8 turn by a quarter, so width and height swap
    int outW = swapsSides ? h : w;
    int outH = swapsSides ? w : h;
    int[] src = image.getRGB(0, 0, w, h, null, 0, w);
    int[] dst = new int[src.length];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2: sx = w - 1 - x; sy = y; break;           // mirror left-right
          case 3: sx = w - 1 - x; sy = h - 1 - y; break;   // turn 180 degrees
          case 4: sx = x; sy = h - 1 - y; break;           // mirror top-bottom
          case 5: sx = y; sy = x; break;                   // mirror along the main diagonal
          case 6: sx = y; sy = h - 1 - x; break;           // turn 90 degrees clockwise
          case 7: sx = w - 1 - y; sy = h - 1 - x; break;   // mirror along the other diagonal
          default: sx = w - 1 - y; sy = x; break;          // 8: turn 90 degrees counter-clockwise
        }
        dst[y * outW + x] = src[sy * w + sx];
      }
    }
    BufferedImage out = new BufferedImage(outW, outH, image.getType());
    out.setRGB(0, 0, outW, outH, dst, 0, outW);
    return out;
  }
}
