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

/**
 * The benchmark's input: a photo-like 1280x800 (1.02 MP) JPEG at quality 0.9, the same every run;
 * the image scenario also uses the same scene at 4000x3000, a phone photo.
 */
final class BenchImage {

  static final int WIDTH = 1280;
  static final int HEIGHT = 800;

  private BenchImage() {
  }

  static byte[] jpeg() throws IOException {
    return jpeg(WIDTH, HEIGHT);
  }

  /** The same scene at any size (waves scaled with it), quality 0.9: 4000x3000 is about 3 MB. */
  static byte[] jpeg(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(42);
    double k = (double) WIDTH / width;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        // Smooth gradients and waves (what cameras see) plus a little sensor noise.
        int r = clamp(128 + 100 * Math.sin(x * k / 90.0) + random.nextGaussian() * 6);
        int g = clamp(x * 255.0 / width * 0.6 + 60 * Math.cos(y * k / 60.0) + 40 + random.nextGaussian() * 6);
        int b = clamp(y * 255.0 / height + 30 * Math.sin((x + y) * k / 40.0) + random.nextGaussian() * 6);
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
