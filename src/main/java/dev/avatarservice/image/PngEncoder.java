package dev.avatarservice.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes pixels as a PNG that carries nothing else: the image is handed over without metadata, so
 * the JDK writer emits only IHDR, IDAT and IEND (plus PLTE for indexed images, which we never pass).
 */
final class PngEncoder {

  private PngEncoder() {
  }

  static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
    try {
      ImageWriter writer = ImagePlugins.pngWriter();
      // An in-memory stream: never a temporary file, whatever ImageIO.getUseCache() says.
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(image, null, null), null);
      } finally {
        writer.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing a PNG to memory failed", e);
    }
    return bytes.toByteArray();
  }
}
