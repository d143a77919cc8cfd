package dev.avatarservice.image;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Turns any decoded image into a plain INT_RGB or INT_ARGB image (ARGB only if the source has alpha)
 * that fits within a square, keeping the aspect ratio and never enlarging.
 *
 * <p>How: one separable Lanczos-3 pass per axis, stretched to the reduction ({@link Resampler}).
 * The decoder has already subsampled large JPEGs and PNGs to at most about four times the box, so
 * the filter stays short (at most about 25 taps).
 */
final class Downscaler {

  private Downscaler() {
  }

  static BufferedImage fitWithin(BufferedImage source, int maxSide) {
    int width = source.getWidth();
    int height = source.getHeight();
    boolean alpha = source.getColorModel().hasAlpha();
    double scale = Math.min(1.0, Math.min((double) maxSide / width, (double) maxSide / height));
    int targetW = Math.min(maxSide, Math.max(1, (int) Math.round(width * scale)));
    int targetH = Math.min(maxSide, Math.max(1, (int) Math.round(height * scale)));
    int finalType = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;

    if (targetW == width && targetH == height) {
      return source.getType() == finalType ? source : redraw(source, width, height, finalType);
    }

    return Resampler.resize(source, targetW, targetH, alpha);
  }

  /** Draws the image at the given size into a new image of the given type. */
  private static BufferedImage redraw(BufferedImage source, int width, int height, int type) {
    BufferedImage target = new BufferedImage(width, height, type);
    Graphics2D g = target.createGraphics();
    try {
      g.setComposite(AlphaComposite.Src);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
      g.drawImage(source, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return target;
  }
}
