package dev.avatarservice.http.upload;

import dev.avatarservice.http.ApiException;

/** The answers an upload body can get before its image is looked at. */
final class UploadErrors {

  private UploadErrors() {
  }

  static ApiException noFile() {
    return ApiException.fail(400, "no_file", "send one file part named avatar or file, or the image bytes");
  }

  static ApiException badBody() {
    return ApiException.fail(400, "bad_request", "the upload body cannot be read");
  }

  static ApiException unsupportedType() {
    return ApiException.fail(415, "unsupported_media_type",
      "send multipart/form-data, or the image bytes as image/png, image/jpeg, image/gif or image/webp");
  }

  static ApiException tooLarge() {
    return ApiException.fail(413, "payload_too_large", "the image is larger than the limit");
  }
}
