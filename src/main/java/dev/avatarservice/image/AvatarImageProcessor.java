package dev.avatarservice.image;

import dev.avatarservice.image.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns an uploaded PNG, JPEG, GIF or WebP into a clean avatar and its smaller variants: format
 * judged from the bytes, pixel count, work and decoding memory checked from the headers before
 * decoding, truncated files refused, decoded subsampled, first frame only, JPEG EXIF orientation
 * applied, scaled down to fit a square, re-encoded with no metadata at all: a JPEG when no pixel
 * is transparent, else a PNG. Each variant is scaled from the next larger one, never up.
 *
 * <p>Blocking and CPU-bound: call it on a worker thread; the whole call is bounded by the CPU
 * budget. Thread-safe: it holds only its limits, and every call uses its own readers, streams and
 * images.
 */
public final class AvatarImageProcessor {

  /** The service's default: 40 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
  /** The service's default: avatars fit within 512 x 512. */
  public static final int DEFAULT_MAX_SIDE = 512;
  /** The service's default: 64 MiB of decoding memory per upload. */
  public static final long DEFAULT_DECODE_MEMORY = 64L << 20;
  /** The service's default: one second of CPU per upload. */
  public static final long DEFAULT_CPU_BUDGET_MS = 1000;
  /** The service's default variants. */
  public static final List<Integer> DEFAULT_SIZES = List.of(64, 128, 256);

  private final int maxSide;
  private final List<Integer> sizesDescending;
  private final long cpuBudgetMs;
  private final FirstFrameDecoder decoder;

  public AvatarImageProcessor(long maxPixels, int maxSide) {
    this(maxPixels, maxSide, DEFAULT_SIZES.stream().filter(size -> size < maxSide).toList(),
      DEFAULT_DECODE_MEMORY, DEFAULT_CPU_BUDGET_MS);
  }

  public AvatarImageProcessor(long maxPixels, int maxSide, List<Integer> sizes, long decodeMemory, long cpuBudgetMs) {
    if (maxPixels < 1 || maxSide < 1 || decodeMemory < 1 || cpuBudgetMs < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (sizes.stream().anyMatch(size -> size < 1 || size >= maxSide)) {
      throw new IllegalArgumentException("variant sizes must be from 1 to maxSide - 1");
    }
    this.maxSide = maxSide;
    this.sizesDescending = sizes.stream().distinct().sorted((a, b) -> b - a).toList();
    this.cpuBudgetMs = cpuBudgetMs;
    this.decoder = new FirstFrameDecoder(maxPixels, decodeMemory, maxSide);
  }

  /**
   * The avatar made from {@code input}, with its variants.
   *
   * @throws ImageRejectedException UNSUPPORTED_TYPE if the bytes are not PNG, JPEG, GIF or WebP;
   *     TOO_MANY_PIXELS if a header declares more than the limit; TOO_COMPLEX if decoding would
   *     take more work or memory than allowed, or the CPU budget ran out; UNDECODABLE if the data
   *     is corrupt
   */
  public AvatarImages process(byte[] input) throws ImageRejectedException {
    CpuBudget budget = CpuBudget.start(cpuBudgetMs);
    BufferedImage avatar = avatar(input, budget);
    budget.check();
    boolean transparent = Transparency.hasTransparentPixel(avatar);
    if (!transparent) {
      avatar = Transparency.opaque(avatar);
    }
    byte[] main = encode(avatar, transparent);
    TreeMap<Integer, byte[]> variants = new TreeMap<>();
    int longest = Math.max(avatar.getWidth(), avatar.getHeight());
    BufferedImage larger = avatar;
    for (int size : sizesDescending) {
      if (size >= longest) {
        continue; // never scaled up, and no copy of the main image
      }
      budget.check();
      larger = Downscaler.fitWithin(larger, size);
      variants.put(size, encode(larger, transparent));
    }
    budget.check();
    return new AvatarImages(transparent ? "png" : "jpg", main, avatar.getWidth(), avatar.getHeight(), variants);
  }

  /**
   * The avatar alone, as a PNG whatever its transparency, bounded like {@link #process}: the
   * processor's tests inspect its pixels exactly, which a JPEG would blur.
   */
  public byte[] toPng(byte[] input) throws ImageRejectedException {
    return PngEncoder.encode(avatar(input, CpuBudget.start(cpuBudgetMs)));
  }

  /** The input decoded within the budget, scaled into the box and turned upright. */
  private BufferedImage avatar(byte[] input, CpuBudget budget) throws ImageRejectedException {
    Objects.requireNonNull(input, "input");
    ImageFormat format = ImageFormat.sniff(input)
        .orElseThrow(() -> new ImageRejectedException(Reason.UNSUPPORTED_TYPE));
    BufferedImage decoded = decode(format, input, budget);
    int orientation = format == ImageFormat.JPEG ? ExifOrientation.read(input) : ExifOrientation.NORMAL;
    // Scaling first is safe, since the bounding box is square, and makes the turn cheap; the
    // full raster is garbage once this returns.
    return ExifOrientation.apply(Downscaler.fitWithin(decoded, maxSide), orientation);
  }

  private static byte[] encode(BufferedImage image, boolean transparent) {
    return transparent ? PngEncoder.encode(image) : JpegEncoder.encode(image);
  }

  private BufferedImage decode(ImageFormat format, byte[] input, CpuBudget budget) throws ImageRejectedException {
    try {
      byte[] data = format == ImageFormat.PNG ? PngChunkFilter.essentialChunks(input) : input;
      return decoder.decode(format, data, budget);
    } catch (IOException | RuntimeException e) {
      // Readers report corrupt data with IIOException, but also with IndexOutOfBounds,
      // IllegalArgument, IllegalState, CMMException (bad ICC profile) and the like.
      throw new ImageRejectedException(Reason.UNDECODABLE, e);
    }
  }
}
