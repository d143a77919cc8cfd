package dev.avatarservice.image;

import java.util.Objects;

/**
 * An uploaded image the service will not take. The message depends on the {@link Reason} only, so it
 * is safe to show to the client: it never contains bytes, names or text taken from the upload. The
 * cause, when there is one, is for server logs only, since decoder messages may quote the input.
 */
public final class ImageRejectedException extends Exception {

  /** Why an image was refused; the HTTP layer maps these to status codes. */
  public enum Reason {
    /** Not PNG, JPEG, GIF or WebP, judged from the bytes. */
    UNSUPPORTED_TYPE("The file is not a PNG, JPEG, GIF or WebP image."),
    /** The header declares more pixels than allowed; refused before decoding. */
    TOO_MANY_PIXELS("The image has too many pixels."),
    /**
     * Decoding it would take more work (bytes of decoded samples, scans), memory or CPU time than
     * one upload may have.
     */
    TOO_COMPLEX("The image would take too much memory or time to process."),
    /** A supported format, but truncated, corrupt or otherwise impossible to decode. */
    UNDECODABLE("The image could not be decoded.");

    private final String message;

    Reason(String message) {
      this.message = message;
    }
  }

  private final Reason reason;

  public ImageRejectedException(Reason reason) {
    this(reason, null);
  }

  public ImageRejectedException(Reason reason, Throwable cause) {
    super(Objects.requireNonNull(reason, "reason").message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
