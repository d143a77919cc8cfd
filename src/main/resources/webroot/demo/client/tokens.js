/** The default: tokens live as long as the page or the process. */
export class MemoryTokenStore {
    tokens;
    constructor(initial = null) {
        this.tokens = initial;
    }
    load() {
        return this.tokens;
    }
    save(tokens) {
        this.tokens = tokens;
    }
}
/**
 * Web Storage: `localStorage` (shared by every tab of the origin, kept across restarts) or
 * `sessionStorage` (one tab, gone when it closes). Anything that runs script in the origin can
 * read either, as it could read memory: a strict Content-Security-Policy is the defence.
 */
export class WebStorageTokenStore {
    storage;
    key;
    lockName;
    constructor(storage, key = 'avatar-service.tokens') {
        this.storage = storage;
        this.key = key;
        this.lockName = isLocalStorage(storage) ? `${key}.refresh` : undefined;
    }
    load() {
        try {
            const text = this.storage.getItem(this.key);
            const value = text ? JSON.parse(text) : null;
            return isStoredTokens(value) ? value : null;
        }
        catch {
            return null; // storage disabled or corrupt: no login to restore
        }
    }
    save(tokens) {
        try {
            if (tokens) {
                this.storage.setItem(this.key, JSON.stringify(tokens));
            }
            else {
                this.storage.removeItem(this.key);
            }
        }
        catch {
            // storage full or disabled: the login just does not survive a reload
        }
    }
}
/** A store in `localStorage`, shared by the tabs of the origin. */
export function localStorageTokenStore(key) {
    return new WebStorageTokenStore(localStorage, key);
}
function isLocalStorage(storage) {
    try {
        return typeof localStorage !== 'undefined' && storage === localStorage;
    }
    catch {
        return false; // a sandboxed frame may not even look at localStorage
    }
}
function isStoredTokens(value) {
    const v = value;
    return v !== null && typeof v === 'object' && typeof v.accessToken === 'string'
        && typeof v.refreshToken === 'string' && typeof v.expiresAt === 'number' && typeof v.expiresIn === 'number';
}
