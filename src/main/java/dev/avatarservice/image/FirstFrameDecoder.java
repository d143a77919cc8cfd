package dev.avatarservice.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import dev.avatarservice.image.ImageRejectedException.Reason;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the first image of a file with an ImageIO reader, bounded whatever the file claims:
 * every size the file declares is checked against the pixel limit (so that no decoder ever
 * allocates for a huge header), the work and memory of the decode are estimated from the header
 * ({@link DecodeCost}) and checked against their limits, the file must not be cut short, a JPEG or
 * PNG is decoded subsampled (never a full-resolution raster of a large image), and the decode is
 * aborted once the upload's CPU budget is spent.
 */
final class FirstFrameDecoder {

  private final long maxPixels;
  private final long maxWork;
  private final long maxMemory;
  private final int box;

  /**
   * @param maxPixels declared pixels allowed
   * @param maxMemory bytes a decode may hold, estimated from the header
   * @param box the side of the largest output, which decides the subsampling
   */
  FirstFrameDecoder(long maxPixels, long maxMemory, int box) {
    this.maxPixels = maxPixels;
    // The pixel limit is meant for 8-bit RGBA: deeper or wider pixels are more work per pixel.
    this.maxWork = maxPixels * 4;
    this.maxMemory = maxMemory;
    this.box = box;
  }

  /**
   * @param data the file, already sniffed as {@code format} (and, for PNG, filtered)
   * @throws IOException or a RuntimeException if a reader finds the data corrupt
   */
  BufferedImage decode(ImageFormat format, byte[] data, CpuBudget budget) throws ImageRejectedException, IOException {
    checkPixels(DeclaredSizes.largestPixelCount(format, data));
    ImageInfo info = ImageInfo.read(format, data);
    // An in-memory stream over the array: no copy and never a temporary file, without touching the
    // JVM-wide ImageIO.setUseCache flag.
    try (ImageInputStream input = new ByteArrayImageInputStream(data)) {
      ImageReader reader = ImagePlugins.reader(format, input)
          .orElseThrow(() -> new ImageRejectedException(Reason.UNDECODABLE));
      try {
        // GIF needs its metadata for the frame position; other formats skip theirs, unread.
        reader.setInput(input, false, format != ImageFormat.GIF);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new ImageRejectedException(Reason.UNDECODABLE);
        }
        checkPixels((long) width * height);
        GifFirstFrame gif = null;
        if (format == ImageFormat.GIF) {
          gif = GifFirstFrame.locate(reader, width, height);
          Rectangle canvas = gif.canvas();
          checkPixels((long) canvas.width * canvas.height);
        }
        if (Truncation.isTruncated(format, data)) {
          throw new ImageRejectedException(Reason.UNDECODABLE);
        }
        DecodeCost cost = DecodeCost.of(info.withSize(width, height), box);
        if (cost.work() > maxWork || cost.memory() > maxMemory) {
          throw new ImageRejectedException(Reason.TOO_COMPLEX);
        }
        ImageReadParam param = reader.getDefaultReadParam();
        if (cost.subsampling() > 1) {
          param.setSourceSubsampling(cost.subsampling(), cost.subsampling(), 0, 0);
        }
        Watchdog watchdog = new Watchdog(budget);
        reader.addIIOReadProgressListener(watchdog);
        reader.addIIOReadWarningListener(watchdog);
        BufferedImage image = reader.read(0, param);
        if (watchdog.dataMissing) {
          throw new ImageRejectedException(Reason.UNDECODABLE);
        }
        budget.check(); // an aborted read returns what it has so far
        return gif == null ? image : gif.composite(image);
      } finally {
        reader.dispose();
      }
    }
  }

  private void checkPixels(long pixels) throws ImageRejectedException {
    if (pixels > maxPixels) {
      throw new ImageRejectedException(Reason.TOO_MANY_PIXELS);
    }
  }

  /**
   * Aborts the read from the reading thread itself once the budget is spent (see {@link CpuBudget}),
   * or as soon as the JPEG decoder reports that the compressed data ran out: it would fill the rest
   * of the image with grey, which costs the whole decode (a few hundred bytes can claim 6000x6000)
   * for an avatar made of filler, refused like a truncated file.
   */
  private static final class Watchdog implements IIOReadProgressListener, IIOReadWarningListener {
    private final CpuBudget budget;
    boolean dataMissing;

    @Override
    public void warningOccurred(ImageReader source, String warning) {
      if (warning != null && warning.toLowerCase(java.util.Locale.ROOT).contains("premature end")) {
        dataMissing = true;
        source.abort();
      }
    }

    Watchdog(CpuBudget budget) {
      this.budget = budget;
    }

    @Override
    public void imageProgress(ImageReader source, float percentageDone) {
      if (budget.exceeded()) {
        source.abort();
      }
    }

    @Override
    public void sequenceStarted(ImageReader source, int minIndex) {
    }

    @Override
    public void sequenceComplete(ImageReader source) {
    }

    @Override
    public void imageStarted(ImageReader source, int imageIndex) {
    }

    @Override
    public void imageComplete(ImageReader source) {
    }

    @Override
    public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {
    }

    @Override
    public void thumbnailProgress(ImageReader source, float percentageDone) {
    }

    @Override
    public void thumbnailComplete(ImageReader source) {
    }

    @Override
    public void readAborted(ImageReader source) {
    }
  }
}
