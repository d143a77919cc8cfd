// Helpers of the client tests: the service under test (started by the JUnit test ClientJsTest,
// which passes its address), a request counter, a PNG, and waiting for events.
import { deflateSync } from 'node:zlib';
import { once } from 'node:events';

export const BASE_URL = process.env.AVATAR_BASE_URL;
/** POST here restarts the service on the same port and data (answered once it is up again). */
export const CONTROL_URL = process.env.AVATAR_CONTROL_URL;
export const PASSWORD = 'correct-horse-battery-staple-42';

if (!BASE_URL) {
  throw new Error('AVATAR_BASE_URL is not set: these tests run from `mvn verify` (ClientJsTest), which starts the service');
}

let counter = 0;
/** An identifier no other test (or earlier run against the same data) uses. */
export function identifier(name) {
  counter += 1;
  return `${name}.${process.pid}.${Date.now().toString(36)}.${counter}@example.com`;
}

/** A fetch that records the path and answer status of every request. */
export function countingFetch() {
  const calls = [];
  const fetchImpl = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const response = await fetch(request);
    calls.push({ path, status: response.status });
    return response;
  };
  return { fetch: fetchImpl, calls, count: (path, status) => calls.filter((c) => c.path === path && (status === undefined || c.status === status)).length };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the next event of that name from an emitter with on() returning an unsubscribe function. */
export function next(emitter, name, predicate = () => true, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = emitter.on(name, (value) => {
      if (predicate(value)) {
        clearTimeout(timer);
        off();
        resolve(value);
      }
    });
  });
}

/** The first recorded state change that matches, or the next one (it may have come already). */
export function stateReached(realtime, states, predicate, timeoutMs = 15_000) {
  const seen = states.find(predicate);
  return seen ? Promise.resolve(seen) : next(realtime, 'state', predicate, timeoutMs);
}

/** Records every state change of a realtime client. */
export function recordStates(realtime) {
  const states = [];
  realtime.on('state', (change) => states.push(change));
  return states;
}

/** A w x h RGB PNG, made here (no image library): stripes, so the service has something to encode. */
export function png(w = 32, h = 24) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const at = y * (w * 3 + 1) + 1 + x * 3;
      raw[at] = (x * 8) & 255;
      raw[at + 1] = (y * 10) & 255;
      raw[at + 2] = 160;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return new Blob([Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ])], { type: 'image/png' });
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

export { once };
