/*
 * avatar-service browser demo.
 *
 * Plain script, no build step. It runs under a strict CSP (script-src 'self', style-src 'self'),
 * so it never uses eval, inline handlers, style attributes or innerHTML: the DOM is built with
 * textContent and the hidden attribute, and every look is a CSS class.
 *
 * Modules (plain objects inside one IIFE, in dependency order):
 *   api      - fetch/XHR wrapper that turns any response into one JSend-shaped result
 *   session  - the token pair, proactive refresh, single-flight refresh, "retry once on 401"
 *   realtime - SockJS connection: auth message, ping, backoff reconnect, message dispatch
 *   view     - every DOM read and write
 *   app      - the flows (login, upload, logout, sessions, password, delete) wiring the other modules together
 */
(function () {
  'use strict';

  /* ------------------------------------------------------------------ config */

  var CONFIG = {
    sockjsPath: '/sockjs',
    // Only transports that need nothing but XHR/WebSocket; the iframe/JSONP ones would need
    // frames and inline script, which the CSP forbids anyway.
    sockjsTransports: ['websocket', 'xhr-streaming', 'xhr-polling'],
    pingEveryMs: 25000,
    // Refresh the access token this long before it expires: at most 2 minutes, at most a quarter
    // of its lifetime. Two minutes survive Chrome's throttling of timers in hidden tabs (1/min).
    refreshLeadMaxMs: 120000,
    refreshRetryMs: 15000,
    reconnectBaseMs: 1000,
    reconnectMaxMs: 30000,
    eventLogMax: 200,
    storageKey: 'avatar-service-demo.refreshToken'
  };

  /* --------------------------------------------------------------------- api */

  /**
   * Every HTTP call ends up as one result object, whatever happened:
   *   { ok, status, data, message, code, fields, retryAfter, networkError }
   * - ok: 2xx with {"status":"success"}
   * - fields: JSend fail data keyed by field name ({"identifier": "..."}), or null
   * - message: a human-readable reason (JSend fail/error message, or a fallback)
   * Nothing throws, so callers have a single code path.
   */
  var api = {
    /** JSON (or empty) request with fetch. */
    request: function (method, path, options) {
      options = options || {};
      var headers = { 'Accept': 'application/json' };
      if (options.token) headers['Authorization'] = 'Bearer ' + options.token;
      var init = {
        method: method,
        headers: headers,
        credentials: 'same-origin',
        cache: 'no-store'
      };
      if (options.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(options.body);
      }
      return fetch(path, init).then(function (response) {
        return response.text().then(function (text) {
          return api.toResult(response.status, text, response.headers.get('Retry-After'));
        });
      }, function () {
        return api.networkFailure();
      });
    },

    /**
     * Multipart upload with XMLHttpRequest, because fetch cannot report upload progress.
     * The same FormData can be sent again (the 401 retry does that).
     */
    upload: function (path, formData, token, onProgress) {
      return new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        xhr.open('POST', path);
        xhr.setRequestHeader('Accept', 'application/json');
        if (token) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
        xhr.upload.onprogress = function (e) {
          if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100));
        };
        xhr.onload = function () {
          resolve(api.toResult(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
        };
        // A server that answers 413 before reading the whole body and then closes the connection
        // can surface here as a network error instead of a 413; say so rather than "offline".
        xhr.onerror = function () { resolve(api.networkFailure(true)); };
        xhr.onabort = function () { resolve(api.networkFailure(true)); };
        xhr.send(formData);
      });
    },

    /** Normalises a status + body text into a result. */
    toResult: function (status, text, retryAfterHeader) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
      var result = {
        ok: false, status: status, data: null, message: null, code: null, fields: null,
        retryAfter: api.parseRetryAfter(retryAfterHeader), networkError: false
      };
      var isJsend = body !== null && typeof body === 'object' && typeof body.status === 'string';
      if (!isJsend) {
        result.ok = status >= 200 && status < 300;
        result.message = result.ok ? null : 'Unexpected response from the server (HTTP ' + status + ').';
        return result;
      }
      if (body.status === 'success' && status >= 200 && status < 300) {
        result.ok = true;
        result.data = body.data === undefined ? null : body.data;
      } else if (body.status === 'fail') {
        api.readFail(result, body.data);
      } else {
        // {"status":"error","message":"...","code":<http status>}
        result.message = typeof body.message === 'string' ? body.message : 'Server error (HTTP ' + status + ').';
        result.code = body.code === undefined ? null : body.code;
      }
      return result;
    },

    /**
     * JSend fail data is either {"message","code"} or validation failures keyed by field.
     * Keys other than message/code are treated as field errors.
     */
    readFail: function (result, data) {
      if (!data || typeof data !== 'object') {
        result.message = 'Request refused (HTTP ' + result.status + ').';
        return;
      }
      var fields = {};
      var hasFields = false;
      Object.keys(data).forEach(function (key) {
        if (key === 'message' || key === 'code') return;
        fields[key] = String(data[key]);
        hasFields = true;
      });
      result.fields = hasFields ? fields : null;
      result.code = typeof data.code === 'string' ? data.code : null;
      result.message = typeof data.message === 'string' ? data.message : null;
      if (!result.message && !hasFields) result.message = 'Request refused (HTTP ' + result.status + ').';
    },

    /** Retry-After is either seconds or an HTTP date; returns whole seconds or null. */
    parseRetryAfter: function (value) {
      if (!value) return null;
      if (/^\d+$/.test(value.trim())) return parseInt(value, 10);
      var when = Date.parse(value);
      return isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
    },

    networkFailure: function (duringUpload) {
      return {
        ok: false, status: 0, data: null, code: null, fields: null, retryAfter: null, networkError: true,
        message: duringUpload
          ? 'The upload was interrupted. The server may have refused it (for example because the file is too large), or it could not be reached.'
          : 'The service could not be reached. Check your connection and try again.'
      };
    },

    /** One message for any failed result, with field errors folded in. */
    describe: function (result) {
      var parts = [];
      if (result.message) parts.push(result.message);
      if (result.fields) {
        Object.keys(result.fields).forEach(function (key) { parts.push(key + ': ' + result.fields[key]); });
      }
      if (result.retryAfter !== null && result.status === 429) {
        parts.push('Try again in ' + result.retryAfter + ' s.');
      }
      return parts.join(' ') || 'Something went wrong (HTTP ' + result.status + ').';
    }
  };

  /* ----------------------------------------------------------------- session */

  /**
   * Token storage decision:
   * - The access token lives only in memory (this object). It is short-lived and sent only in the
   *   Authorization header or the SockJS auth message, never in a URL.
   * - The refresh token is also kept in sessionStorage, so that reloading the tab keeps you logged
   *   in (the page exchanges it for a new pair at start-up). sessionStorage is per tab and is
   *   cleared when the tab closes; localStorage would be shared by every tab, and two tabs
   *   rotating one refresh token would race and trip the server's reuse detection, which revokes
   *   the whole login. (A "duplicated" tab copies sessionStorage and can still hit that; the
   *   result is a clean logout in both tabs, which is the safe outcome.)
   * - Anything that can run script in this origin could read sessionStorage, but it could read the
   *   in-memory token too; the strict CSP (script-src 'self', no inline script) is the real
   *   defence, and the refresh token's reuse detection limits the damage of a stolen copy.
   */
  var session = {
    accessToken: null,
    refreshToken: null,
    expiresAt: 0,
    user: null,
    refreshTimer: null,
    refreshInFlight: null,
    listeners: { tokens: [], ended: [] },

    isActive: function () { return session.accessToken !== null; },

    on: function (name, fn) { session.listeners[name].push(fn); },

    emit: function (name, arg) {
      session.listeners[name].forEach(function (fn) { fn(arg); });
    },

    /** Adopts a token response (register, login, refresh). */
    adopt: function (data) {
      session.accessToken = data.accessToken || data.token;
      session.refreshToken = data.refreshToken;
      session.expiresAt = Date.now() + (Number(data.expiresIn) || 900) * 1000;
      if (data.user) session.user = data.user;
      session.store(session.refreshToken);
      session.scheduleRefresh();
      session.emit('tokens', data);
    },

    /** Forgets everything, locally. Safe to call more than once. */
    clear: function () {
      session.accessToken = null;
      session.refreshToken = null;
      session.expiresAt = 0;
      session.user = null;
      clearTimeout(session.refreshTimer);
      session.refreshTimer = null;
      session.store(null);
    },

    /** Ends the session and tells the app why ('expired', 'logout', 'deleted'). */
    end: function (reason) {
      var wasActive = session.isActive() || session.refreshToken !== null;
      session.clear();
      if (wasActive) session.emit('ended', reason);
    },

    store: function (token) {
      try {
        if (token) sessionStorage.setItem(CONFIG.storageKey, token);
        else sessionStorage.removeItem(CONFIG.storageKey);
      } catch (e) { /* storage disabled: the session just won't survive a reload */ }
    },

    stored: function () {
      try { return sessionStorage.getItem(CONFIG.storageKey); } catch (e) { return null; }
    },

    refreshLeadMs: function (lifetimeMs) {
      return Math.min(CONFIG.refreshLeadMaxMs, lifetimeMs / 4);
    },

    scheduleRefresh: function () {
      clearTimeout(session.refreshTimer);
      var lifetime = session.expiresAt - Date.now();
      var delay = Math.max(1000, lifetime - session.refreshLeadMs(lifetime));
      session.refreshTimer = setTimeout(function () {
        session.refresh().catch(function () { /* handled inside refresh */ });
      }, delay);
    },

    /** Timers are late in background tabs and after sleep; check again when the tab shows. */
    refreshIfDue: function () {
      if (!session.isActive()) return;
      if (session.expiresAt - Date.now() < CONFIG.refreshLeadMaxMs) {
        session.refresh().catch(function () { /* handled inside refresh */ });
      }
    },

    /**
     * Exchanges the refresh token for a new pair. Single-flight: concurrent callers share one
     * request, because sending the same refresh token twice would look like token theft to the
     * server (reuse detection) and revoke the login.
     * Resolves with the token data; rejects if there is no session any more.
     */
    refresh: function () {
      if (session.refreshInFlight) return session.refreshInFlight;
      var token = session.refreshToken;
      if (!token) return Promise.reject(new Error('no session'));
      session.refreshInFlight = api.request('POST', '/api/refresh', { body: { refreshToken: token } })
        .then(function (result) {
          if (result.ok && result.data) {
            session.adopt(result.data);
            return result.data;
          }
          if (result.networkError || result.status >= 500 || result.status === 429) {
            // Transient: keep the tokens and try again soon; a 401 on a call will retry too.
            clearTimeout(session.refreshTimer);
            session.refreshTimer = setTimeout(function () {
              session.refresh().catch(function () {});
            }, (result.retryAfter || 0) * 1000 + CONFIG.refreshRetryMs);
            throw new Error(api.describe(result));
          }
          // 401 (expired, reused, revoked, account deleted): the login is over.
          session.end('expired');
          throw new Error('session ended');
        })
        .finally(function () { session.refreshInFlight = null; });
      return session.refreshInFlight;
    },

    /**
     * Runs an authenticated call; on a 401 refreshes once and runs it again.
     * call(token) must return a promise of an api result.
     */
    authed: function (call) {
      if (!session.isActive()) return Promise.resolve(session.noSessionResult());
      return call(session.accessToken).then(function (result) {
        if (result.status !== 401) return result;
        return session.refresh().then(function () {
          return call(session.accessToken);
        }, function () {
          return result;
        });
      });
    },

    noSessionResult: function () {
      return { ok: false, status: 401, data: null, code: 'no_session', fields: null, retryAfter: null,
        networkError: false, message: 'You are not logged in.' };
    }
  };

  /* ---------------------------------------------------------------- realtime */

  /**
   * One SockJS connection while logged in. States, shown verbatim in the UI:
   * disconnected (never opened) -> connecting -> connected (socket open, auth sent)
   * -> authenticated (server said "ready") -> closed (with code and reason).
   */
  var realtime = {
    sock: null,
    state: 'disconnected',
    wanted: false,          // false after logout / deletion: no reconnect
    attempts: 0,
    reconnectTimer: null,
    pingTimer: null,
    refreshBeforeConnect: false,
    handlers: {},           // message type -> function(message)
    onState: function () {},
    onMessage: function () {},
    onDeleted: function () {}, // closed with 4410 (normally after a "user.deleted" message)

    start: function () {
      realtime.wanted = true;
      realtime.attempts = 0;
      realtime.refreshBeforeConnect = false;
      clearTimeout(realtime.reconnectTimer);
      realtime.discard();
      realtime.connect();
    },

    /** Drops the current socket without reacting to its events (it is being replaced). */
    discard: function () {
      var old = realtime.sock;
      realtime.sock = null;
      realtime.stopPing();
      if (old) old.close(1000, 'Replaced');
    },

    /**
     * Stops for good. graceMs > 0 leaves the socket open a moment so that a "user.deleted"
     * already on its way is still received (the server then closes with 4410 itself).
     */
    stop: function (reason, graceMs) {
      realtime.wanted = false;
      clearTimeout(realtime.reconnectTimer);
      realtime.stopPing();
      var sock = realtime.sock;
      if (!sock) return;
      var close = function () {
        if (realtime.sock === sock) sock.close(1000, reason || 'Client closed');
      };
      if (graceMs) setTimeout(close, graceMs); else close();
    },

    connect: function () {
      if (typeof window.SockJS !== 'function') {
        realtime.setState('closed', 'The SockJS client did not load (/webjars/sockjs-client/...).');
        return;
      }
      realtime.setState('connecting', 'Opening ' + CONFIG.sockjsPath + '...');
      var sock = new window.SockJS(CONFIG.sockjsPath, null, { transports: CONFIG.sockjsTransports });
      realtime.sock = sock;
      // Each handler ignores events from a socket that has since been replaced.
      sock.onopen = function () { if (realtime.sock === sock) realtime.opened(sock); };
      sock.onmessage = function (e) { if (realtime.sock === sock) realtime.received(e.data); };
      sock.onclose = function (e) { if (realtime.sock === sock) realtime.closed(e); };
    },

    opened: function (sock) {
      realtime.setState('connected', 'Open via ' + (sock.transport || 'SockJS') + '; authenticating...');
      // The first message must be the auth message; the server waits at most 10 s for it.
      realtime.sendAuth();
    },

    sendAuth: function () {
      if (session.accessToken) realtime.send({ type: 'auth', token: session.accessToken });
    },

    /** Called after every token refresh, so the server keeps the connection past the old exp. */
    reauth: function () {
      if (realtime.state === 'connected' || realtime.state === 'authenticated') realtime.sendAuth();
    },

    send: function (message) {
      var sock = realtime.sock;
      if (sock && sock.readyState === 1) sock.send(JSON.stringify(message));
    },

    received: function (raw) {
      var message;
      try { message = typeof raw === 'string' ? JSON.parse(raw) : raw; } catch (e) { message = null; }
      if (!message || typeof message !== 'object' || typeof message.type !== 'string') {
        message = { type: 'unparsed', raw: String(raw) };
      }
      realtime.onMessage(message);
      var handler = realtime.handlers[message.type];
      if (handler) handler(message);
    },

    /** "ready" means authenticated: start pinging, forget the backoff. */
    authenticated: function () {
      realtime.attempts = 0;
      realtime.setState('authenticated', 'Authenticated via ' + (realtime.sock && realtime.sock.transport || 'SockJS') + '.');
      realtime.startPing();
    },

    closed: function (e) {
      realtime.sock = null;
      realtime.stopPing();
      var code = e && e.code;
      var reason = (e && e.reason) || realtime.describeCode(code);
      var detail = 'Closed with code ' + code + (reason ? ' (' + reason + ')' : '') + '.';
      realtime.lastClose = { code: code, reason: reason };
      // 4410: account deleted, never reconnect. 4401: token refused or expired, so get a fresh
      // token first. Anything else while still wanted is unexpected: reconnect with backoff.
      // (The account is gone as soon as "user.deleted" arrives, whatever the close code: over
      // SockJS's XHR transports Vert.x closes with 3000, not 4410.)
      if (code === 4410) realtime.wanted = false;
      if (code === 4401) realtime.refreshBeforeConnect = true;
      if (realtime.wanted) detail += ' ' + realtime.scheduleReconnect();
      realtime.setState('closed', detail, code, reason);
      if (code === 4410) realtime.onDeleted();
    },

    scheduleReconnect: function () {
      var exp = Math.min(CONFIG.reconnectMaxMs, CONFIG.reconnectBaseMs * Math.pow(2, realtime.attempts));
      // Jitter keeps many tabs from reconnecting in lockstep after a server restart.
      var delay = Math.round(exp / 2 + Math.random() * exp / 2);
      realtime.attempts += 1;
      clearTimeout(realtime.reconnectTimer);
      realtime.reconnectTimer = setTimeout(realtime.reconnect, delay);
      return 'Reconnecting in ' + Math.ceil(delay / 1000) + ' s.';
    },

    reconnect: function () {
      if (!realtime.wanted || realtime.sock) return;
      if (!realtime.refreshBeforeConnect) { realtime.connect(); return; }
      realtime.refreshBeforeConnect = false;
      session.refresh().then(function () {
        if (realtime.wanted && !realtime.sock) realtime.connect();
      }, function () {
        // Session over (handled by the app) or transient failure: try again later.
        if (realtime.wanted) {
          realtime.refreshBeforeConnect = true;
          realtime.setState('closed', 'Could not refresh the token. ' + realtime.scheduleReconnect());
        }
      });
    },

    startPing: function () {
      realtime.stopPing();
      realtime.pingTimer = setInterval(function () { realtime.send({ type: 'ping' }); }, CONFIG.pingEveryMs);
    },

    stopPing: function () {
      clearInterval(realtime.pingTimer);
      realtime.pingTimer = null;
    },

    describeCode: function (code) {
      switch (code) {
        case 1000: return 'normal closure';
        case 1001: return 'server shutting down';
        case 1009: return 'message too big';
        case 4401: return 'not authenticated';
        case 4410: return 'account deleted';
        default: return '';
      }
    },

    setState: function (state, detail, code, reason) {
      realtime.state = state;
      realtime.onState(state, detail || '', code, reason);
    }
  };

  /* -------------------------------------------------------------------- view */

  /** All DOM access. Elements are looked up by id once; tests use the data-testid attributes. */
  var view = {
    el: {},

    init: function () {
      [
        'main', 'account-deleted-notice', 'session-notice', 'auth-card', 'auth-form', 'identifier',
        'identifier-error', 'password', 'password-error', 'password-toggle', 'auth-error',
        'login-button', 'register-button', 'profile', 'avatar-img', 'avatar-placeholder',
        'profile-identifier', 'profile-id', 'profile-registered-at', 'drop-zone', 'file-input',
        'file-label', 'upload-progress', 'upload-status', 'remove-avatar-button', 'logout-button',
        'delete-account-button', 'delete-confirm', 'delete-confirm-button', 'delete-cancel-button',
        'account-error', 'connection-state', 'connection-detail', 'event-log',
        'session-list', 'sessions-status', 'sessions-refresh-button', 'logout-everywhere-button',
        'password-form', 'current-password', 'current-password-error', 'new-password', 'new-password-error',
        'password-status', 'change-password-button'
      ].forEach(function (id) { view.el[id] = document.getElementById(id); });
      view.el['avatar-img'].addEventListener('error', view.avatarFailed);
      view.el['avatar-img'].addEventListener('load', view.avatarLoaded);
    },

    /* --- generic helpers --- */

    show: function (element, visible) { element.hidden = !visible; },

    setText: function (element, text) {
      element.textContent = text || '';
      element.hidden = !text;
    },

    /** Disables buttons while a request runs; returns a function that re-enables them. */
    busy: function (buttons, label) {
      buttons.forEach(function (b) { b.disabled = true; b.setAttribute('aria-busy', 'true'); });
      if (label) label.classList.add('is-busy');
      return function () {
        buttons.forEach(function (b) { b.disabled = false; b.removeAttribute('aria-busy'); });
        if (label) label.classList.remove('is-busy');
        view.syncAvatarButtons();
      };
    },

    /* --- logged-out / logged-in --- */

    showLoggedOut: function (notice) {
      view.el.main.setAttribute('data-view', 'logged-out');
      view.show(view.el['auth-card'], true);
      view.show(view.el.profile, false);
      view.closeDeleteConfirm();
      view.setText(view.el['account-error'], '');
      view.setUploadStatus('idle', '');
      view.setText(view.el['session-notice'], notice || '');
      view.currentUser = null;
      view.renderSessions([], function () {});
      view.setSessionsStatus('');
      view.clearPasswordErrors();
      view.setPasswordStatus('idle', '');
      view.el['current-password'].value = '';
      view.el['new-password'].value = '';
    },

    showLoggedIn: function (user) {
      view.el.main.setAttribute('data-view', 'logged-in');
      view.show(view.el['auth-card'], false);
      view.show(view.el.profile, true);
      view.setText(view.el['session-notice'], '');
      view.showAccountDeleted(false);
      view.clearAuthErrors();
      view.closeDeleteConfirm();
      view.setText(view.el['account-error'], '');
      view.setUploadStatus('idle', '');
      view.el.password.value = '';
      view.renderUser(user);
    },

    showRestoring: function (restoring) {
      view.el.main.setAttribute('data-view', restoring ? 'restoring' : 'logged-out');
      view.setText(view.el['session-notice'], restoring ? 'Restoring your session...' : '');
      view.el['login-button'].disabled = restoring;
      view.el['register-button'].disabled = restoring;
    },

    showAccountDeleted: function (visible) { view.show(view.el['account-deleted-notice'], visible); },

    /* --- auth form --- */

    authInput: function () {
      return { identifier: view.el.identifier.value, password: view.el.password.value };
    },

    clearAuthErrors: function () {
      ['identifier', 'password'].forEach(function (field) {
        view.el[field].removeAttribute('aria-invalid');
        view.setText(view.el[field + '-error'], '');
      });
      view.setText(view.el['auth-error'], '');
    },

    /** Failures that are about one field although the server sends them as {message, code}. */
    codeFields: { identifier_taken: 'identifier' },

    /** Field errors go next to their field; anything else (and unknown fields) into auth-error. */
    showAuthFailure: function (result) {
      view.clearAuthErrors();
      var general = [];
      var fields = {};
      Object.keys(result.fields || {}).forEach(function (field) { fields[field] = result.fields[field]; });
      var codeField = view.codeFields[result.code];
      if (codeField && result.message && !(codeField in fields)) {
        fields[codeField] = result.message;
        result = Object.assign({}, result, { message: null });
      }
      Object.keys(fields).forEach(function (field) {
        if (field === 'identifier' || field === 'password') {
          view.el[field].setAttribute('aria-invalid', 'true');
          view.setText(view.el[field + '-error'], fields[field]);
        } else {
          general.push(field + ': ' + fields[field]);
        }
      });
      if (result.message) general.unshift(result.message);
      if (result.status === 429 && result.retryAfter !== null) {
        general.push('Try again in ' + result.retryAfter + ' s.');
      }
      if (general.length === 0 && Object.keys(fields).length === 0) general.push(api.describe(result));
      view.setText(view.el['auth-error'], general.join(' '));
      var firstInvalid = document.querySelector('#auth-form [aria-invalid="true"]');
      if (firstInvalid) firstInvalid.focus();
    },

    togglePassword: function () {
      var input = view.el.password;
      var showing = input.type === 'text';
      input.type = showing ? 'password' : 'text';
      view.el['password-toggle'].textContent = showing ? 'Show' : 'Hide';
      view.el['password-toggle'].setAttribute('aria-pressed', String(!showing));
    },

    /* --- profile --- */

    currentUser: null,

    renderUser: function (user) {
      if (!user) return;
      view.currentUser = user;
      view.el['profile-identifier'].textContent = user.identifier || '';
      view.el['profile-id'].textContent = user.id || '';
      view.renderRegisteredAt(user.registeredAt);
      view.el['avatar-placeholder'].textContent = view.initials(user.identifier || '');
      view.setAvatar(user.avatarUrl || null);
    },

    renderRegisteredAt: function (iso) {
      var time = view.el['profile-registered-at'];
      var date = iso ? new Date(iso) : null;
      time.setAttribute('datetime', iso || '');
      time.title = iso || '';
      time.textContent = date && !isNaN(date.getTime())
        ? date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
        : (iso || 'unknown');
    },

    /** Up to two letters: "alice.smith@example.com" -> "AS", "bob" -> "BO", "+37120000000" -> "00". */
    initials: function (identifier) {
      var local = identifier.split('@')[0];
      var words = local.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
      var letters;
      if (words.length >= 2) letters = Array.from(words[0])[0] + Array.from(words[1])[0];
      else letters = Array.from(words[0] || identifier).slice(0, 2).join('');
      return letters.toUpperCase() || '?';
    },

    /**
     * The avatar at the size the page shows it (96 CSS pixels, times the screen's density): the
     * service answers its smallest variant at least that large, a few KB instead of the 512 one.
     */
    sizedAvatar: function (url) {
      var pixels = Math.min(512, Math.max(1, Math.ceil(96 * (window.devicePixelRatio || 1))));
      return url + '?size=' + pixels;
    },

    /** The <img> shows the current avatarUrl (in its size) and is hidden when there is none. */
    setAvatar: function (url) {
      var img = view.el['avatar-img'];
      if (view.currentUser) view.currentUser.avatarUrl = url;
      if (url) {
        var src = view.sizedAvatar(url);
        if (img.getAttribute('src') !== src) img.setAttribute('src', src);
        img.hidden = false;
        view.el['avatar-placeholder'].hidden = true;
      } else {
        img.removeAttribute('src');
        img.hidden = true;
        view.el['avatar-placeholder'].hidden = false;
      }
      view.el.profile.setAttribute('data-has-avatar', String(Boolean(url)));
      view.syncAvatarButtons();
    },

    /** A URL that does not load (deleted, or blocked because it is not same-origin): show initials. */
    avatarFailed: function () {
      var img = view.el['avatar-img'];
      if (!img.getAttribute('src')) return;
      img.hidden = true;
      view.el['avatar-placeholder'].hidden = false;
      view.el['avatar-placeholder'].title = 'The avatar image could not be loaded.';
    },

    avatarLoaded: function () { view.el['avatar-placeholder'].removeAttribute('title'); },

    syncAvatarButtons: function () {
      var hasAvatar = Boolean(view.currentUser && view.currentUser.avatarUrl);
      var remove = view.el['remove-avatar-button'];
      if (remove.getAttribute('aria-busy') !== 'true') remove.disabled = !hasAvatar;
    },

    /* --- upload --- */

    uploadBusy: function (busy) {
      view.el['drop-zone'].classList.toggle('is-busy', busy);
      view.el['drop-zone'].setAttribute('aria-busy', String(busy));
      view.el['file-input'].disabled = busy;
      view.el['file-label'].setAttribute('aria-disabled', String(busy));
      view.el['remove-avatar-button'].disabled = busy || !(view.currentUser && view.currentUser.avatarUrl);
      view.show(view.el['upload-progress'], busy);
      if (!busy) view.el['upload-progress'].value = 0;
    },

    uploadProgress: function (percent) {
      view.el['upload-progress'].value = percent;
      view.setUploadStatus('uploading', percent < 100 ? 'Uploading... ' + percent + '%' : 'Processing the image...');
    },

    /** state: idle | uploading | success | error (exposed as data-state for styling and tests). */
    setUploadStatus: function (state, text) {
      var status = view.el['upload-status'];
      status.setAttribute('data-state', state);
      status.textContent = text || '';
    },

    setDragOver: function (over) { view.el['drop-zone'].classList.toggle('is-dragover', over); },

    /* --- sessions --- */

    /** One item per session, newest first; the current one is marked and has no End button. */
    renderSessions: function (sessions, onEnd) {
      var list = view.el['session-list'];
      while (list.firstChild) list.removeChild(list.firstChild);
      sessions.forEach(function (s) {
        var item = document.createElement('li');
        item.className = 'session-item' + (s.current ? ' is-current' : '');
        item.setAttribute('data-testid', 'session-item');
        item.setAttribute('data-session-id', s.id);
        item.setAttribute('data-current', String(Boolean(s.current)));

        var agent = document.createElement('span');
        agent.className = 'session-agent';
        agent.textContent = s.userAgent || 'Unknown client';
        item.appendChild(agent);

        if (s.current) {
          var badge = document.createElement('span');
          badge.className = 'pill session-current';
          badge.setAttribute('data-testid', 'session-current');
          badge.textContent = 'this session';
          item.appendChild(badge);
        }

        var times = document.createElement('span');
        times.className = 'session-times muted small';
        times.textContent = 'signed in ' + view.when(s.createdAt) + ', last refreshed ' + view.when(s.lastUsedAt);
        item.appendChild(times);

        var end = document.createElement('button');
        end.type = 'button';
        end.className = 'btn btn-small';
        end.setAttribute('data-testid', 'end-session-button');
        end.textContent = s.current ? 'Log out' : 'End';
        end.addEventListener('click', function () { onEnd(s, end); });
        item.appendChild(end);
        list.appendChild(item);
      });
    },

    when: function (iso) {
      var date = iso ? new Date(iso) : null;
      return date && !isNaN(date.getTime())
        ? date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : 'unknown';
    },

    setSessionsStatus: function (text) { view.el['sessions-status'].textContent = text || ''; },

    clearPasswordErrors: function () {
      ['current-password', 'new-password'].forEach(function (id) {
        view.el[id].removeAttribute('aria-invalid');
        view.setText(view.el[id + '-error'], '');
      });
    },

    /** state: idle | busy | success | error. */
    setPasswordStatus: function (state, text) {
      var status = view.el['password-status'];
      status.setAttribute('data-state', state);
      status.textContent = text || '';
    },

    showPasswordFailure: function (result) {
      view.clearPasswordErrors();
      var fields = result.fields || {};
      if (result.code === 'wrong_password') fields = { currentPassword: result.message || 'wrong password' };
      var general = [];
      Object.keys(fields).forEach(function (field) {
        var id = field === 'currentPassword' ? 'current-password' : field === 'newPassword' ? 'new-password' : null;
        if (id) {
          view.el[id].setAttribute('aria-invalid', 'true');
          view.setText(view.el[id + '-error'], fields[field]);
        } else {
          general.push(field + ': ' + fields[field]);
        }
      });
      if (result.code !== 'wrong_password' && !result.fields) general.push(api.describe(result));
      view.setPasswordStatus('error', general.length ? general.join(' ') : 'The password was not changed.');
    },

    /* --- delete confirm --- */

    openDeleteConfirm: function () {
      view.show(view.el['delete-confirm'], true);
      view.el['delete-account-button'].setAttribute('aria-expanded', 'true');
      view.el['delete-confirm-button'].focus();
    },

    closeDeleteConfirm: function () {
      view.show(view.el['delete-confirm'], false);
      view.el['delete-account-button'].setAttribute('aria-expanded', 'false');
    },

    /* --- realtime --- */

    setConnection: function (state, detail) {
      var pill = view.el['connection-state'];
      pill.textContent = state;
      pill.setAttribute('data-state', state);
      view.el['connection-detail'].textContent = detail || '';
    },

    clearLog: function () {
      var log = view.el['event-log'];
      while (log.firstChild) log.removeChild(log.firstChild);
    },

    /** Newest first; each item's data-type is the message type. */
    logMessage: function (message) {
      var log = view.el['event-log'];
      var now = new Date();
      var item = document.createElement('li');
      item.setAttribute('data-type', message.type);

      var time = document.createElement('time');
      time.setAttribute('datetime', now.toISOString());
      time.textContent = view.clock(now);

      var type = document.createElement('span');
      type.className = 'type';
      type.textContent = message.type;

      var payload = document.createElement('pre');
      payload.className = 'payload';
      payload.textContent = JSON.stringify(message);

      item.appendChild(time);
      item.appendChild(type);
      item.appendChild(payload);
      log.insertBefore(item, log.firstChild);
      while (log.childElementCount > CONFIG.eventLogMax) log.removeChild(log.lastElementChild);
    },

    clock: function (date) {
      var pad = function (n, w) { return String(n).padStart(w || 2, '0'); };
      return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds()) +
        '.' + pad(date.getMilliseconds(), 3);
    }
  };

  /* --------------------------------------------------------------------- app */

  var app = {
    start: function () {
      view.init();
      app.wireSession();
      app.wireRealtime();
      app.wireAuthForm();
      app.wireProfile();
      app.wireUpload();
      document.addEventListener('visibilitychange', function () {
        if (document.visibilityState === 'visible') session.refreshIfDue();
      });
      app.restore();
    },

    /* --- session lifecycle --- */

    wireSession: function () {
      session.on('tokens', function (data) {
        if (data.user) view.renderUser(data.user);
        realtime.reauth();
      });
      session.on('ended', function (reason) {
        if (reason === 'expired') {
          realtime.stop('Session ended');
          view.showLoggedOut('Your session has ended. Please log in again.');
        }
      });
    },

    /** A reload keeps you logged in: trade the stored refresh token for a new pair. */
    restore: function () {
      var stored = session.stored();
      if (!stored) { view.showLoggedOut(''); return; }
      session.refreshToken = stored;
      view.showRestoring(true);
      session.refresh().then(function (data) {
        view.showRestoring(false);
        app.loggedIn(data);
      }, function () {
        view.showRestoring(false);
        if (!session.refreshToken) {
          view.showLoggedOut('');
        } else {
          // Transient failure (server down): do not keep retrying with a token we cannot verify.
          session.clear();
          view.showLoggedOut('Could not restore your session. Please log in again.');
        }
      });
    },

    loggedIn: function (data) {
      view.showLoggedIn(data.user);
      view.clearLog();
      realtime.start();
      app.loadSessions();
    },

    /* --- auth form --- */

    wireAuthForm: function () {
      view.el['password-toggle'].addEventListener('click', view.togglePassword);
      view.el['auth-form'].addEventListener('submit', function (e) {
        e.preventDefault();
        // e.submitter is the clicked button; Enter in a field submits with the first one (login).
        var action = e.submitter && e.submitter.value === 'register' ? 'register' : 'login';
        app.authenticate(action);
      });
    },

    authenticate: function (action) {
      var buttons = [view.el['login-button'], view.el['register-button']];
      var done = view.busy(buttons, view.el[action + '-button']);
      view.clearAuthErrors();
      api.request('POST', '/api/' + action, { body: view.authInput() }).then(function (result) {
        done();
        if (result.ok && result.data) {
          session.adopt(result.data);
          app.loggedIn(result.data);
        } else {
          view.showAuthFailure(result);
        }
      });
    },

    /* --- profile actions --- */

    wireProfile: function () {
      view.el['logout-button'].addEventListener('click', app.logout);
      view.el['remove-avatar-button'].addEventListener('click', app.removeAvatar);
      view.el['delete-account-button'].addEventListener('click', function () {
        view.setText(view.el['account-error'], '');
        view.openDeleteConfirm();
      });
      view.el['delete-cancel-button'].addEventListener('click', function () {
        view.closeDeleteConfirm();
        view.el['delete-account-button'].focus();
      });
      view.el['delete-confirm-button'].addEventListener('click', app.deleteAccount);
      view.el['sessions-refresh-button'].addEventListener('click', app.loadSessions);
      view.el['logout-everywhere-button'].addEventListener('click', app.logoutEverywhere);
      view.el['password-form'].addEventListener('submit', function (e) {
        e.preventDefault();
        app.changePassword();
      });
    },

    /* --- sessions --- */

    loadSessions: function () {
      session.authed(function (token) {
        return api.request('GET', '/api/user/sessions', { token: token });
      }).then(function (result) {
        if (!session.isActive()) return;
        if (result.ok && result.data) {
          view.renderSessions(result.data.sessions || [], app.endSession);
          view.setSessionsStatus(result.data.sessions.length === 1 ? 'Only this session.'
            : result.data.sessions.length + ' sessions.');
        } else {
          view.setSessionsStatus('Could not list the sessions: ' + api.describe(result));
        }
      });
    },

    /** Ends one session; ending this one is a logout. */
    endSession: function (target, button) {
      button.disabled = true;
      session.authed(function (token) {
        return api.request('DELETE', '/api/user/sessions/' + encodeURIComponent(target.id), { token: token });
      }).then(function (result) {
        if (target.current) {
          realtime.stop('Logged out');
          session.end('logout');
          view.showLoggedOut(result.ok ? 'You have been logged out.' : 'You have been logged out here: ' + api.describe(result));
          return;
        }
        view.setSessionsStatus(result.ok ? 'That session was ended.' : 'Could not end that session: ' + api.describe(result));
        app.loadSessions();
      });
    },

    /** Every session, this one included, ends: every device of the account is logged out. */
    logoutEverywhere: function () {
      var done = view.busy([view.el['logout-everywhere-button'], view.el['logout-button']], view.el['logout-everywhere-button']);
      session.authed(function (token) {
        return api.request('DELETE', '/api/user/sessions', { token: token });
      }).then(function (result) {
        done();
        realtime.stop('Logged out everywhere');
        session.end('logout');
        view.showLoggedOut(result.ok ? 'You have been logged out everywhere.'
          : 'You have been logged out here, but the server did not confirm it: ' + api.describe(result));
      });
    },

    changePassword: function () {
      var done = view.busy([view.el['change-password-button']], view.el['change-password-button']);
      view.clearPasswordErrors();
      view.setPasswordStatus('busy', 'Changing the password...');
      var body = { currentPassword: view.el['current-password'].value, newPassword: view.el['new-password'].value };
      session.authed(function (token) {
        return api.request('PUT', '/api/user/password', { token: token, body: body });
      }).then(function (result) {
        done();
        if (result.ok && result.data) {
          session.adopt(result.data);
          view.el['current-password'].value = '';
          view.el['new-password'].value = '';
          view.setPasswordStatus('success', 'Password changed; every other session was logged out.');
          app.loadSessions();
        } else {
          view.showPasswordFailure(result);
        }
      });
    },

    /** This session was ended elsewhere (another tab, device, or a password change). */
    sessionEnded: function () {
      if (!session.isActive()) return;
      realtime.stop('Session ended', 3000);
      session.end('ended');
      view.showLoggedOut('This session was ended from another device or tab. Please log in again.');
    },

    logout: function () {
      var done = view.busy([view.el['logout-button'], view.el['delete-account-button']], view.el['logout-button']);
      var refreshToken = session.refreshToken;
      session.authed(function (token) {
        // After a 401-retry the refresh token has rotated, so read it again.
        return api.request('POST', '/api/logout', { token: token, body: { refreshToken: session.refreshToken || refreshToken } });
      }).then(function (result) {
        done();
        // Whatever the server said, this tab forgets the tokens; say so if the revocation failed.
        realtime.stop('Logged out');
        session.end('logout');
        view.showLoggedOut(result.ok ? 'You have been logged out.'
          : 'You have been logged out here, but the server did not confirm it: ' + api.describe(result));
      });
    },

    removeAvatar: function () {
      var done = view.busy([view.el['remove-avatar-button']], view.el['remove-avatar-button']);
      view.setUploadStatus('uploading', 'Removing the avatar...');
      session.authed(function (token) {
        return api.request('DELETE', '/api/user/avatar', { token: token });
      }).then(function (result) {
        if (result.ok) {
          if (result.data && result.data.user) view.renderUser(result.data.user);
          else view.setAvatar(null);
          view.setUploadStatus('success', 'Avatar removed.');
        } else {
          view.setUploadStatus('error', 'Could not remove the avatar: ' + api.describe(result));
        }
        done();
      });
    },

    deleteAccount: function () {
      var buttons = [view.el['delete-confirm-button'], view.el['delete-cancel-button'],
        view.el['delete-account-button'], view.el['logout-button']];
      var done = view.busy(buttons, view.el['delete-confirm-button']);
      session.authed(function (token) {
        return api.request('DELETE', '/api/user', { token: token });
      }).then(function (result) {
        done();
        if (result.ok) app.accountDeleted();
        else view.setText(view.el['account-error'], 'The account was not deleted: ' + api.describe(result));
      });
    },

    /**
     * Reached from this tab's DELETE or from a "user.deleted" message (another tab or device),
     * in either order; idempotent. The socket gets a moment to deliver user.deleted and the
     * server's 4410 close before we close it ourselves.
     */
    accountDeleted: function () {
      realtime.stop('Account deleted', 3000);
      session.end('deleted');
      view.showLoggedOut('');
      view.showAccountDeleted(true);
    },

    /* --- upload --- */

    wireUpload: function () {
      var input = view.el['file-input'];
      input.addEventListener('change', function () {
        if (input.files && input.files[0]) app.upload(input.files[0]);
        input.value = ''; // so that choosing the same file again fires change again
      });
      app.wireDropZone(view.el['drop-zone']);
    },

    wireDropZone: function (zone) {
      var depth = 0; // dragenter/dragleave fire for every child; count them to avoid flicker
      zone.addEventListener('dragenter', function (e) {
        if (!app.hasFiles(e)) return;
        e.preventDefault();
        depth += 1;
        view.setDragOver(true);
      });
      zone.addEventListener('dragover', function (e) {
        if (!app.hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = app.uploading ? 'none' : 'copy';
      });
      zone.addEventListener('dragleave', function () {
        depth = Math.max(0, depth - 1);
        if (depth === 0) view.setDragOver(false);
      });
      zone.addEventListener('drop', function (e) {
        e.preventDefault();
        depth = 0;
        view.setDragOver(false);
        var file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (file) app.upload(file);
      });
      // A file dropped next to the zone would make the browser navigate away to it.
      window.addEventListener('dragover', function (e) { if (app.hasFiles(e)) e.preventDefault(); });
      window.addEventListener('drop', function (e) { if (!zone.contains(e.target)) e.preventDefault(); });
    },

    hasFiles: function (e) {
      var types = e.dataTransfer && e.dataTransfer.types;
      return Boolean(types) && Array.prototype.indexOf.call(types, 'Files') !== -1;
    },

    uploading: false,

    /**
     * The server decides the format from the bytes and enforces the limits, so the page sends
     * whatever was chosen and shows the server's JSend message (413, 415, 422, 429...).
     */
    upload: function (file) {
      if (app.uploading || !session.isActive()) return;
      app.uploading = true;
      view.uploadBusy(true);
      view.uploadProgress(0);
      var form = new FormData();
      form.append('avatar', file, file.name || 'avatar');
      session.authed(function (token) {
        return api.upload('/api/user/avatar', form, token, view.uploadProgress);
      }).then(function (result) {
        app.uploading = false;
        view.uploadBusy(false);
        if (result.ok && result.data) {
          if (result.data.user) view.renderUser(result.data.user);
          else view.setAvatar(result.data.avatarUrl);
          view.setUploadStatus('success', 'Avatar updated.');
        } else {
          view.setUploadStatus('error', app.uploadError(result));
        }
      });
    },

    uploadError: function (result) {
      var titles = {
        400: 'The upload was not understood',
        401: 'You are not logged in',
        413: 'The file is too large',
        415: 'Unsupported file type (use PNG, JPEG, GIF or WebP)',
        422: 'The image could not be used',
        429: 'Too many uploads'
      };
      if (result.networkError) return result.message;
      var title = titles[result.status] || 'Upload failed';
      return title + ' (' + result.status + '): ' + api.describe(result);
    },

    /* --- realtime --- */

    wireRealtime: function () {
      realtime.onState = function (state, detail) { view.setConnection(state, detail); };
      realtime.onMessage = view.logMessage;
      // A 4410 close means the same as "user.deleted", should the message itself not arrive.
      realtime.onDeleted = function () { if (session.isActive()) app.accountDeleted(); };
      realtime.handlers = {
        'ready': function (m) {
          realtime.authenticated();
          if (app.isMine(m) && 'avatarUrl' in m) view.setAvatar(m.avatarUrl || null);
        },
        'avatar.changed': function (m) {
          if (app.isMine(m) && m.avatarUrl) view.setAvatar(m.avatarUrl);
        },
        'avatar.removed': function (m) {
          if (app.isMine(m)) view.setAvatar(null);
        },
        'user.deleted': function (m) {
          if (app.isMine(m)) app.accountDeleted();
        },
        // then the server closes with 4401 (3000 over SockJS's HTTP transports): no reconnect
        'session.ended': function () {
          realtime.wanted = false;
          app.sessionEnded();
        },
        // "error" and "pong" need nothing beyond the log entry.
        'error': function () {},
        'pong': function () {}
      };
    },

    /** The server only sends our own events; this guards against a stale socket after re-login. */
    isMine: function (message) {
      var user = view.currentUser || session.user;
      return !message.userId || !user || message.userId === user.id;
    }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', app.start);
  else app.start();
})();
