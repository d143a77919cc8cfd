import type { Client } from 'openapi-fetch';
import { Emitter } from './emitter.js';
import { ApiError } from './errors.js';
import type { components, paths } from './openapi.js';
import type { StoredTokens, TokenStore } from './tokens.js';

export type TokenData = components['schemas']['TokenData'];
export type User = components['schemas']['User'];

/** Why a session ended on this client. */
export type SignOutReason =
  /** logout() or endAllSessions() from this client */
  | 'logout'
  /** the refresh token was refused (expired, revoked, reused, account gone) */
  | 'refresh_failed'
  /** the service said so over the realtime connection (`session.ended`) */
  | 'session_ended'
  /** the account was deleted, here or elsewhere */
  | 'user_deleted';

export interface SessionEvents {
  /** A new token pair was stored (login, registration, refresh, password change). */
  tokens: { tokens: StoredTokens; user: User | null };
  signedOut: { reason: SignOutReason };
}

export interface SessionOptions {
  store: TokenStore;
  /** Refresh this long before the access token expires, at most (and at most a quarter of its lifetime). */
  refreshLeadMaxMs: number;
  /** Refresh on a timer before expiry, not only when a call needs a token. */
  autoRefresh: boolean;
}

/**
 * The token pair of one login and its refresh. Refreshing is single-flight: concurrent callers
 * (calls that got 401, a token near expiry, the realtime client) share one /api/refresh, because
 * the service rotates the refresh token on every use and takes a second use of the same one for
 * theft (it then ends the session).
 */
