package dev.avatarservice.image;

import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageReaderWriterSpi;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * Picks ImageIO plugins by looking at their providers, so that only the chosen reader or writer is
 * ever instantiated (and must be disposed by the caller).
 */
final class ImagePlugins {

  /** TwelveMonkeys' JPEG reader handles CMYK/YCCK, ICC profiles and broken files better than the JDK's. */
  private static final String PREFERRED_READERS = "com.twelvemonkeys.";
  /** The JDK's PNG and JPEG writers are the ones whose output (no metadata unless given some) we rely on. */
  private static final String PREFERRED_WRITERS = "com.sun.imageio.";

  private ImagePlugins() {
  }

  /** A reader for {@code format} that accepts the stream, or empty if no registered reader does. */
  static Optional<ImageReader> reader(ImageFormat format, ImageInputStream input) throws IOException {
    Iterator<ImageReaderSpi> providers = providers(ImageReaderSpi.class, format.imageIoName());
    ImageReaderSpi chosen = null;
    while (providers.hasNext()) {
      ImageReaderSpi provider = providers.next();
      if (better(provider, chosen, PREFERRED_READERS) && provider.canDecodeInput(input)) {
        chosen = provider;
      }
    }
    return chosen == null ? Optional.empty() : Optional.of(chosen.createReaderInstance());
  }

  static ImageWriter pngWriter() throws IOException {
    return writer("png");
  }

  /** The JDK's JPEG writer: baseline, JFIF, and no metadata but what it is given. */
  static ImageWriter jpegWriter() throws IOException {
    return writer("jpeg");
  }

  private static ImageWriter writer(String formatName) throws IOException {
    Iterator<ImageWriterSpi> providers = providers(ImageWriterSpi.class, formatName);
    ImageWriterSpi chosen = null;
    while (providers.hasNext()) {
      ImageWriterSpi provider = providers.next();
      if (better(provider, chosen, PREFERRED_WRITERS)) {
        chosen = provider;
      }
    }
    if (chosen == null) {
      throw new IllegalStateException("no " + formatName + " writer is registered with ImageIO");
    }
    return chosen.createWriterInstance();
  }

  private static <T extends ImageReaderWriterSpi> Iterator<T> providers(Class<T> type, String formatName) {
    return IIORegistry.getDefaultInstance().getServiceProviders(type, provider -> {
      for (String name : ((ImageReaderWriterSpi) provider).getFormatNames()) {
        if (name.equalsIgnoreCase(formatName)) {
          return true;
        }
      }
      return false;
    }, true);
  }

  /** True if {@code candidate} should replace {@code current}: the first one, or a preferred one. */
  private static boolean better(ImageReaderWriterSpi candidate, ImageReaderWriterSpi current, String preferred) {
    return current == null
        || isFrom(candidate, preferred) && !isFrom(current, preferred);
  }

  private static boolean isFrom(ImageReaderWriterSpi provider, String packagePrefix) {
    return provider.getClass().getName().startsWith(packagePrefix);
  }
}
