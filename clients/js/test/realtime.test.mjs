// The realtime half of the client against a real service (3-second access tokens, no leeway).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { createAvatarClient } from '../../../src/main/resources/webroot/demo/client/index.js';
import { BASE_URL, PASSWORD, identifier, next, png, recordStates, sleep, stateReached } from '../testlib/support.mjs';

const SockJS = createRequire(import.meta.url)('sockjs-client');

test('over /ws: authenticates, stays connected past the expiry of its token by re-authenticating, and receives avatar.changed and avatar.removed', async () => {
  const client = createAvatarClient({ baseUrl: BASE_URL });
  const realtime = client.realtime({ WebSocket, SockJS, pingMs: 0 });
  const states = recordStates(realtime);
  try {
    const { user } = await client.register(identifier('ws'), PASSWORD);
    const ready = next(realtime, 'ready');
    realtime.connect();
    assert.deepEqual(await ready, { type: 'ready', userId: user.id, avatarUrl: null });
    const connectedAt = Date.now();
    assert.equal(realtime.state.transport, 'websocket');

    // each fresh token sent is answered "ready" again; without them the service closes with 4401 at expiry
    const lifetimeMs = client.session.current.expiresIn * 1000;
    // a "ready" answering a fresh token a second after the first token expired
    await next(realtime, 'ready', () => Date.now() - connectedAt > lifetimeMs + 1000);
    assert.equal(states.filter((s) => s.state === 'closed').length, 0, `never closed: ${JSON.stringify(states)}`);

    const changed = next(realtime, 'avatar.changed');
    const uploaded = await client.uploadAvatar(png());
    const event = await changed;
    assert.equal(event.userId, user.id);
    assert.equal(event.avatarUrl, uploaded.avatarUrl);
    assert.ok(!Number.isNaN(Date.parse(event.changedAt)));

    const removed = next(realtime, 'avatar.removed');
    await client.removeAvatar();
    assert.equal((await removed).userId, user.id);
    assert.equal(states.filter((s) => s.state === 'closed').length, 0, `never closed: ${JSON.stringify(states)}`);
  } finally {
    realtime.close();
    client.close();
  }
});

test('session.ended: the client signs out and does not reconnect', async () => {
  const client = createAvatarClient({ baseUrl: BASE_URL });
  const other = createAvatarClient({ baseUrl: BASE_URL });
  const realtime = client.realtime({ WebSocket, pingMs: 0, reconnectBaseMs: 100, reconnectMaxMs: 200 });
  const states = recordStates(realtime);
  try {
    const id = identifier('ended');
    await client.register(id, PASSWORD);
    await other.login(id, PASSWORD);
    const ready = next(realtime, 'ready');
    realtime.connect();
    await ready;
    const ended = next(realtime, 'session.ended');
    const signedOut = next(client.session, 'signedOut');
    await other.endAllSessions();
    await ended;
    assert.deepEqual(await signedOut, { reason: 'session_ended' });
    const closed = await stateReached(realtime, states, (s) => s.state === 'closed');
    assert.equal(closed.code, 4401);
    assert.equal(closed.reconnectInMs, undefined);
    await sleep(600); // three reconnection delays: none is attempted
    assert.equal(states.filter((s) => s.state === 'connecting').length, 1, JSON.stringify(states));
  } finally {
    realtime.close();
    client.close();
    other.close();
  }
});

/**
 * A reverse proxy in front of the service that passes HTTP and SockJS through but refuses the
 * WebSocket upgrade on /ws with 403, as a proxy configured for SockJS alone does: the client must
 * fall back to SockJS. In Node, SockJS's WebSocket transport (sockjs-client in Node carries no
 * cookies, which the service's SockJS HTTP transports need).
 */
async function proxyRefusingWs() {
  const target = new URL(BASE_URL);
  const upgrades = { refused: 0, passed: 0 };
  // every socket on either side, so that close() ends them all (server.close() alone waits for upgraded ones)
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = http.createServer((req, res) => {
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url.startsWith('/sockjs/')) {
      upgrades.refused += 1;
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    upgrades.passed += 1;
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    track(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.on('connection', track);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    const closed = new Promise((resolve) => server.close(resolve));
    sockets.forEach((socket) => socket.destroy());
    return Promise.race([closed, sleep(2000)]);
  };
  return { url: `http://127.0.0.1:${server.address().port}`, upgrades, close };
}

test('falls back to SockJS when the WebSocket is refused, receives avatar.changed and user.deleted, and then stays closed', async () => {
  const proxy = await proxyRefusingWs();
  const client = createAvatarClient({ baseUrl: proxy.url });
  const realtime = client.realtime({ WebSocket, SockJS, sockjsTransports: ['websocket'], pingMs: 0, reconnectBaseMs: 100, reconnectMaxMs: 200 });
  const states = recordStates(realtime);
  try {
    const { user } = await client.register(identifier('sockjs'), PASSWORD);
    const ready = next(realtime, 'ready');
    realtime.connect();
    assert.equal((await ready).userId, user.id);
    assert.equal(realtime.state.transport, 'sockjs/websocket');
    assert.equal(proxy.upgrades.refused, 1, 'the WebSocket on /ws was tried first, and refused');

    const changed = next(realtime, 'avatar.changed');
    const uploaded = await client.uploadAvatar(png());
    assert.equal((await changed).avatarUrl, uploaded.avatarUrl);

    const deleted = next(realtime, 'user.deleted');
    const signedOut = next(client.session, 'signedOut');
    await client.deleteAccount();
    assert.equal((await deleted).userId, user.id);
    assert.deepEqual(await signedOut, { reason: 'user_deleted' });
    const closed = await stateReached(realtime, states, (s) => s.state === 'closed');
    assert.equal(closed.code, 4410);
    await sleep(600); // three reconnection delays: none is attempted
    assert.equal(states.filter((s) => s.state === 'connecting').length, 1, JSON.stringify(states));
  } finally {
    realtime.close();
    client.close();
    await proxy.close();
  }
});
