package dev.avatarservice.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** The benchmark's input: a photo-like 1280x800 (1.02 MP) JPEG at quality 0.9, the same every run. */
final class BenchImage {

  static final int WIDTH = 1280;
  static final int HEIGHT = 800;

  private BenchImage() {
  }

  static byte[] jpeg() throws IOException {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(42);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        // Smooth gradients and waves (what cameras see) plus a little sensor noise.
        int r = clamp(128 + 100 * Math.sin(x / 90.0) + random.nextGaussian() * 6);
        int g = clamp(x * 255.0 / WIDTH * 0.6 + 60 * Math.cos(y / 60.0) + 40 + random.nextGaussian() * 6);
        int b = clamp(y * 255.0 / HEIGHT + 30 * Math.sin((x + y) / 40.0) + random.nextGaussian() * 6);
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.9f);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static int clamp(double value) {
    return (int) Math.max(0, Math.min(255, Math.round(value)));
  }
}
