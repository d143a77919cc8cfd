// Survives a restart of the service: same port, same data, a new process's worth of node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createAvatarClient } from '../../../src/main/resources/webroot/demo/client/index.js';
import { BASE_URL, CONTROL_URL, PASSWORD, identifier, next, png, recordStates } from '../testlib/support.mjs';

test('reconnects with backoff after the service restarts, and receives events from the new node', { skip: !CONTROL_URL && 'AVATAR_CONTROL_URL not set' }, async () => {
  const client = createAvatarClient({ baseUrl: BASE_URL });
  const realtime = client.realtime({ WebSocket, pingMs: 0, reconnectBaseMs: 200, reconnectMaxMs: 2000 });
  const states = recordStates(realtime);
  try {
    const { user } = await client.register(identifier('restart'), PASSWORD);
    const ready = next(realtime, 'ready');
    realtime.connect();
    await ready;

    const closed = next(realtime, 'state', (s) => s.state === 'closed', 30_000);
    const readyAgain = next(realtime, 'ready', () => true, 60_000);
    const restart = await fetch(CONTROL_URL, { method: 'POST' });
    assert.equal(restart.status, 200, await restart.text());
    const close = await closed;
    assert.equal(close.code, 1001, 'the old node said it was shutting down');
    assert.ok(close.reconnectInMs > 0, 'a reconnection was planned');
    assert.equal((await readyAgain).userId, user.id);
    const retries = states.filter((s) => s.state === 'closed' && s.reconnectInMs !== undefined).map((s) => s.reconnectInMs);
    assert.ok(retries.length >= 1, JSON.stringify(states));

    const changed = next(realtime, 'avatar.changed');
    const uploaded = await client.uploadAvatar(png());
    assert.equal((await changed).avatarUrl, uploaded.avatarUrl);
  } finally {
    realtime.close();
    client.close();
  }
});
