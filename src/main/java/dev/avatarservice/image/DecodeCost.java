package dev.avatarservice.image;

/**
 * What decoding an upload will cost, read from its header before any pixel is decoded: the work
 * (decoded bytes, so bit depth and channels count, and every scan of a progressive JPEG) and the
 * memory the decoder will hold.
 *
 * <p>Memory, by format, with the subsampling {@link FirstFrameDecoder} uses:
 * <ul>
 *   <li>baseline JPEG and PNG decode row by row into a subsampled raster: that raster plus a few
 *       rows of the full width;</li>
 *   <li>a progressive JPEG keeps every DCT coefficient of the whole image (2 bytes each, per
 *       component at its own sampling) until the last scan, whatever the subsampling;</li>
 *   <li>WebP decodes whole (a lossless one also keeps its transformed copy);</li>
 *   <li>GIF decodes its first frame whole, as indexes, then composites it on an ARGB canvas.</li>
 * </ul>
 */
record DecodeCost(long work, long memory, int subsampling) {

  /** A progressive JPEG of this many scans counts as one decode; each further ten, one more. */
  static final int SCANS_PER_DECODE = 10;

  /**
   * @param info the header facts
   * @param box the side of the largest output (512)
   */
  static DecodeCost of(ImageInfo info, int box) {
    long pixels = (long) info.width() * info.height();
    long bytesPerPixel = (long) info.channels() * ((info.bitsPerSample() + 7) / 8);
    int subsampling = info.format() == ImageFormat.JPEG || info.format() == ImageFormat.PNG
        ? subsampling(info.width(), info.height(), box) : 1;
    long subW = ceilDiv(info.width(), subsampling);
    long subH = ceilDiv(info.height(), subsampling);
    // Decoded rasters are at most 4 bytes per pixel after the readers' conversions, 8 for 16-bit.
    long raster = subW * subH * Math.max(4, bytesPerPixel);
    long rows = (long) info.width() * bytesPerPixel * 16;
    long work = pixels * bytesPerPixel;
    long memory;
    switch (info.format()) {
      case JPEG:
        if (info.progressive()) {
          memory = info.coefficientCount() * 2 + raster + rows;
          work = work * Math.max(SCANS_PER_DECODE, info.scans()) / SCANS_PER_DECODE;
        } else {
          memory = raster + rows;
        }
        break;
      case PNG:
        memory = raster + rows * 2;
        break;
      case WEBP:
        memory = pixels * 4 * (info.lossless() ? 2 : 1) + pixels * 3 / 2;
        break;
      default: // GIF
        memory = pixels + pixels * 4;
        break;
    }
    return new DecodeCost(work, memory, subsampling);
  }

  /**
   * The largest whole factor that keeps the longer side at least twice the box: the raster stays
   * below four times the box per side, and the filter that makes the avatar still has two source
   * pixels per output pixel to work with.
   */
  static int subsampling(int width, int height, int box) {
    return Math.max(1, Math.max(width, height) / (2 * box));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
