package dev.avatarservice.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import dev.avatarservice.image.ImageRejectedException.Reason;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the first image of a file with an ImageIO reader, after checking every size the file
 * declares against the pixel limit (so that no decoder ever allocates for a huge header) and that
 * the file is not cut short.
 */
final class FirstFrameDecoder {

    private final long maxPixels;

    FirstFrameDecoder(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /**
     * @param data the file, already sniffed as {@code format} (and, for PNG, filtered)
     * @throws IOException or a RuntimeException if a reader finds the data corrupt
     */
    BufferedImage decode(ImageFormat format, byte[] data) throws ImageRejectedException, IOException {
        checkPixels(DeclaredSizes.largestPixelCount(format, data));
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
                BufferedImage image = reader.read(0, reader.getDefaultReadParam());
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
}
