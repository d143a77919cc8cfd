package dev.avatarservice.config;

import java.util.List;

/**
 * What the HTTP server needs: where it listens, how it is reached, what it accepts, how it stops.
 *
 * @param host                   HTTP_HOST
 * @param port                   HTTP_PORT
 * @param instances              HTTP_INSTANCES: instances of the HTTP verticle (0 configured: one per core)
 * @param publicBaseUrl          PUBLIC_BASE_URL: scheme, host and port the clients use, without a trailing
 *                               slash ({@code http://localhost:<port>} when not configured)
 * @param corsOrigins            CORS_ORIGINS: the configured list, or the default of {@link AllowedOrigins}
 * @param jsonBodyLimit          JSON_BODY_LIMIT: bytes of a JSON body before 413
 * @param idleTimeoutSeconds     HTTP_IDLE_TIMEOUT: seconds a connection may stay without reading or writing
 *                               a byte before it is closed (0: never); longer than the socket pings
 * @param shutdownTimeoutSeconds SHUTDOWN_TIMEOUT: seconds a stopping node gives the requests in flight
 *                               before it closes their connections
 * @param authRequestsPerMinute  AUTH_REQUESTS_PER_MINUTE: register, login and refresh requests per client
 *                               address and node
 * @param trustedProxies         TRUSTED_PROXIES: the reverse proxies whose {@code X-Forwarded-For} /
 *                               {@code Forwarded} headers are believed (none: the headers are ignored)
 * @param headerTimeoutSeconds   HTTP_HEADER_TIMEOUT: seconds a request's headers may take to arrive, from the
 *                               connection opening or the end of the previous answer (0: no limit); also
 *                               the grace before a body's rate counts
 * @param bodyMinRate            HTTP_BODY_MIN_RATE: bytes per second a body must keep arriving at (0: none)
 */
public record HttpSettings(String host, int port, int instances, String publicBaseUrl, AllowedOrigins corsOrigins,
                           int jsonBodyLimit, int idleTimeoutSeconds, int shutdownTimeoutSeconds,
                           int authRequestsPerMinute, List<AddressRange> trustedProxies,
                           int headerTimeoutSeconds, int bodyMinRate) {
}
