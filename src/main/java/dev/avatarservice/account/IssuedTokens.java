package dev.avatarservice.account;

import io.vertx.core.json.JsonObject;

/** A fresh token pair and the account it was issued to. */
public record IssuedTokens(String accessToken, String refreshToken, int expiresIn, int refreshExpiresIn, JsonObject user) {

  /** The API's token response {@code data}, with the FastAPI version's {@code token} and {@code identifier}. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("accessToken", accessToken)
      .put("refreshToken", refreshToken)
      .put("tokenType", "Bearer")
      .put("expiresIn", expiresIn)
      .put("refreshExpiresIn", refreshExpiresIn)
      .put("user", user)
      .put("token", accessToken)
      .put("identifier", user.getString("identifier"));
  }

  /** The RFC 6749 §5.1 form, for {@code /oauth/token}. */
  public JsonObject toOAuthJson() {
    return new JsonObject()
      .put("access_token", accessToken)
      .put("token_type", "Bearer")
      .put("expires_in", expiresIn)
      .put("refresh_token", refreshToken);
  }
}
