import createClient from './openapi-fetch.js';
import { ApiError } from './errors.js';
import { RealtimeClient } from './realtime.js';
import { Session } from './session.js';
import { MemoryTokenStore } from './tokens.js';
/** Routes that take no access token (a Bearer there would be harmless but pointless). */
const PUBLIC_PATHS = new Set(['/api/register', '/api/login', '/api/refresh', '/register', '/login', '/oauth/token', '/oauth/revoke']);
/**
 * A client of avatar-service: `api` makes any route of the OpenAPI document, typed, with the
 * access token added, refreshed before it expires and once more after a 401; the methods below
 * are the usual flows, which answer the JSend `data` and reject with an ApiError.
 */
export class AvatarClient {
    /** Every route of the OpenAPI document, typed (openapi-fetch), authenticated with the session's token. */
    api;
    session;
    baseUrl;
    fetchImpl;
    constructor(options = {}) {
        this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
        this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
        const plain = createClient({ baseUrl: this.baseUrl, fetch: (request) => this.send(request) });
        this.session = new Session(plain, {
            store: options.store ?? new MemoryTokenStore(),
            autoRefresh: options.autoRefresh ?? true,
            refreshLeadMaxMs: options.refreshLeadMaxMs ?? 120_000,
        });
        this.api = createClient({ baseUrl: this.baseUrl, fetch: (request) => this.authorizedFetch(request) });
    }
    /** Listens for the end of the session: logout, a refused refresh, `session.ended`, a deletion. */
    onSignedOut(listener) {
        return this.session.on('signedOut', (event) => listener(event.reason));
    }
    async register(identifier, password) {
        const data = unwrap(await this.call(() => this.api.POST('/api/register', { body: { identifier, password } })));
        this.session.adopt(data);
        return data;
    }
    async login(identifier, password) {
        const data = unwrap(await this.call(() => this.api.POST('/api/login', { body: { identifier, password } })));
        this.session.adopt(data);
        return data;
    }
    /** Revokes this login's refresh tokens at the service and forgets them here, whatever the service said. */
    async logout() {
        const tokens = this.session.current;
        if (!tokens) {
            return;
        }
        try {
            const answer = await this.call(() => this.api.POST('/api/logout', { body: { refreshToken: this.session.current?.refreshToken ?? tokens.refreshToken } }));
            succeed(answer);
        }
        finally {
            this.session.signOut('logout');
        }
    }
    async me() {
        const user = unwrap(await this.call(() => this.api.GET('/api/user')));
        this.session.setUser(user);
        return user;
    }
    /** Uploads an image (PNG, JPEG, GIF or WebP; the service decides from the bytes) as the avatar. */
    async uploadAvatar(image, fileName = 'avatar') {
        const data = unwrap(await this.call(() => this.api.POST('/api/user/avatar', {
            body: {},
            bodySerializer: () => {
                const form = new FormData();
                form.append('avatar', image, fileName);
                return form;
            },
        })));
        this.session.setUser(data.user);
        return data;
    }
    async removeAvatar() {
        const data = unwrap(await this.call(() => this.api.DELETE('/api/user/avatar')));
        this.session.setUser(data.user);
        return data.user;
    }
    /** Deletes the account for good; signs out with 'user_deleted'. */
    async deleteAccount() {
        succeed(await this.call(() => this.api.DELETE('/api/user')));
        this.session.signOut('user_deleted');
    }
    async sessions() {
        return unwrap(await this.call(() => this.api.GET('/api/user/sessions'))).sessions;
    }
    async endSession(id) {
        succeed(await this.call(() => this.api.DELETE('/api/user/sessions/{id}', { params: { path: { id } } })));
    }
    /** Ends every session of the account, this one too; signs out with 'logout'. */
    async endAllSessions() {
        try {
            succeed(await this.call(() => this.api.DELETE('/api/user/sessions')));
        }
        finally {
            this.session.signOut('logout');
        }
    }
    /** Changes the password; every other session ends, this one gets a fresh pair. */
    async changePassword(currentPassword, newPassword) {
        const data = unwrap(await this.call(() => this.api.PUT('/api/user/password', { body: { currentPassword, newPassword } })));
        this.session.adopt(data);
        return data;
    }
    /**
     * Runs a request of the app's own (an XMLHttpRequest with upload progress, say) with the
     * access token, and once more with a fresh one if the service answers 401.
     */
    async withAccessToken(call) {
        const token = await this.session.accessToken();
        if (!token) {
            throw new ApiError({ status: 401, code: 'signed_out', message: 'Not signed in' });
        }
        const first = await call(token);
        if (first.status !== 401) {
            return first;
        }
        const fresh = await this.session.replace(token);
        return fresh ? call(fresh) : first;
    }
    /** A realtime client on this session; call connect() on it. */
    realtime(options = {}) {
        return new RealtimeClient({ ...options, baseUrl: this.baseUrl, session: this.session });
    }
    /** Stops the refresh timer (a Node process can then exit); the tokens stay in the store. */
    close() {
        this.session.close();
    }
    async call(request) {
        try {
            return await request();
        }
        catch (cause) {
            throw cause instanceof ApiError ? cause : ApiError.network(cause);
        }
    }
    send(request) {
        return this.fetchImpl(request);
    }
    /** Adds the access token; after a 401, sends the request once more with a fresh token. */
    async authorizedFetch(request) {
        if (PUBLIC_PATHS.has(new URL(request.url, 'http://localhost').pathname) || request.headers.has('Authorization')) {
            return this.send(request);
        }
        const token = await this.session.accessToken();
        if (!token) {
            return this.send(request); // the service answers 401, as it should
        }
        const retry = request.clone(); // before the body is read
        request.headers.set('Authorization', `Bearer ${token}`);
        const response = await this.send(request);
        if (response.status !== 401) {
            return response;
        }
        const fresh = await this.session.replace(token);
        if (!fresh) {
            return response;
        }
        await response.body?.cancel();
        retry.headers.set('Authorization', `Bearer ${fresh}`);
        return this.send(retry);
    }
}
export function createAvatarClient(options = {}) {
    return new AvatarClient(options);
}
/** Nothing but success (routes whose JSend `data` is null), or the failure as an ApiError. */
function succeed(answer) {
    if (answer.data === undefined || !answer.response.ok) {
        throw ApiError.fromResponse(answer.response, answer.error);
    }
}
/** The `data` of a JSend success, or the failure as an ApiError. */
function unwrap(answer) {
    if (answer.data !== undefined && answer.response.ok) {
        return answer.data.data;
    }
    throw ApiError.fromResponse(answer.response, answer.error);
}
