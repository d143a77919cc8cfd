import { Emitter } from './emitter.js';
import type { Session } from './session.js';

/** `ready`: the socket is authenticated as this user. */
export interface ReadyMessage { type: 'ready'; userId: string; avatarUrl: string | null }
export interface AvatarChangedEvent { type: 'avatar.changed'; userId: string; avatarUrl: string; changedAt: string }
export interface AvatarRemovedEvent { type: 'avatar.removed'; userId: string; changedAt: string }
/** The account is gone; the service closes the socket (4410, or SockJS's 3000) and the client does not reconnect. */
export interface UserDeletedEvent { type: 'user.deleted'; userId: string }
/** This login ended (logout elsewhere, password change...); the client signs out and does not reconnect. */
export interface SessionEndedEvent { type: 'session.ended' }
export interface ErrorMessage { type: 'error'; message: string }
export interface PongMessage { type: 'pong' }
export type ServerMessage =
  | ReadyMessage | AvatarChangedEvent | AvatarRemovedEvent | UserDeletedEvent | SessionEndedEvent | ErrorMessage | PongMessage;

/**
 * idle (never connected) -> connecting -> connected (open, auth sent) -> authenticated ("ready")
 * -> closed (then connecting again after a backoff, unless it is over).
 */
export type RealtimeState = 'idle' | 'connecting' | 'connected' | 'authenticated' | 'closed';

export interface StateChange {
  state: RealtimeState;
  /** 'websocket' for /ws, 'sockjs/<transport>' for SockJS (sockjs/xhr-streaming...), null before one opened. */
  transport: string | null;
  /** The close code and reason, when closed. */
  code?: number;
  reason?: string;
  /** When closed and a reconnection is planned: in how many milliseconds. */
  reconnectInMs?: number;
}

export interface RealtimeEvents {
  ready: ReadyMessage;
  'avatar.changed': AvatarChangedEvent;
  'avatar.removed': AvatarRemovedEvent;
  'user.deleted': UserDeletedEvent;
  'session.ended': SessionEndedEvent;
  error: ErrorMessage;
  pong: PongMessage;
  /** Every message, of any type (unknown ones included). */
  message: ServerMessage | { type: string; [key: string]: unknown };
  state: StateChange;
}

/** The part of the WebSocket API the client uses (the browser's, or the `ws` package's in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The part of sockjs-client the client uses. */
export interface SockJsLike extends WebSocketLike {
  readonly transport?: string;
}
export type SockJsConstructor = new (url: string, reserved?: null, options?: { transports?: string[] | string }) => SockJsLike;

export type TransportKind = 'websocket' | 'sockjs';

export interface RealtimeOptions {
  /** The service's origin ('' = the page's). */
  baseUrl: string;
  session: Session;
  /** Tried in this order (default both): /ws first, SockJS at /sockjs when the WebSocket is refused. */
  transports?: TransportKind[];
  /** The WebSocket class: globalThis.WebSocket by default (in Node 20, pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  /** The SockJS class: globalThis.SockJS by default (the page loads sockjs-client; in Node, pass the package). */
  SockJS?: SockJsConstructor;
  /**
   * sockjs-client's transports (default all it has that the service offers). In Node give
   * ['websocket']: sockjs-client in Node carries no cookies, which the service's HTTP transports need.
   */
  sockjsTransports?: string[];
  /** A connection attempt that has not opened after this long counts as refused (default 10 s). */
  connectTimeoutMs?: number;
  /** Backoff between reconnections: from base, doubling, up to max, with jitter (defaults 1 s and 30 s). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** A ping this often keeps proxies from closing an idle connection (default 25 s; 0 never). */
  pingMs?: number;
}

const CLOSE_DESCRIPTIONS: Record<number, string> = {
  1000: 'normal closure', 1001: 'server shutting down', 1006: 'connection lost', 1009: 'message too big',
  1013: 'too slow to read', 3000: 'closed by the service', 4401: 'not authenticated or session ended',
  4410: 'account deleted', 4429: 'too many sockets for the account',
};

