package dev.avatarservice.http;

/** The token of an {@code Authorization: Bearer <token>} header (RFC 6750 §2.1), read in one place. */
public final class BearerToken {

  private static final String PREFIX = "bearer ";

  private BearerToken() {
  }

  /** The token, or a 401 without an error code when the header is absent or not a bearer token. */
  public static String of(String authorization) {
    if (authorization == null || authorization.length() <= PREFIX.length()
      || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      throw ApiException.authenticationRequired("unauthorized", "a bearer access token is required");
    }
    return authorization.substring(PREFIX.length()).trim();
  }
}
