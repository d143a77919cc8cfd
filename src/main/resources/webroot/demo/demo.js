/*
 * avatar-service browser demo, built on the service's JavaScript client (clients/js, compiled to
 * /demo/client/). An ES module, no build step of its own. It runs under a strict CSP (script-src
 * 'self', style-src 'self'), so it never uses eval, inline handlers, style attributes or
 * innerHTML: the DOM is built with textContent and the hidden attribute, and every look is a CSS
 * class.
 *
 * Parts:
 *   client   - the service's client: typed REST calls, the token pair and its single-flight
 *              refresh, the realtime connection (/ws, or SockJS when the WebSocket is refused)
 *   api      - turns the client's answers (and the upload's XHR) into one result shape for the view
 *   view     - every DOM read and write
 *   app      - the flows (login, upload, logout, sessions, password, delete) wiring them together
 */
import { ApiError, WebStorageTokenStore, createAvatarClient } from '/demo/client/index.js';

/* ------------------------------------------------------------------ config */

const CONFIG = {
  // The SockJS transports the client may fall back to when the WebSocket on /ws is refused: only
  // those that need nothing but XHR, EventSource or WebSocket (the iframe and JSONP ones would
  // need frames and inline script, which the CSP forbids anyway). ?sockjs=xhr-polling (one or
  // more, comma-separated) narrows them, to try one.
  sockjsTransports: sockjsTransports(['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling']),
  eventLogMax: 200,
  storageKey: 'avatar-service-demo.tokens'
};

function sockjsTransports(all) {
  const asked = new URLSearchParams(location.search).get('sockjs');
  const chosen = asked ? asked.split(',').filter(function (t) { return all.indexOf(t) !== -1; }) : [];
  return chosen.length ? chosen : all;
}

/* ------------------------------------------------------------------ client */

/**
 * Token storage decision: sessionStorage, so that reloading the tab keeps you logged in (the page
 * exchanges the refresh token for a new pair at start-up). It is per tab and cleared when the tab
 * closes; localStorage would be shared by every tab, and two tabs rotating one refresh token would
 * race and trip the server's reuse detection, which ends the whole login (the client serialises
 * refreshes across tabs with Web Locks for localStorage, but one login per tab is simpler to
 * explain). Anything that can run script in this origin could read sessionStorage, but it could
 * read the in-memory token too; the strict CSP is the real defence.
 */
const client = createAvatarClient({ store: new WebStorageTokenStore(sessionStorage, CONFIG.storageKey) });

/* --------------------------------------------------------------------- api */

/* --------------------------------------------------------------------- api */

/**
 * Every HTTP call ends up as one result object, whatever happened:
 *   { ok, status, data, message, code, fields, retryAfter, networkError }
 * - ok: 2xx with {"status":"success"}
 * - fields: JSend fail data keyed by field name ({"identifier": "..."}), or null
 * - message: a human-readable reason (JSend fail/error message, or a fallback)
 * Nothing throws, so callers have a single code path.
 */
