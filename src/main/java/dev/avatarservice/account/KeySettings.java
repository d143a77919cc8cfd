package dev.avatarservice.account;

import java.util.List;

/**
 * Where the signing keys come from (see {@link SigningKeys#resolve}).
 *
 * @param algorithm              JWT_ALGORITHM: HS256 (a shared secret), ES256 or EdDSA (a private key)
 * @param secret                 JWT_SECRET as UTF-8; empty when not configured
 * @param secretFile             JWT_SECRET_FILE: the HS256 key's file (on a single node, where a generated
 *                               key goes; default {@code jwt-secret.key} beside the database)
 * @param previousSecrets        JWT_PREVIOUS_SECRETS: HS256 keys that still verify but never sign
 * @param privateKeyFile         JWT_PRIVATE_KEY_FILE: PKCS#8 PEM key that signs with ES256 or EdDSA
 * @param previousPublicKeyFiles JWT_PREVIOUS_PUBLIC_KEY_FILES: PEM public keys that still verify
 * @param clustered              CLUSTER: every node must be given the same key, none is made up
 */
public record KeySettings(String algorithm, byte[] secret, String secretFile, List<byte[]> previousSecrets,
                          String privateKeyFile, List<String> previousPublicKeyFiles, boolean clustered) {
}
