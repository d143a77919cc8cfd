import { Emitter } from './emitter.js';
const CLOSE_DESCRIPTIONS = {
    1000: 'normal closure', 1001: 'server shutting down', 1006: 'connection lost', 1009: 'message too big',
    1013: 'too slow to read', 3000: 'closed by the service', 4401: 'not authenticated or session ended',
    4410: 'account deleted', 4429: 'too many sockets for the account',
};
/**
 * Live events of the signed-in user: connects to /ws, falls back to SockJS when the WebSocket is
 * refused, authenticates with its first message, sends a fresh token before the current one
 * expires, and reconnects with exponential backoff and jitter, except after `user.deleted`,
 * `session.ended`, a sign-out or close().
 */
export class RealtimeClient extends Emitter {
    options;
    conn = null;
    wanted = false;
    /** Over for good (deleted, session ended): no reconnection even if close() was not called. */
    finished = false;
    attempts = 0;
    refreshFirst = false;
    /** The WebSocket was refused and SockJS worked: start with SockJS until it fails. */
    preferSockJs = false;
    stateNow = { state: 'idle', transport: null };
    reconnectTimer;
    pingTimer;
    reauthTimer;
    graceTimer;
    unsubscribe = [];
    constructor(options) {
        super();
        this.options = options;
    }
    get state() {
        return { ...this.stateNow };
    }
    /** Starts connecting (again, after close()); the 'state' and 'ready' events tell how it goes. */
    connect() {
        if (this.wanted) {
            return;
        }
        this.wanted = true;
        this.finished = false;
        this.attempts = 0;
        const session = this.options.session;
        this.unsubscribe.push(session.on('tokens', ({ tokens }) => this.sendAuth(tokens.accessToken)), session.on('signedOut', ({ reason }) => this.signedOut(reason)));
        void this.open();
    }
    /** Closes for good (until connect() again): no reconnection. */
    close() {
        this.stop();
        const conn = this.conn;
        this.conn = null;
        if (conn) {
            conn.socket.close(1000, 'Client closed');
            this.setState({ state: 'closed', transport: this.stateNow.transport, code: 1000, reason: 'closed by the client' });
        }
    }
    /** Sends a ping; the service answers `pong`. */
    ping() {
        this.send({ type: 'ping' });
    }
    stop() {
        this.wanted = false;
        clearTimeout(this.reconnectTimer);
        clearTimeout(this.reauthTimer);
        clearTimeout(this.graceTimer);
        clearInterval(this.pingTimer);
        this.unsubscribe.splice(0).forEach((off) => off());
    }
    /** The session ended here: after a deletion or session.ended the service closes the socket itself; else close now. */
    signedOut(reason) {
        const conn = this.conn;
        this.finished = true;
        this.stop();
        if (!conn) {
            return;
        }
        if (reason === 'user_deleted' || reason === 'session_ended') {
            // its user.deleted and close code may be on their way: let them arrive, then close anyway
            this.graceTimer = setTimeout(() => {
                if (this.conn === conn) {
                    conn.socket.close(1000, 'Signed out');
                }
            }, 3000);
        }
        else {
            conn.socket.close(1000, 'Signed out');
        }
    }
    async open() {
        if (!this.wanted || this.conn) {
            return;
        }
        this.setState({ state: 'connecting', transport: null });
        let token;
        try {
            if (this.refreshFirst) {
                this.refreshFirst = false;
                token = (await this.options.session.refresh()).accessToken;
            }
            else {
                token = await this.options.session.accessToken();
            }
        }
        catch {
            // offline or the service is down: try again later (a refused refresh has signed out)
            if (this.wanted) {
                this.refreshFirst = true;
                this.scheduleReconnect({ state: 'closed', transport: null, reason: 'could not refresh the token' });
            }
            return;
        }
        if (!this.wanted) {
            return;
        }
        if (!token) {
            this.stop();
            this.setState({ state: 'closed', transport: null, reason: 'signed out' });
            return;
        }
        this.attempt(this.order(), 0);
    }
    order() {
        const wanted = this.options.transports ?? ['websocket', 'sockjs'];
        const available = wanted.filter((kind) => this.constructorOf(kind) !== undefined);
        if (this.preferSockJs && available.includes('sockjs')) {
            return ['sockjs', ...available.filter((kind) => kind !== 'sockjs')];
        }
        return available;
    }
    constructorOf(kind) {
        const global = globalThis;
        return kind === 'websocket' ? this.options.WebSocket ?? global.WebSocket : this.options.SockJS ?? global.SockJS;
    }
    /** Opens transports[index]; if it fails before it opens, the next one; after the last, a backoff. */
    attempt(kinds, index) {
        if (!this.wanted) {
            return;
        }
        if (kinds.length === 0) {
            this.stop();
            this.setState({ state: 'closed', transport: null, reason: 'no WebSocket or SockJS class available' });
            return;
        }
        const kind = kinds[index];
        if (kind === undefined) {
            this.scheduleReconnect({ state: 'closed', transport: null, reason: 'could not connect' });
            return;
        }
        let socket;
        try {
            socket = this.create(kind);
        }
        catch {
            this.attempt(kinds, index + 1);
            return;
        }
        const conn = { socket, kind, opened: false, token: null, name: null };
        this.conn = conn;
        const timeout = setTimeout(() => {
            if (this.conn === conn && !conn.opened) {
                socket.close();
                failed();
            }
        }, this.options.connectTimeoutMs ?? 10_000);
        let failedOnce = false;
        const failed = () => {
            clearTimeout(timeout);
            if (failedOnce || this.conn !== conn) {
                return;
            }
            failedOnce = true;
            this.conn = null;
            if (kind === 'sockjs') {
                this.preferSockJs = false;
            }
            this.attempt(kinds, index + 1);
        };
        socket.onopen = () => {
            clearTimeout(timeout);
            if (this.conn !== conn) {
                return;
            }
            conn.opened = true;
            conn.name = kind === 'websocket' ? 'websocket' : `sockjs/${socket.transport ?? 'unknown'}`;
            if (kind === 'sockjs' && kinds.includes('websocket')) {
                this.preferSockJs = kinds.indexOf('websocket') < index;
            }
            this.setState({ state: 'connected', transport: this.transportName(conn) });
            const token = this.options.session.current?.accessToken;
            if (token) {
                this.sendAuth(token); // the first message; the service waits for it at most 10 s
            }
            else {
                socket.close(1000, 'Signed out');
            }
        };
        socket.onmessage = (event) => {
            if (this.conn === conn) {
                this.received(conn, event.data);
            }
        };
        socket.onerror = () => {
            // a close follows; an error before the open means the transport was refused
            if (!conn.opened) {
                failed();
            }
        };
        socket.onclose = (event) => {
            if (!conn.opened) {
                failed();
            }
            else if (this.conn === conn) {
                this.closed(conn, event.code, event.reason);
            }
        };
    }
    create(kind) {
        const base = this.options.baseUrl || (typeof location !== 'undefined' ? location.origin : '');
        if (kind === 'websocket') {
            const WebSocketClass = this.constructorOf('websocket');
            return new WebSocketClass(base.replace(/^http/, 'ws') + '/ws');
        }
        const SockJSClass = this.constructorOf('sockjs');
        const transports = this.options.sockjsTransports;
        return new SockJSClass(base + '/sockjs', null, transports ? { transports } : {});
    }
    transportName(conn) {
        return conn.name ?? conn.kind;
    }
    received(conn, raw) {
        let message;
        try {
            const parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
            message = parsed && typeof parsed === 'object' && typeof parsed.type === 'string'
                ? parsed : { type: 'unknown', raw: String(raw) };
        }
        catch {
            message = { type: 'unknown', raw: String(raw) };
        }
        this.emit('message', message);
        switch (message.type) {
            case 'ready':
                this.attempts = 0;
                this.setState({ state: 'authenticated', transport: this.transportName(conn) });
                this.startPing();
                this.scheduleReauth();
                this.emit('ready', message);
                break;
            case 'avatar.changed':
                this.emit('avatar.changed', message);
                break;
            case 'avatar.removed':
                this.emit('avatar.removed', message);
                break;
            case 'user.deleted':
                this.finished = true;
                this.emit('user.deleted', message);
                this.options.session.signOut('user_deleted');
                break;
            case 'session.ended':
                this.finished = true;
                this.emit('session.ended', message);
                this.options.session.signOut('session_ended');
                break;
            case 'error':
                this.emit('error', message);
                break;
            case 'pong':
                this.emit('pong', message);
                break;
            default:
                break;
        }
    }
    closed(conn, code, reason) {
        this.conn = null;
        clearInterval(this.pingTimer);
        clearTimeout(this.reauthTimer);
        clearTimeout(this.graceTimer);
        const change = {
            state: 'closed', transport: this.transportName(conn), code, reason: reason || CLOSE_DESCRIPTIONS[code] || '',
        };
        if (code === 4410) {
            this.finished = true;
            this.options.session.signOut('user_deleted');
        }
        if (this.finished || !this.wanted) {
            this.stop();
            this.setState(change);
            return;
        }
        if (code === 4401) {
            this.refreshFirst = true; // the token was refused or expired: get a fresh one first
        }
        this.scheduleReconnect(change);
    }
    scheduleReconnect(change) {
        const base = this.options.reconnectBaseMs ?? 1000;
        const max = this.options.reconnectMaxMs ?? 30_000;
        const ceiling = Math.min(max, base * 2 ** this.attempts);
        // "equal jitter": many clients cut off by one restart do not come back in lockstep
        const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
        this.attempts += 1;
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = setTimeout(() => void this.open(), delay);
        this.setState({ ...change, reconnectInMs: delay });
    }
    sendAuth(token) {
        const conn = this.conn;
        if (!conn || !conn.opened || conn.token === token) {
            return;
        }
        conn.token = token;
        this.send({ type: 'auth', token });
    }
    /** Before the token on the socket expires, a fresh one (the session refreshes it; the 'tokens' listener sends it). */
    scheduleReauth() {
        clearTimeout(this.reauthTimer);
        const tokens = this.options.session.current;
        if (!tokens) {
            return;
        }
        const delay = Math.max(0, tokens.expiresAt - this.options.session.leadMs(tokens) - Date.now()) + 50;
        this.reauthTimer = setTimeout(() => {
            this.options.session.accessToken().then((token) => {
                if (token) {
                    this.sendAuth(token);
                }
            }, () => {
                // transient: the session retries; if the token expires meanwhile the service closes with 4401
            });
        }, delay);
    }
    startPing() {
        clearInterval(this.pingTimer);
        const every = this.options.pingMs ?? 25_000;
        if (every > 0) {
            this.pingTimer = setInterval(() => this.ping(), every);
        }
    }
    send(message) {
        const conn = this.conn;
        if (conn && conn.opened && conn.socket.readyState === 1) {
            conn.socket.send(JSON.stringify(message));
        }
    }
    setState(change) {
        this.stateNow = change;
        this.emit('state', { ...change });
    }
}