const api = {
  /**
   * A call of the client (a promise of the JSend data, rejected with an ApiError) as a result.
   * A failure's message is left out when the service named fields: they are shown by their field.
   */
  resultOf: function (promise) {
    return promise.then(function (data) {
      return { ok: true, status: 200, data: data === undefined ? null : data, message: null, code: null,
        fields: null, retryAfter: null, networkError: false };
    }, function (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.networkError) return api.networkFailure(false);
      return {
        ok: false, status: error.status, data: null, code: error.code, retryAfter: error.retryAfter,
        networkError: false, fields: error.fields ? Object.assign({}, error.fields) : null,
        message: error.fields ? null : error.message
      };
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

/* -------------------------------------------------------------------- view */

/** All DOM access. Elements are looked up by id once; tests use the data-testid attributes. */
const view = {
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
};/* --------------------------------------------------------------------- app */

const app = {
  /** The realtime connection of the current login (a new one per login). */
  realtime: null,

  start: function () {
    view.init();
    app.wireSession();
    app.wireAuthForm();
    app.wireProfile();
    app.wireUpload();
    // Timers are late in background tabs and after sleep: a token due for refresh is refreshed now.
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible' && client.session.isSignedIn) {
        client.session.accessToken().catch(function () { /* the client retries, or signs out */ });
      }
    });
    app.restore();
  },

  /* --- session lifecycle --- */

  wireSession: function () {
    client.session.on('tokens', function (event) {
      if (event.user) view.renderUser(event.user);
    });
    // The client signs out by itself when a refresh is refused, when the service says the session
    // ended or the account is gone (over the realtime connection), and on deleteAccount(); the
    // flows that log out say so themselves.
    client.onSignedOut(function (reason) {
      if (reason === 'refresh_failed') {
        view.showLoggedOut('Your session has ended. Please log in again.');
      } else if (reason === 'session_ended') {
        view.showLoggedOut('This session was ended from another device or tab. Please log in again.');
      } else if (reason === 'user_deleted') {
        view.showLoggedOut('');
        view.showAccountDeleted(true);
      }
    });
  },

  /** A reload keeps you logged in: trade the stored refresh token for a new pair. */
  restore: function () {
    if (!client.session.isSignedIn) { view.showLoggedOut(''); return; }
    view.showRestoring(true);
    client.session.refresh().then(function (data) {
      view.showRestoring(false);
      app.loggedIn(data);
    }, function () {
      view.showRestoring(false);
      if (!client.session.isSignedIn) {
        view.showLoggedOut('');
      } else {
        // Transient failure (server down): do not keep retrying with a token we cannot verify.
        client.session.signOut('logout');
        view.showLoggedOut('Could not restore your session. Please log in again.');
      }
    });
  },

  loggedIn: function (data) {
    view.showLoggedIn(data.user);
    view.clearLog();
    app.connect();
    app.loadSessions();
  },

  /* --- auth form --- */

  wireAuthForm: function () {
    view.el['password-toggle'].addEventListener('click', view.togglePassword);
    view.el['auth-form'].addEventListener('submit', function (e) {
      e.preventDefault();
      // e.submitter is the clicked button; Enter in a field submits with the first one (login).
      const action = e.submitter && e.submitter.value === 'register' ? 'register' : 'login';
      app.authenticate(action);
    });
  },

  authenticate: function (action) {
    const buttons = [view.el['login-button'], view.el['register-button']];
    const done = view.busy(buttons, view.el[action + '-button']);
    view.clearAuthErrors();
    const input = view.authInput();
    api.resultOf(client[action](input.identifier, input.password)).then(function (result) {
      done();
      if (result.ok) {
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
    api.resultOf(client.sessions()).then(function (result) {
      if (!client.session.isSignedIn) return;
      if (result.ok) {
        view.renderSessions(result.data, app.endSession);
        view.setSessionsStatus(result.data.length === 1 ? 'Only this session.' : result.data.length + ' sessions.');
      } else {
        view.setSessionsStatus('Could not list the sessions: ' + api.describe(result));
      }
    });
  },

  /** Ends one session; ending this one is a logout. */
  endSession: function (target, button) {
    button.disabled = true;
    api.resultOf(client.endSession(target.id)).then(function (result) {
      if (target.current) {
        client.session.signOut('logout');
        view.showLoggedOut(result.ok ? 'You have been logged out.' : 'You have been logged out here: ' + api.describe(result));
        return;
      }
      view.setSessionsStatus(result.ok ? 'That session was ended.' : 'Could not end that session: ' + api.describe(result));
      app.loadSessions();
    });
  },

  /** Every session, this one included, ends: every device of the account is logged out. */
  logoutEverywhere: function () {
    const done = view.busy([view.el['logout-everywhere-button'], view.el['logout-button']], view.el['logout-everywhere-button']);
    api.resultOf(client.endAllSessions()).then(function (result) {
      done();
      view.showLoggedOut(result.ok ? 'You have been logged out everywhere.'
        : 'You have been logged out here, but the server did not confirm it: ' + api.describe(result));
    });
  },

  changePassword: function () {
    const done = view.busy([view.el['change-password-button']], view.el['change-password-button']);
    view.clearPasswordErrors();
    view.setPasswordStatus('busy', 'Changing the password...');
    const current = view.el['current-password'].value;
    const next = view.el['new-password'].value;
    // the client stores the fresh pair, and the realtime connection sends the new token
    api.resultOf(client.changePassword(current, next)).then(function (result) {
      done();
      if (result.ok) {
        view.el['current-password'].value = '';
        view.el['new-password'].value = '';
        view.setPasswordStatus('success', 'Password changed; every other session was logged out.');
        app.loadSessions();
      } else {
        view.showPasswordFailure(result);
      }
    });
  },

  logout: function () {
    const done = view.busy([view.el['logout-button'], view.el['delete-account-button']], view.el['logout-button']);
    // Whatever the server said, the client forgets the tokens; say so if the revocation failed.
    api.resultOf(client.logout()).then(function (result) {
      done();
      view.showLoggedOut(result.ok ? 'You have been logged out.'
        : 'You have been logged out here, but the server did not confirm it: ' + api.describe(result));
    });
  },

  removeAvatar: function () {
    const done = view.busy([view.el['remove-avatar-button']], view.el['remove-avatar-button']);
    view.setUploadStatus('uploading', 'Removing the avatar...');
    api.resultOf(client.removeAvatar()).then(function (result) {
      if (result.ok) {
        view.renderUser(result.data);
        view.setUploadStatus('success', 'Avatar removed.');
      } else {
        view.setUploadStatus('error', 'Could not remove the avatar: ' + api.describe(result));
      }
      done();
    });
  },

  /** On success the client signs out with 'user_deleted', which shows the notice (wireSession). */
  deleteAccount: function () {
    const buttons = [view.el['delete-confirm-button'], view.el['delete-cancel-button'],
      view.el['delete-account-button'], view.el['logout-button']];
    const done = view.busy(buttons, view.el['delete-confirm-button']);
    api.resultOf(client.deleteAccount()).then(function (result) {
      done();
      if (!result.ok) view.setText(view.el['account-error'], 'The account was not deleted: ' + api.describe(result));
    });
  },

  /* --- upload --- */

  wireUpload: function () {
    const input = view.el['file-input'];
    input.addEventListener('change', function () {
      if (input.files && input.files[0]) app.upload(input.files[0]);
      input.value = ''; // so that choosing the same file again fires change again
    });
    app.wireDropZone(view.el['drop-zone']);
  },

  wireDropZone: function (zone) {
    let depth = 0; // dragenter/dragleave fire for every child; count them to avoid flicker
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
      const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (file) app.upload(file);
    });
    // A file dropped next to the zone would make the browser navigate away to it.
    window.addEventListener('dragover', function (e) { if (app.hasFiles(e)) e.preventDefault(); });
    window.addEventListener('drop', function (e) { if (!zone.contains(e.target)) e.preventDefault(); });
  },

  hasFiles: function (e) {
    const types = e.dataTransfer && e.dataTransfer.types;
    return Boolean(types) && Array.prototype.indexOf.call(types, 'Files') !== -1;
  },

  uploading: false,

  /**
   * With XMLHttpRequest, for its progress events (fetch has none for uploads); the client lends
   * it the access token and, after a 401, a fresh one for a second try. The server decides the
   * format from the bytes and enforces the limits, so the page sends whatever was chosen and shows
   * the server's JSend message (413, 415, 422, 429...).
   */
  upload: function (file) {
    if (app.uploading || !client.session.isSignedIn) return;
    app.uploading = true;
    view.uploadBusy(true);
    view.uploadProgress(0);
    const form = new FormData();
    form.append('avatar', file, file.name || 'avatar');
    client.withAccessToken(function (token) {
      return api.upload('/api/user/avatar', form, token, view.uploadProgress);
    }).catch(function () {
      return { ok: false, status: 401, data: null, code: 'no_session', fields: null, retryAfter: null,
        networkError: false, message: 'You are not logged in.' };
    }).then(function (result) {
      app.uploading = false;
      view.uploadBusy(false);
      if (result.ok && result.data) {
        if (result.data.user) {
          client.session.setUser(result.data.user);
          view.renderUser(result.data.user);
        } else {
          view.setAvatar(result.data.avatarUrl);
        }
        view.setUploadStatus('success', 'Avatar updated.');
      } else {
        view.setUploadStatus('error', app.uploadError(result));
      }
    });
  },

  uploadError: function (result) {
    const titles = {
      400: 'The upload was not understood',
      401: 'You are not logged in',
      413: 'The file is too large',
      415: 'Unsupported file type (use PNG, JPEG, GIF or WebP)',
      422: 'The image could not be used',
      429: 'Too many uploads'
    };
    if (result.networkError) return result.message;
    const title = titles[result.status] || 'Upload failed';
    return title + ' (' + result.status + '): ' + api.describe(result);
  },

  /* --- realtime --- */

  /**
   * One realtime connection per login. The client connects to /ws and falls back to SockJS
   * (loaded from the jar's webjar by index.html), sends the fresh token after every refresh,
   * reconnects with backoff, and stops by itself after user.deleted, session.ended or a sign-out.
   */
  connect: function () {
    if (app.realtime) app.realtime.close();
    if (typeof window.SockJS !== 'function') {
      view.logMessage({ type: 'error', message: 'The SockJS client did not load (/webjars/sockjs-client/...): WebSocket only.' });
    }
    const realtime = client.realtime({ sockjsTransports: CONFIG.sockjsTransports });
    app.realtime = realtime;
    // Each handler ignores a connection that has since been replaced by a new login's.
    const mine = function (handler) {
      return function (value) { if (app.realtime === realtime) handler(value); };
    };
    realtime.on('state', mine(function (change) { view.setConnection(change.state, app.describeState(change)); }));
    realtime.on('message', mine(view.logMessage));
    realtime.on('ready', mine(function (m) {
      if (app.isMine(m)) view.setAvatar(m.avatarUrl || null);
    }));
    realtime.on('avatar.changed', mine(function (m) {
      if (app.isMine(m) && m.avatarUrl) view.setAvatar(m.avatarUrl);
    }));
    realtime.on('avatar.removed', mine(function (m) {
      if (app.isMine(m)) view.setAvatar(null);
    }));
    // user.deleted and session.ended: the client signs out, which wireSession shows.
    realtime.connect();
  },

  /** The connection's state in words; a close keeps its code (4410, 4401, SockJS's 3000...). */
  describeState: function (change) {
    const via = change.transport ? ' via ' + change.transport : '';
    switch (change.state) {
      case 'connecting': return 'Connecting to /ws (or /sockjs)...';
      case 'connected': return 'Open' + via + '; authenticating...';
      case 'authenticated': return 'Authenticated' + via + '.';
      case 'closed': {
        let text = change.code !== undefined
          ? 'Closed with code ' + change.code + (change.reason ? ' (' + change.reason + ')' : '') + '.'
          : 'Closed' + (change.reason ? ': ' + change.reason : '') + '.';
        if (change.reconnectInMs !== undefined) text += ' Reconnecting in ' + Math.ceil(change.reconnectInMs / 1000) + ' s.';
        return text;
      }
      default: return '';
    }
  },

  /** The server only sends our own events; this guards against a stale socket after re-login. */
  isMine: function (message) {
    const user = view.currentUser || client.session.user;
    return !message.userId || !user || message.userId === user.id;
  }
};

app.start();
