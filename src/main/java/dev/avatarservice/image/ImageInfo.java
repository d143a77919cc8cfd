package dev.avatarservice.image;

/**
 * Header facts of an upload, read straight from its bytes before any decoder runs.
 *
 * @param width declared width (0 when the header could not be read: the decoder then refuses it)
 * @param height declared height
 * @param channels samples per pixel as stored (a palette counts as one)
 * @param bitsPerSample bits of each stored sample (PNG 1 to 16, JPEG 8 or 12)
 * @param progressive a progressive JPEG
 * @param scans start-of-scan markers of a JPEG
 * @param coefficientCount DCT coefficients a progressive JPEG decoder keeps (every block of every component)
 * @param lossless a lossless (VP8L) WebP
 */
record ImageInfo(ImageFormat format, int width, int height, int channels, int bitsPerSample,
    boolean progressive, int scans, long coefficientCount, boolean lossless) {

  private static final int MARKER = 0xFF;
  private static final int SOS = 0xDA;

  static ImageInfo read(ImageFormat format, byte[] data) {
    switch (format) {
      case PNG:
        return png(data);
      case JPEG:
        return jpeg(data);
      case WEBP:
        return new ImageInfo(format, 0, 0, 4, 8, false, 0, 0, containsChunk(data, "VP8L"));
      default:
        return new ImageInfo(format, 0, 0, 1, 8, false, 0, 0, false);
    }
  }

  /** With the size the reader reports filled in (GIF and WebP sizes come from their readers). */
  ImageInfo withSize(int readerWidth, int readerHeight) {
    return new ImageInfo(format, readerWidth, readerHeight, channels, bitsPerSample, progressive, scans,
        coefficientCount, lossless);
  }

  private static ImageInfo png(byte[] png) {
    // signature(8), IHDR length(4) and type(4), then width(4) height(4) bit depth(1) colour type(1)
    if (png.length < 26) {
      return new ImageInfo(ImageFormat.PNG, 0, 0, 1, 8, false, 0, 0, false);
    }
    int width = u32be(png, 16);
    int height = u32be(png, 20);
    int bitDepth = png[24] & 0xFF;
    int channels = switch (png[25] & 0xFF) {
      case 2 -> 3;  // RGB
      case 4 -> 2;  // grey + alpha
      case 6 -> 4;  // RGBA
      default -> 1; // grey, palette
    };
    return new ImageInfo(ImageFormat.PNG, Math.max(0, width), Math.max(0, height), channels,
        Math.max(1, Math.min(16, bitDepth)), false, 0, 0, false);
  }

  /**
   * Walks the segments to the frame header (SOFn), then counts the scans: before the first scan
   * segments are skipped by their lengths; after it, entropy-coded data never holds FF DA (a data
   * byte FF is always followed by 00), so every FF DA is a scan.
   */
  private static ImageInfo jpeg(byte[] jpeg) {
    int pos = 2;
    int width = 0;
    int height = 0;
    int channels = 3;
    int precision = 8;
    boolean progressive = false;
    long coefficients = 0;
    int scans = 0;
    while (pos + 3 < jpeg.length) {
      if ((jpeg[pos] & 0xFF) != MARKER) {
        break;
      }
      int marker = jpeg[pos + 1] & 0xFF;
      if (marker == MARKER) {
        pos++;
        continue;
      }
      if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
        pos += 2;
        continue;
      }
      int length = u16be(jpeg, pos + 2);
      boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (frame && pos + 10 <= jpeg.length) {
        precision = jpeg[pos + 4] & 0xFF;
        height = u16be(jpeg, pos + 5);
        width = u16be(jpeg, pos + 7);
        channels = Math.max(1, jpeg[pos + 9] & 0xFF);
        progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA;
        coefficients = coefficients(jpeg, pos + 10, Math.min(channels, 4), width, height);
      }
      if (marker == SOS) {
        scans = countScans(jpeg, pos);
        break;
      }
      pos += 2 + length;
    }
    return new ImageInfo(ImageFormat.JPEG, width, height, channels, precision, progressive, scans,
        coefficients, false);
  }

  /** Blocks of 64 coefficients of every component, each at its own sampling, padded to whole MCUs. */
  private static long coefficients(byte[] jpeg, int at, int components, int width, int height) {
    int maxH = 1;
    int maxV = 1;
    for (int c = 0; c < components && at + c * 3 + 1 < jpeg.length; c++) {
      int sampling = jpeg[at + c * 3 + 1] & 0xFF;
      maxH = Math.max(maxH, Math.max(1, sampling >> 4));
      maxV = Math.max(maxV, Math.max(1, sampling & 0x0F));
    }
    long mcusX = (width + 8L * maxH - 1) / (8L * maxH);
    long mcusY = (height + 8L * maxV - 1) / (8L * maxV);
    long total = 0;
    for (int c = 0; c < components && at + c * 3 + 1 < jpeg.length; c++) {
      int sampling = jpeg[at + c * 3 + 1] & 0xFF;
      total += mcusX * Math.max(1, sampling >> 4) * mcusY * Math.max(1, sampling & 0x0F) * 64;
    }
    return total;
  }

  private static int countScans(byte[] jpeg, int firstScan) {
    int scans = 0;
    for (int i = firstScan; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == MARKER && (jpeg[i + 1] & 0xFF) == SOS) {
        scans++;
      }
    }
    return scans;
  }

  private static boolean containsChunk(byte[] webp, String fourCc) {
    // RIFF header (12), then chunks; VP8X files put the bitstream chunk after a few others.
    byte[] wanted = fourCc.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    long pos = 12;
    while (pos + 8 <= webp.length) {
      int at = (int) pos;
      boolean match = true;
      for (int i = 0; i < 4; i++) {
        match &= webp[at + i] == wanted[i];
      }
      if (match) {
        return true;
      }
      long size = (webp[at + 4] & 0xFFL) | (webp[at + 5] & 0xFFL) << 8 | (webp[at + 6] & 0xFFL) << 16
          | (webp[at + 7] & 0xFFL) << 24;
      pos = at + 8 + size + (size & 1);
    }
    return false;
  }

  private static int u16be(byte[] data, int offset) {
    return (data[offset] & 0xFF) << 8 | (data[offset + 1] & 0xFF);
  }

  private static int u32be(byte[] data, int offset) {
    return (data[offset] & 0xFF) << 24 | (data[offset + 1] & 0xFF) << 16 | (data[offset + 2] & 0xFF) << 8
        | (data[offset + 3] & 0xFF);
  }
}
