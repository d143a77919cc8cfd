package dev.avatarservice.image;

import dev.avatarservice.image.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns an uploaded PNG, JPEG, GIF or WebP into a clean PNG avatar: format judged from the bytes,
 * pixel count checked from the headers before decoding, truncated files refused, first frame only,
 * JPEG EXIF orientation applied, scaled down to fit a square, re-encoded with no metadata at all.
 *
 * <p>Blocking and CPU-bound: call it on a worker thread. Thread-safe: it holds only its two limits,
 * and every call uses its own readers, streams and images.
 */
public final class AvatarImageProcessor {

    /** The service's default: 40 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** The service's default: avatars fit within 512 x 512. */
    public static final int DEFAULT_MAX_SIDE = 512;

    private final int maxSide;
    private final FirstFrameDecoder decoder;

    public AvatarImageProcessor(long maxPixels, int maxSide) {
        if (maxPixels < 1 || maxSide < 1) {
            throw new IllegalArgumentException("maxPixels and maxSide must be positive");
        }
        this.maxSide = maxSide;
        this.decoder = new FirstFrameDecoder(maxPixels);
    }

    /**
     * Returns the PNG bytes of the avatar made from {@code input}.
     *
     * @throws ImageRejectedException UNSUPPORTED_TYPE if the bytes are not PNG, JPEG, GIF or WebP;
     *     TOO_MANY_PIXELS if a header declares more than the limit; UNDECODABLE if the data is corrupt
     */
    public byte[] toPng(byte[] input) throws ImageRejectedException {
        Objects.requireNonNull(input, "input");
        ImageFormat format = ImageFormat.sniff(input)
                .orElseThrow(() -> new ImageRejectedException(Reason.UNSUPPORTED_TYPE));
        BufferedImage decoded = decode(format, input);
        int orientation = format == ImageFormat.JPEG ? ExifOrientation.read(input) : ExifOrientation.NORMAL;
        // Scaling first is safe, since the bounding box is square, and makes the turn cheap.
        BufferedImage avatar = ExifOrientation.apply(Downscaler.fitWithin(decoded, maxSide), orientation);
        return PngEncoder.encode(avatar);
    }

    private BufferedImage decode(ImageFormat format, byte[] input) throws ImageRejectedException {
        try {
            byte[] data = format == ImageFormat.PNG ? PngChunkFilter.essentialChunks(input) : input;
            return decoder.decode(format, data);
        } catch (IOException | RuntimeException e) {
            // Readers report corrupt data with IIOException, but also with IndexOutOfBounds,
            // IllegalArgument, IllegalState, CMMException (bad ICC profile) and the like.
            throw new ImageRejectedException(Reason.UNDECODABLE, e);
        }
    }
}
