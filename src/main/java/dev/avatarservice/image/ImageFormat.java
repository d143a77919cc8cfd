package dev.avatarservice.image;

import java.util.Optional;

/**
 * The image formats accepted for avatars, recognised from their magic numbers only: file names and
 * declared content types are client claims and are never trusted.
 */
public enum ImageFormat {
  PNG("png"),
  JPEG("jpeg"),
  GIF("gif"),
  WEBP("webp");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final byte[] JPEG_SOI = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
  private static final byte[] GIF87A = {'G', 'I', 'F', '8', '7', 'a'};
  private static final byte[] GIF89A = {'G', 'I', 'F', '8', '9', 'a'};
  private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
  private static final byte[] WEBP_FOURCC = {'W', 'E', 'B', 'P'};

  /** The longest prefix {@link #sniff} ever looks at. */
  public static final int SNIFF_LENGTH = 12;

  private final String imageIoName;

  ImageFormat(String imageIoName) {
    this.imageIoName = imageIoName;
  }

  /** The format name ImageIO reader providers use for this format. */
  String imageIoName() {
    return imageIoName;
  }

  /**
   * Recognises the format from the first bytes of a file ({@link #SNIFF_LENGTH} are enough; the
   * whole file may be passed). Anything else (text, HTML, SVG, BMP, PDF, too short, null) is empty.
   */
  public static Optional<ImageFormat> sniff(byte[] head) {
    if (head == null) {
      return Optional.empty();
    }
    if (startsWith(head, 0, PNG_SIGNATURE)) {
      return Optional.of(PNG);
    }
    if (startsWith(head, 0, JPEG_SOI)) {
      return Optional.of(JPEG);
    }
    if (startsWith(head, 0, GIF87A) || startsWith(head, 0, GIF89A)) {
      return Optional.of(GIF);
    }
    // RIFF container: "RIFF", 4 bytes of size, then the form type, which must be "WEBP".
    if (startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP_FOURCC)) {
      return Optional.of(WEBP);
    }
    return Optional.empty();
  }

  private static boolean startsWith(byte[] data, int offset, byte[] magic) {
    if (data.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (data[offset + i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
