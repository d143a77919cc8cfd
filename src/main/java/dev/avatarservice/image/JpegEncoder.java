package dev.avatarservice.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes opaque sRGB pixels (INT_RGB) as a baseline JPEG of quality 0.85, 4:2:0, with optimised
 * Huffman tables (a few per cent smaller, same pixels) and no metadata: handed no metadata, the JDK
 * writer emits only its JFIF header (APP0, which says nothing about the picture), the tables and
 * the scan; no EXIF, no ICC profile (sRGB is what a JPEG without one means), no comment.
 */
final class JpegEncoder {

  static final float QUALITY = 0.85f;

  private JpegEncoder() {
  }

  static byte[] encode(BufferedImage image) {
    if (image.getType() != BufferedImage.TYPE_INT_RGB) {
      throw new IllegalArgumentException("expects an INT_RGB image");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 * 1024);
    try {
      ImageWriter writer = ImagePlugins.jpegWriter();
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(QUALITY);
        if (param instanceof JPEGImageWriteParam jpeg) {
          jpeg.setOptimizeHuffmanTables(true);
        }
        writer.write(null, new IIOImage(image, null, null), param);
      } finally {
        writer.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing a JPEG to memory failed", e);
    }
    return bytes.toByteArray();
  }
}
