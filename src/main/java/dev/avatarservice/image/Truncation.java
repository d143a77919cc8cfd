package dev.avatarservice.image;

/**
 * Spots files cut short, for the formats whose decoders would quietly accept them: for a truncated
 * JPEG, the JPEG readers only warn and fill the missing part with grey, and the TwelveMonkeys
 * lossless WebP decoder reads zeros past the end. An avatar half made of filler is refused instead, so
 * that the user learns the upload went wrong. PNG and GIF readers fail on missing pixel data by
 * themselves.
 */
final class Truncation {

  private static final int MARKER = 0xFF;
  private static final int SOS = 0xDA;
  private static final int EOI = 0xD9;

  private Truncation() {
  }

  static boolean isTruncated(ImageFormat format, byte[] data) {
    switch (format) {
      case JPEG:
        return !jpegHasEndOfImage(data);
      case WEBP:
        // The RIFF header gives the size of the rest of the file; more bytes after it are fine.
        return data.length < 8 + readU32le(data, 4);
      default:
        return false;
    }
  }

  /**
   * True if an EOI marker follows the first start-of-scan. Before it, segments are skipped by their
   * lengths, because an embedded EXIF thumbnail has an EOI of its own; after it, entropy-coded data
   * never contains FF D9 (a data byte FF is always followed by 00).
   */
  private static boolean jpegHasEndOfImage(byte[] jpeg) {
    int pos = 2; // after SOI
    while (pos + 1 < jpeg.length) {
      if ((jpeg[pos] & 0xFF) != MARKER) {
        return false;
      }
      int marker = jpeg[pos + 1] & 0xFF;
      if (marker == MARKER) {
        pos++; // fill byte
      } else if (marker == SOS) {
        return containsEndOfImage(jpeg, pos + 2);
      } else if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
        pos += 2; // standalone markers carry no length
      } else if (pos + 3 < jpeg.length) {
        pos += 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
      } else {
        return false;
      }
    }
    return false;
  }

  private static boolean containsEndOfImage(byte[] jpeg, int from) {
    for (int i = from; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == MARKER && (jpeg[i + 1] & 0xFF) == EOI) {
        return true;
      }
    }
    return false;
  }

  private static long readU32le(byte[] data, int offset) {
    return (data[offset] & 0xFFL) | (data[offset + 1] & 0xFFL) << 8
        | (data[offset + 2] & 0xFFL) << 16 | (data[offset + 3] & 0xFFL) << 24;
  }
}
