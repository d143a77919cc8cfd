package dev.avatarservice.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Whether an avatar needs its alpha channel: only when some pixel is not fully opaque. An RGBA file
 * whose every pixel is opaque (common in exports) becomes a JPEG like any photo.
 */
final class Transparency {

  private Transparency() {
  }

  /** Expects what {@link Downscaler} makes: INT_RGB, or INT_ARGB. */
  static boolean hasTransparentPixel(BufferedImage image) {
    if (!image.getColorModel().hasAlpha()) {
      return false;
    }
    int[] pixels = image.getType() == BufferedImage.TYPE_INT_ARGB
        ? ((DataBufferInt) image.getRaster().getDataBuffer()).getData()
        : image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    for (int pixel : pixels) {
      if (pixel >>> 24 != 0xFF) {
        return true;
      }
    }
    return false;
  }

  /** The same pixels as INT_RGB (the alpha, all opaque, dropped). */
  static BufferedImage opaque(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, image.getRGB(0, 0, w, h, null, 0, w), 0, w);
    return out;
  }
}
