package dev.avatarservice.account;

import java.util.Objects;

/**
 * A request field failed validation.
 *
 * <p>{@link #field()} is the JSON field name and {@link #getMessage()} a client-safe reason, so the
 * HTTP layer can answer {@code 400} with the JSend body {@code {"status":"fail","data":{field: message}}}.
 * The message never contains the submitted value (passwords in particular).
 *
 * <p>Validation failures are routine, so no stack trace is captured.
 */
public final class InvalidFieldException extends RuntimeException {

  private final String field;

  public InvalidFieldException(String field, String message) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.field = Objects.requireNonNull(field, "field");
  }

  /** The name of the offending request field, e.g. {@code "identifier"} or {@code "password"}. */
  public String field() {
    return field;
  }
}
