package dev.avatarservice.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Rebuilds a PNG from the only chunks needed to decode its pixels (IHDR, PLTE, tRNS, IDAT, IEND).
 *
 * <p>Why: whether the JDK reader parses metadata depends on its internals. When it does, it inflates
 * zTXt and iTXt with no size limit (a 1 MB chunk becomes 1 GiB), and even with metadata ignored it
 * still parses the ancillary chunks of palette images. Handing it only the pixel chunks makes the
 * pipeline safe whatever the reader does with the rest, which the output drops anyway. Nothing after
 * IEND is looked at.
 */
final class PngChunkFilter {

  private static final int SIGNATURE_LENGTH = 8;
  private static final int IHDR_DATA_LENGTH = 13;
  private static final Set<String> KEPT = Set.of("IHDR", "PLTE", "tRNS", "IDAT", "IEND");

  private PngChunkFilter() {
  }

  /**
   * Returns the essential chunks of {@code png} (which starts with the PNG signature). A chunk cut
   * short by the end of the data ends the copy; the decoder then reports the truncation.
   *
   * @throws ImageRejectedException UNDECODABLE if the first chunk is not a well-formed IHDR
   */
  static byte[] essentialChunks(byte[] png) throws ImageRejectedException {
    if (png.length < SIGNATURE_LENGTH + 8 + IHDR_DATA_LENGTH + 4
        || readInt(png, SIGNATURE_LENGTH) != IHDR_DATA_LENGTH
        || !"IHDR".equals(chunkType(png, SIGNATURE_LENGTH + 4))) {
      throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
    out.write(png, 0, SIGNATURE_LENGTH);
    int pos = SIGNATURE_LENGTH;
    while (pos + 8 <= png.length) {
      long dataLength = readInt(png, pos) & 0xFFFF_FFFFL;
      String type = chunkType(png, pos + 4);
      long chunkEnd = pos + 8 + dataLength + 4; // length, type, data, CRC
      if (chunkEnd > png.length) {
        break;
      }
      if (KEPT.contains(type)) {
        out.write(png, pos, (int) (chunkEnd - pos));
      }
      if ("IEND".equals(type)) {
        break;
      }
      pos = (int) chunkEnd;
    }
    return out.toByteArray();
  }

  private static int readInt(byte[] data, int offset) {
    return (data[offset] & 0xFF) << 24 | (data[offset + 1] & 0xFF) << 16
        | (data[offset + 2] & 0xFF) << 8 | (data[offset + 3] & 0xFF);
  }

  private static String chunkType(byte[] data, int offset) {
    return new String(data, offset, 4, StandardCharsets.ISO_8859_1);
  }
}
