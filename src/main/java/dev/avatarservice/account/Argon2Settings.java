package dev.avatarservice.account;

/**
 * Argon2id cost parameters.
 *
 * <p>This record only enforces what Argon2 itself needs plus upper bounds that keep a single hash
 * within reason; the service's configuration ({@code config.Settings}) is what insists on at least
 * {@link #OWASP_MINIMUM} (see also {@link #meetsOwaspMinimum()}), so that tests can use cheap settings.
 *
 * @param memoryKiB memory cost in KiB ({@code m}): at least 8 × parallelism, at most
 *     {@value #MAX_MEMORY_KIB}
 * @param iterations time cost ({@code t}): 1 to {@value #MAX_ITERATIONS}
 * @param parallelism lanes ({@code p}): 1 to {@value #MAX_PARALLELISM}
 */
public record Argon2Settings(int memoryKiB, int iterations, int parallelism) {

  /** 1 GiB. */
  public static final int MAX_MEMORY_KIB = 1024 * 1024;
  public static final int MAX_ITERATIONS = 100;
  public static final int MAX_PARALLELISM = 64;

  /** OWASP's current minimum for Argon2id: 19 MiB, 2 iterations, parallelism 1. */
  public static final Argon2Settings OWASP_MINIMUM = new Argon2Settings(19 * 1024, 2, 1);

  /** The service's defaults: the OWASP minimum. */
  public static final Argon2Settings DEFAULTS = OWASP_MINIMUM;

  public Argon2Settings {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "Argon2 parallelism must be 1 to " + MAX_PARALLELISM + ", was " + parallelism);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "Argon2 iterations must be 1 to " + MAX_ITERATIONS + ", was " + iterations);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException("Argon2 memory must be 8 x parallelism to "
          + MAX_MEMORY_KIB + " KiB, was " + memoryKiB);
    }
  }

  /** Whether each parameter is at least OWASP's minimum (19456 KiB, 2 iterations, parallelism 1). */
  public boolean meetsOwaspMinimum() {
    return memoryKiB >= OWASP_MINIMUM.memoryKiB
        && iterations >= OWASP_MINIMUM.iterations
        && parallelism >= OWASP_MINIMUM.parallelism;
  }
}
