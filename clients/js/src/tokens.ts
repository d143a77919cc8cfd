/** What a client keeps of a login: the token pair and when the access token expires. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in milliseconds since the epoch, by this device's clock (a second early, to be safe). */
  expiresAt: number;
  /** The access token's lifetime in seconds, as the service gave it (`expiresIn`). */
  expiresIn: number;
}

/**
 * Where the tokens live. Synchronous, since memory and Web Storage are; an app with another
 * storage (a native keychain, IndexedDB) loads it before it creates the client and writes back
 * from save().
 */
export interface TokenStore {
  load(): StoredTokens | null;
  /** null forgets the tokens. */
  save(tokens: StoredTokens | null): void;
  /**
   * A name shared by every tab that uses this store, when it is shared between tabs
   * (localStorage): refreshes then run one at a time across tabs (Web Locks), so that two tabs
   * never send one refresh token twice, which the service takes for a stolen token.
   */
  readonly lockName?: string;
}

/** The default: tokens live as long as the page or the process. */
export class MemoryTokenStore implements TokenStore {
  private tokens: StoredTokens | null;

  constructor(initial: StoredTokens | null = null) {
    this.tokens = initial;
  }

  load(): StoredTokens | null {
    return this.tokens;
  }

  save(tokens: StoredTokens | null): void {
    this.tokens = tokens;
  }
}

/**
 * Web Storage: `localStorage` (shared by every tab of the origin, kept across restarts) or
 * `sessionStorage` (one tab, gone when it closes). Anything that runs script in the origin can
 * read either, as it could read memory: a strict Content-Security-Policy is the defence.
 */
export class WebStorageTokenStore implements TokenStore {
  readonly lockName: string | undefined;

  constructor(private readonly storage: Storage, private readonly key = 'avatar-service.tokens') {
    this.lockName = isLocalStorage(storage) ? `${key}.refresh` : undefined;
  }

  load(): StoredTokens | null {
    try {
      const text = this.storage.getItem(this.key);
      const value: unknown = text ? JSON.parse(text) : null;
      return isStoredTokens(value) ? value : null;
    } catch {
      return null; // storage disabled or corrupt: no login to restore
    }
  }

  save(tokens: StoredTokens | null): void {
    try {
      if (tokens) {
        this.storage.setItem(this.key, JSON.stringify(tokens));
      } else {
        this.storage.removeItem(this.key);
      }
    } catch {
      // storage full or disabled: the login just does not survive a reload
    }
  }
}

/** A store in `localStorage`, shared by the tabs of the origin. */
export function localStorageTokenStore(key?: string): WebStorageTokenStore {
  return new WebStorageTokenStore(localStorage, key);
}

function isLocalStorage(storage: Storage): boolean {
  try {
    return typeof localStorage !== 'undefined' && storage === localStorage;
  } catch {
    return false; // a sandboxed frame may not even look at localStorage
  }
}

function isStoredTokens(value: unknown): value is StoredTokens {
  const v = value as StoredTokens | null;
  return v !== null && typeof v === 'object' && typeof v.accessToken === 'string'
    && typeof v.refreshToken === 'string' && typeof v.expiresAt === 'number' && typeof v.expiresIn === 'number';
}
