package dev.avatarservice.account;

/**
 * What the accounts need beyond the access tokens ({@link TokenSettings}): password hashing, the
 * failed-login throttle, and the refresh tokens' lifetime.
 *
 * @param argon2                    ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM: never below
 *                                  {@link Argon2Settings#OWASP_MINIMUM} in configuration
 * @param hashThreads               HASH_THREADS: threads that hash passwords (0 configured: one per core)
 * @param hashQueue                 HASH_QUEUE: hashes that may wait for a thread before more are refused with 503
 * @param loginFailuresLimit        LOGIN_FAILURES_LIMIT: failed logins per identifier and address before 429
 * @param loginFailuresWindowSeconds LOGIN_FAILURES_WINDOW: how long failed logins count
 * @param refreshTokenTtlSeconds    REFRESH_TOKEN_TTL
 */
public record AccountSettings(Argon2Settings argon2, int hashThreads, int hashQueue, int loginFailuresLimit,
                              int loginFailuresWindowSeconds, int refreshTokenTtlSeconds) {
}
