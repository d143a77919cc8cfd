package dev.avatarservice.image;

import java.nio.charset.StandardCharsets;

/**
 * Sizes that a container declares besides the one its ImageIO reader reports for image 0, read
 * straight from the bytes so that a header that lies cannot make a decoder allocate a huge buffer.
 *
 * <ul>
 *   <li>GIF: the logical screen, which the first frame is composited onto.</li>
 *   <li>WebP: the VP8X canvas, every ANMF frame, and every VP8/VP8L bitstream header. The
 *       TwelveMonkeys reader reports the canvas or frame size, but its bitstream decoders allocate
 *       from the bitstream's own header: a 1x1 canvas around a VP8 stream claiming 16383x16383
 *       makes it run out of memory.</li>
 * </ul>
 * PNG and JPEG readers allocate exactly the size they report, so nothing extra is needed there
 * (PNG chunks are filtered separately by {@link PngChunkFilter}).
 */
final class DeclaredSizes {

  private static final int RIFF_HEADER_LENGTH = 12;
  private static final int MAX_WEBP_NESTING = 1; // ANMF holds the frame's chunks; nothing nests deeper

  private DeclaredSizes() {
  }

  /** The largest width x height declared anywhere in the container, or 0 if nothing is declared. */
  static long largestPixelCount(ImageFormat format, byte[] data) {
    switch (format) {
      case GIF:
        return gifLogicalScreen(data);
      case WEBP:
        return webpChunks(data, RIFF_HEADER_LENGTH, data.length, 0);
      default:
        return 0;
    }
  }

  private static long gifLogicalScreen(byte[] gif) {
    // "GIF89a", then the logical screen width and height, 16-bit little-endian each.
    if (gif.length < 10) {
      return 0;
    }
    return (long) u16le(gif, 6) * u16le(gif, 8);
  }

  private static long webpChunks(byte[] webp, int from, int to, int depth) {
    long largest = 0;
    long pos = from;
    while (pos + 8 <= to) {
      int at = (int) pos;
      String fourCc = new String(webp, at, 4, StandardCharsets.ISO_8859_1);
      long size = u32le(webp, at + 4);
      int body = at + 8;
      long bodyEnd = Math.min(to, body + size);
      int available = (int) (bodyEnd - body);
      switch (fourCc) {
        case "VP8X":
        case "ANMF":
          // VP8X: flags(4) width-1(3) height-1(3); ANMF: x(3) y(3) width-1(3) height-1(3) ...
          int sizeAt = "VP8X".equals(fourCc) ? 4 : 6;
          if (available >= sizeAt + 6) {
            largest = Math.max(largest,
                (u24le(webp, body + sizeAt) + 1L) * (u24le(webp, body + sizeAt + 3) + 1L));
          }
          if ("ANMF".equals(fourCc) && depth < MAX_WEBP_NESTING && available > 16) {
            largest = Math.max(largest, webpChunks(webp, body + 16, (int) bodyEnd, depth + 1));
          }
          break;
        case "VP8 ":
          // Frame tag(3), start code 9D 01 2A, then 14-bit width and height (2 scale bits each).
          if (available >= 10) {
            largest = Math.max(largest,
                (long) (u16le(webp, body + 6) & 0x3FFF) * (u16le(webp, body + 8) & 0x3FFF));
          }
          break;
        case "VP8L":
          // Signature 0x2F, then width-1 and height-1 as 14-bit fields, least significant bits first.
          if (available >= 5) {
            long bits = u32le(webp, body + 1);
            largest = Math.max(largest, ((bits & 0x3FFF) + 1) * (((bits >>> 14) & 0x3FFF) + 1));
          }
          break;
        default:
          break;
      }
      pos = body + size + (size & 1); // chunks are padded to an even length
    }
    return largest;
  }

  private static int u16le(byte[] data, int offset) {
    return (data[offset] & 0xFF) | (data[offset + 1] & 0xFF) << 8;
  }

  private static int u24le(byte[] data, int offset) {
    return u16le(data, offset) | (data[offset + 2] & 0xFF) << 16;
  }

  private static long u32le(byte[] data, int offset) {
    return (u24le(data, offset) | (long) (data[offset + 3] & 0xFF) << 24);
  }
}
