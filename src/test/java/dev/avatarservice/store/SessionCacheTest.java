package dev.avatarservice.store;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The session cache's rules (see its class comment); the end-to-end behaviour is in SessionsApiTest. */
class SessionCacheTest {

  private final AtomicLong nanos = new AtomicLong();
  private final SessionCache cache = new SessionCache(2, 1000, nanos::get);
  private final SessionCache.Session alice = new SessionCache.Session("alice", 1L);

  @Test
  void aLoadedSessionIsKeptUntilForgotten() {
    cache.loaded("s1", alice, cache.changes());
    assertThat(cache.get("s1")).isEqualTo(alice);
    cache.forget(List.of("s1"));
    assertThat(cache.get("s1")).isNull();
  }

  @Test
  void aLoadThatRacedAnEndIsNotKept() {
    long before = cache.changes();
    cache.forget(List.of("s1"));
    cache.loaded("s1", alice, before);
    assertThat(cache.get("s1")).isNull();
  }

  @Test
  void anUnknownSessionIsNotKept() {
    cache.loaded("s1", null, cache.changes());
    assertThat(cache.size()).isZero();
  }

  @Test
  void entriesAgeOutAndTheLeastRecentlyUsedGoFirst() {
    cache.loaded("s1", alice, cache.changes());
    cache.loaded("s2", alice, cache.changes());
    cache.get("s1");
    cache.loaded("s3", alice, cache.changes());
    assertThat(cache.get("s2")).isNull();
    assertThat(cache.get("s1")).isEqualTo(alice);
    nanos.addAndGet(1_000_000_000L);
    assertThat(cache.get("s1")).isNull();
  }

  @Test
  void capacityZeroKeepsNothing() {
    SessionCache off = new SessionCache(0, 1000, nanos::get);
    off.loaded("s1", alice, off.changes());
    assertThat(off.get("s1")).isNull();
  }
}