/** One open (or opening) connection over either transport. */
interface Connection {
  socket: WebSocketLike;
  kind: TransportKind;
  opened: boolean;
  /** The token sent in the last auth message on this connection. */
  token: string | null;
  /** The transport's name once open (sockjs-client forgets it when it closes). */
  name: string | null;
}

/**
 * Live events of the signed-in user: connects to /ws, falls back to SockJS when the WebSocket is
 * refused, authenticates with its first message, sends a fresh token before the current one
 * expires, and reconnects with exponential backoff and jitter, except after `user.deleted`,
 * `session.ended`, a sign-out or close().
 */
export class RealtimeClient extends Emitter<RealtimeEvents> {
  private conn: Connection | null = null;
  private wanted = false;
  /** Over for good (deleted, session ended): no reconnection even if close() was not called. */
  private finished = false;
  private attempts = 0;
  private refreshFirst = false;
  /** The WebSocket was refused and SockJS worked: start with SockJS until it fails. */
  private preferSockJs = false;
  private stateNow: StateChange = { state: 'idle', transport: null };
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private reauthTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: RealtimeOptions) {
    super();
  }

  get state(): StateChange {
    return { ...this.stateNow };
  }

  /** Starts connecting (again, after close()); the 'state' and 'ready' events tell how it goes. */
  connect(): void {
    if (this.wanted) {
      return;
    }
    this.wanted = true;
    this.finished = false;
    this.attempts = 0;
    const session = this.options.session;
    this.unsubscribe.push(
      session.on('tokens', ({ tokens }) => this.sendAuth(tokens.accessToken)),
      session.on('signedOut', ({ reason }) => this.signedOut(reason)),
    );
    void this.open();
  }

  /** Closes for good (until connect() again): no reconnection. */
  close(): void {
    this.stop();
    const conn = this.conn;
    this.conn = null;
    if (conn) {
      conn.socket.close(1000, 'Client closed');
      this.setState({ state: 'closed', transport: this.stateNow.transport, code: 1000, reason: 'closed by the client' });
    }
  }

  /** Sends a ping; the service answers `pong`. */
  ping(): void {
    this.send({ type: 'ping' });
  }

  private stop(): void {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.reauthTimer);
    clearTimeout(this.graceTimer);
    clearInterval(this.pingTimer);
    this.unsubscribe.splice(0).forEach((off) => off());
  }

  /** The session ended here: after a deletion or session.ended the service closes the socket itself; else close now. */
  private signedOut(reason: string): void {
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
    } else {
      conn.socket.close(1000, 'Signed out');
    }
  }

  private async open(): Promise<void> {
    if (!this.wanted || this.conn) {
      return;
    }
    this.setState({ state: 'connecting', transport: null });
    let token: string | null;
    try {
      if (this.refreshFirst) {
        this.refreshFirst = false;
        token = (await this.options.session.refresh()).accessToken;
      } else {
        token = await this.options.session.accessToken();
      }
    } catch {
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

  private order(): TransportKind[] {
    const wanted = this.options.transports ?? ['websocket', 'sockjs'];
    const available = wanted.filter((kind) => this.constructorOf(kind) !== undefined);
    if (this.preferSockJs && available.includes('sockjs')) {
      return ['sockjs', ...available.filter((kind) => kind !== 'sockjs')];
    }
    return available;
  }

  private constructorOf(kind: TransportKind): WebSocketConstructor | SockJsConstructor | undefined {
    const global = globalThis as { WebSocket?: WebSocketConstructor; SockJS?: SockJsConstructor };
    return kind === 'websocket' ? this.options.WebSocket ?? global.WebSocket : this.options.SockJS ?? global.SockJS;
  }

  /** Opens transports[index]; if it fails before it opens, the next one; after the last, a backoff. */
  private attempt(kinds: TransportKind[], index: number): void {
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
    let socket: WebSocketLike;
    try {
      socket = this.create(kind);
    } catch {
      this.attempt(kinds, index + 1);
      return;
    }
    const conn: Connection = { socket, kind, opened: false, token: null, name: null };
    this.conn = conn;
    const timeout = setTimeout(() => {
      if (this.conn === conn && !conn.opened) {
        socket.close();
        failed();
      }
    }, this.options.connectTimeoutMs ?? 10_000);
    let failedOnce = false;
    const failed = (): void => {
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
      conn.name = kind === 'websocket' ? 'websocket' : `sockjs/${(socket as SockJsLike).transport ?? 'unknown'}`;
      if (kind === 'sockjs' && kinds.includes('websocket')) {
        this.preferSockJs = kinds.indexOf('websocket') < index;
      }
      this.setState({ state: 'connected', transport: this.transportName(conn) });
      const token = this.options.session.current?.accessToken;
      if (token) {
        this.sendAuth(token); // the first message; the service waits for it at most 10 s
      } else {
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
      } else if (this.conn === conn) {
        this.closed(conn, event.code, event.reason);
      }
    };
  }

  private create(kind: TransportKind): WebSocketLike {
    const base = this.options.baseUrl || (typeof location !== 'undefined' ? location.origin : '');
    if (kind === 'websocket') {
      const WebSocketClass = this.constructorOf('websocket') as WebSocketConstructor;
      return new WebSocketClass(base.replace(/^http/, 'ws') + '/ws');
    }
    const SockJSClass = this.constructorOf('sockjs') as SockJsConstructor;
    const transports = this.options.sockjsTransports;
    return new SockJSClass(base + '/sockjs', null, transports ? { transports } : {});
  }

  private transportName(conn: Connection): string {
    return conn.name ?? conn.kind;
  }

  private received(conn: Connection, raw: unknown): void {
    let message: { type: string; [key: string]: unknown };
    try {
      const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      message = parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string'
        ? parsed as { type: string } : { type: 'unknown', raw: String(raw) };
    } catch {
      message = { type: 'unknown', raw: String(raw) };
    }
    this.emit('message', message);
    switch (message.type) {
      case 'ready':
        this.attempts = 0;
        this.setState({ state: 'authenticated', transport: this.transportName(conn) });
        this.startPing();
        this.scheduleReauth();
        this.emit('ready', message as unknown as ReadyMessage);
        break;
      case 'avatar.changed':
        this.emit('avatar.changed', message as unknown as AvatarChangedEvent);
        break;
      case 'avatar.removed':
        this.emit('avatar.removed', message as unknown as AvatarRemovedEvent);
        break;
      case 'user.deleted':
        this.finished = true;
        this.emit('user.deleted', message as unknown as UserDeletedEvent);
        this.options.session.signOut('user_deleted');
        break;
      case 'session.ended':
        this.finished = true;
        this.emit('session.ended', message as unknown as SessionEndedEvent);
        this.options.session.signOut('session_ended');
        break;
      case 'error':
        this.emit('error', message as unknown as ErrorMessage);
        break;
      case 'pong':
        this.emit('pong', message as unknown as PongMessage);
        break;
      default:
        break;
    }
  }

  private closed(conn: Connection, code: number, reason: string): void {
    this.conn = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.reauthTimer);
    clearTimeout(this.graceTimer);
    const change: StateChange = {
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

  private scheduleReconnect(change: StateChange): void {
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

  private sendAuth(token: string): void {
    const conn = this.conn;
    if (!conn || !conn.opened || conn.token === token) {
      return;
    }
    conn.token = token;
    this.send({ type: 'auth', token });
  }

  /** Before the token on the socket expires, a fresh one (the session refreshes it; the 'tokens' listener sends it). */
  private scheduleReauth(): void {
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

  private startPing(): void {
    clearInterval(this.pingTimer);
    const every = this.options.pingMs ?? 25_000;
    if (every > 0) {
      this.pingTimer = setInterval(() => this.ping(), every);
    }
  }

  private send(message: object): void {
    const conn = this.conn;
    if (conn && conn.opened && conn.socket.readyState === 1) {
      conn.socket.send(JSON.stringify(message));
    }
  }

  private setState(change: StateChange): void {
    this.stateNow = change;
    this.emit('state', { ...change });
  }
}
