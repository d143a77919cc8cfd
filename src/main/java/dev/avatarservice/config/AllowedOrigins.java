package dev.avatarservice.config;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web origins allowed to use the API from a browser (CORS) or to open sockets: a configured
 * list ({@code *} for any), or the default. The default depends on where the service runs: with
 * {@code PUBLIC_BASE_URL} set, that origin only; without it (a developer's machine), the service's
 * own origin plus {@code http://localhost} and {@code http://127.0.0.1} on any port, so that a
 * front-end development server (Vite on 5173, React on 3000, ...) works out of the box.
 */
public final class AllowedOrigins {

  /** {@code localhost} or {@code 127.0.0.1}, over http or https, with any port or none. */
  public static final String LOOPBACK_REGEX = "https?://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?";
  private static final Pattern LOOPBACK = Pattern.compile(LOOPBACK_REGEX);

  private final Set<String> exact;
  private final boolean any;
  private final boolean loopbackAnyPort;

  private AllowedOrigins(Set<String> exact, boolean loopbackAnyPort) {
    this.exact = exact.stream().map(origin -> origin.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.any = this.exact.contains("*");
    this.loopbackAnyPort = loopbackAnyPort;
  }

  /** Exactly these origins ({@code *} among them: any). */
  public static AllowedOrigins of(Set<String> origins) {
    return new AllowedOrigins(origins, false);
  }

  /** The default: {@code publicBaseUrl}'s origin only when configured, else it and loopback on any port. */
  public static AllowedOrigins byDefault(String publicBaseUrl, boolean publicBaseUrlConfigured) {
    URI base = URI.create(publicBaseUrl);
    return new AllowedOrigins(Set.of(base.getScheme() + "://" + base.getRawAuthority()), !publicBaseUrlConfigured);
  }

  /** Whether a page of that origin (the value of an {@code Origin} header) is allowed. */
  public boolean allows(String origin) {
    if (origin == null) {
      return false;
    }
    String normalized = origin.trim().toLowerCase(Locale.ROOT);
    return any || exact.contains(normalized) || loopbackAnyPort && LOOPBACK.matcher(normalized).matches();
  }

  /** The origins allowed by name ({@code *} for any). */
  public Set<String> exact() {
    return exact;
  }

  /** Whether loopback origins are allowed on any port ({@link #LOOPBACK_REGEX}). */
  public boolean loopbackAnyPort() {
    return loopbackAnyPort;
  }
}
