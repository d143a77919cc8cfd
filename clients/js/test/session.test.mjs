// The REST half of the client against a real service whose access tokens live 3 seconds
// (ACCESS_TOKEN_TTL=3, JWT_LEEWAY_SECONDS=0, set by ClientJsTest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, MemoryTokenStore, createAvatarClient } from '../../../src/main/resources/webroot/demo/client/index.js';
import { BASE_URL, PASSWORD, countingFetch, identifier, next, png, sleep } from '../testlib/support.mjs';

test('registers, reads the user, uploads an avatar and removes it', async () => {
  const client = createAvatarClient({ baseUrl: BASE_URL });
  try {
    const id = identifier('rest');
    const registered = await client.register(id, PASSWORD);
    assert.equal(registered.user.identifier, id);
    assert.equal(client.session.isSignedIn, true);
    const me = await client.me();
    assert.equal(me.id, registered.user.id);
    assert.equal(me.avatarUrl, null);

    const uploaded = await client.uploadAvatar(png(), 'stripes.png');
    assert.match(uploaded.avatarUrl, /^http:\/\/.+\/avatars\/[A-Za-z0-9_-]+\.jpg$/);
    assert.equal((await client.me()).avatarUrl, uploaded.avatarUrl);
    const image = await fetch(`${uploaded.avatarUrl}?size=64`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');

    assert.equal((await client.removeAvatar()).avatarUrl, null);
  } finally {
    client.close();
  }
});

test('a refused registration is an ApiError with the fields the service named', async () => {
  const client = createAvatarClient({ baseUrl: BASE_URL });
  const error = await client.register('x', 'short').then(() => null, (e) => e);
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 400);
  assert.ok(error.fields?.identifier, 'identifier field error');
  assert.ok(error.fields?.password, 'password field error');
  assert.equal(client.session.isSignedIn, false);
});

test('a token near expiry is refreshed before the call, once, and the rotated refresh token is stored', async () => {
  const counter = countingFetch();
  const store = new MemoryTokenStore();
  const client = createAvatarClient({ baseUrl: BASE_URL, store, fetch: counter.fetch, autoRefresh: false });
  try {
    await client.register(identifier('near-expiry'), PASSWORD);
    const first = store.load();
    await sleep(first.expiresAt - client.session.leadMs(first) - Date.now() + 100);
    await Promise.all([client.me(), client.me(), client.sessions()]);
    assert.equal(counter.count('/api/refresh'), 1, 'exactly one refresh');
    assert.equal(counter.calls.filter((c) => c.status === 401).length, 0, 'no call was refused');
    const second = store.load();
    assert.notEqual(second.refreshToken, first.refreshToken, 'the rotated refresh token is stored');
    assert.notEqual(second.accessToken, first.accessToken);
  } finally {
    client.close();
  }
});

test('concurrent calls refused with 401 share exactly one refresh and all succeed', async () => {
  const counter = countingFetch();
  const id = identifier('concurrent-401');
  const signup = createAvatarClient({ baseUrl: BASE_URL, autoRefresh: false });
  await signup.register(id, PASSWORD);
  // a client whose clock says the token is good for an hour: it learns otherwise from the 401s
  const tokens = { ...signup.session.current, expiresAt: Date.now() + 3_600_000 };
  signup.close();
  const client = createAvatarClient({ baseUrl: BASE_URL, store: new MemoryTokenStore(tokens), fetch: counter.fetch, autoRefresh: false });
  try {
    await sleep(tokens.expiresIn * 1000 + 1000); // the service's 3 s lifetime, no leeway
    const users = await Promise.all(Array.from({ length: 5 }, () => client.me()));
    assert.deepEqual(users.map((u) => u.identifier), Array(5).fill(id));
    assert.equal(counter.count('/api/user', 401), 5, 'each call was refused once');
    assert.equal(counter.count('/api/user', 200), 5, 'and retried once');
    assert.equal(counter.count('/api/refresh'), 1, 'exactly one refresh');
  } finally {
    client.close();
  }
});

test('a refused refresh signs out, empties the store and tells the app', async () => {
  const store = new MemoryTokenStore();
  const client = createAvatarClient({ baseUrl: BASE_URL, store, autoRefresh: false });
  try {
    await client.register(identifier('refused-refresh'), PASSWORD);
    const signedOut = next(client.session, 'signedOut');
    // someone else uses the refresh token first: the client's copy is now a reused token
    const stolen = await fetch(`${BASE_URL}/api/refresh`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: store.load().refreshToken }),
    });
    assert.equal(stolen.status, 200);
    const error = await client.session.refresh().then(() => null, (e) => e);
    assert.equal(error?.status, 401);
    assert.deepEqual(await signedOut, { reason: 'refresh_failed' });
    assert.equal(store.load(), null);
    assert.equal(client.session.isSignedIn, false);
    await assert.rejects(client.me(), (e) => e instanceof ApiError && e.status === 401);
  } finally {
    client.close();
  }
});