export class Session extends Emitter<SessionEvents> {
  private tokens: StoredTokens | null;
  private currentUser: User | null = null;
  private inFlight: Promise<TokenData> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: Client<paths>, private readonly options: SessionOptions) {
    super();
    this.tokens = options.store.load();
    this.schedule();
  }

  get isSignedIn(): boolean {
    return this.tokens !== null;
  }

  /** The user of the last token answer, if this client has seen one since it started. */
  get user(): User | null {
    return this.currentUser;
  }

  /** The stored tokens (a copy), or null when signed out. */
  get current(): StoredTokens | null {
    return this.tokens ? { ...this.tokens } : null;
  }

  /** How long before expiry a token is refreshed: at most refreshLeadMaxMs, at most a third of its lifetime. */
  leadMs(tokens: StoredTokens): number {
    return Math.min(this.options.refreshLeadMaxMs, usableMs(tokens.expiresIn) / 3);
  }

  /** Stores a token answer (registration, login, refresh, password change). */
  adopt(data: TokenData): void {
    this.tokens = {
      accessToken: data.accessToken,
      refreshToken: data.refreshToken,
      expiresIn: data.expiresIn,
      expiresAt: Date.now() + usableMs(data.expiresIn),
    };
    this.currentUser = data.user;
    this.options.store.save(this.tokens);
    this.schedule();
    this.emit('tokens', { tokens: { ...this.tokens }, user: this.currentUser });
  }

  /** Keeps the user up to date after calls that answer it. */
  setUser(user: User): void {
    this.currentUser = user;
  }

  /** Forgets the tokens here (the service is not told: see AvatarClient.logout) and tells the app why. */
  signOut(reason: SignOutReason): void {
    const wasSignedIn = this.tokens !== null;
    this.tokens = null;
    this.currentUser = null;
    clearTimeout(this.timer);
    this.options.store.save(null);
    if (wasSignedIn) {
      this.emit('signedOut', { reason });
    }
  }

  /** An access token valid for a while yet, refreshed first when it is near expiry; null when signed out. */
  async accessToken(): Promise<string | null> {
    const tokens = this.tokens;
    if (!tokens) {
      return null;
    }
    if (tokens.expiresAt - Date.now() > this.leadMs(tokens)) {
      return tokens.accessToken;
    }
    try {
      return (await this.refresh()).accessToken;
    } catch (error) {
      // signed out by a refused refresh: null; a transient failure: the old token may still do
      if (!this.tokens) {
        return null;
      }
      if (this.tokens.expiresAt > Date.now()) {
        return this.tokens.accessToken;
      }
      throw error;
    }
  }

  /**
   * A token to retry with after the service refused `rejected` with 401: the current one if it
   * is already newer, else a refreshed one; null when the session is over.
   */
  async replace(rejected: string): Promise<string | null> {
    if (this.inFlight) {
      await this.inFlight.catch(() => undefined);
    } else if (this.tokens && this.tokens.accessToken === rejected) {
      await this.refresh().catch(() => undefined);
    }
    return this.tokens && this.tokens.accessToken !== rejected ? this.tokens.accessToken : null;
  }

  /**
   * Exchanges the refresh token for a new pair, once for every concurrent caller. A refused
   * refresh (401) signs out with 'refresh_failed'; a transient failure (offline, 429, 5xx) keeps
   * the tokens and rejects.
   */
  refresh(): Promise<TokenData> {
    if (!this.inFlight) {
      this.inFlight = this.lockedRefresh().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Stops the refresh timer; the tokens stay in the store. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async lockedRefresh(): Promise<TokenData> {
    const name = this.options.store.lockName;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!name || !locks) {
      return this.doRefresh();
    }
    return await locks.request(name, (): Promise<TokenData> => {
      // Another tab may have refreshed while this one waited: take its tokens instead.
      const stored = this.options.store.load();
      if (stored && this.tokens && stored.refreshToken !== this.tokens.refreshToken
        && stored.expiresAt - Date.now() > this.leadMs(stored)) {
        this.tokens = stored;
        this.schedule();
        const user = this.currentUser;
        this.emit('tokens', { tokens: { ...stored }, user });
        return this.userTokenData(stored, user);
      }
      return this.doRefresh();
    });
  }

  private async userTokenData(tokens: StoredTokens, user: User | null): Promise<TokenData> {
    const me = user ?? await this.fetchUser(tokens.accessToken);
    return {
      accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, tokenType: 'Bearer',
      expiresIn: tokens.expiresIn, refreshExpiresIn: 0, user: me, token: tokens.accessToken, identifier: me.identifier,
    };
  }

  private async fetchUser(accessToken: string): Promise<User> {
    const { data, error, response } = await this.api.GET('/api/user', { headers: { Authorization: `Bearer ${accessToken}` } });
    if (!data) {
      throw ApiError.fromResponse(response, error);
    }
    return data.data;
  }

  private async doRefresh(): Promise<TokenData> {
    const tokens = this.tokens;
    if (!tokens) {
      throw new ApiError({ status: 401, code: 'signed_out', message: 'Not signed in' });
    }
    let answer;
    try {
      answer = await this.api.POST('/api/refresh', { body: { refreshToken: tokens.refreshToken } });
    } catch (cause) {
      this.retryLater(null);
      throw ApiError.network(cause);
    }
    const { data, error, response } = answer;
    if (this.tokens !== tokens) {
      // signed out (or signed in again) meanwhile: this answer is not for the current login
      throw new ApiError({ status: 401, code: 'signed_out', message: 'Signed out during the refresh' });
    }
    if (data) {
      this.adopt(data.data);
      return data.data;
    }
    const failure = ApiError.fromResponse(response, error);
    if (response.status === 401 || response.status === 400) {
      this.signOut('refresh_failed');
    } else {
      this.retryLater(failure.retryAfter);
    }
    throw failure;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const tokens = this.tokens;
    if (!this.options.autoRefresh || !tokens) {
      return;
    }
    const delay = Math.max(0, tokens.expiresAt - this.leadMs(tokens) - Date.now());
    this.timer = unref(setTimeout(() => {
      this.refresh().catch(() => undefined); // a refused refresh signs out; a transient one retries
    }, delay));
  }

  private retryLater(retryAfterSeconds: number | null): void {
    if (!this.options.autoRefresh || !this.tokens) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = unref(setTimeout(() => {
      this.refresh().catch(() => undefined);
    }, (retryAfterSeconds ?? 0) * 1000 + 5000));
  }
}

/**
 * How long a token answered now surely lives: JWT times are whole seconds (`exp` = `iat` +
 * lifetime, `iat` rounded down), so it may expire up to a second before `expiresIn` says.
 */
function usableMs(expiresInSeconds: number): number {
  return Math.max(500, expiresInSeconds * 1000 - 1000);
}

/** In Node, a pending refresh alone does not keep the process alive. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
