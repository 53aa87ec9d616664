// idempotent-fetch.js against the running reference app (IDEM_APP_URL, e.g. http://127.0.0.1:8080), with Node's
// own fetch. Every test is skipped when IDEM_APP_URL is not set. Run from examples/practice-app:
//   IDEM_APP_URL=http://127.0.0.1:8080 node --test src/test/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  idempotentFetch,
  pendingActions,
  resumePending,
  IdempotentFetchError,
  newKey,
  problemMessage,
} from '../../main/resources/static/idem/idempotent-fetch.js';
import { memoryStorage } from './memory-storage.mjs';

const BASE = process.env.IDEM_APP_URL;
const skip = BASE ? false : 'IDEM_APP_URL not set: the live-app tests need the running reference app';
const at = (path) => new URL(path, BASE).href;

// bob is entitled (carol is not: her POSTs are 403). Practice sessions never collide between tests.
const AUTH = 'Bearer demo-bob';
const START_BODY = '{"questionCount":2}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


function startInit(body = START_BODY) {
  return { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: AUTH }, body };
}

/**
 * A fetch that performs the real request, reads the whole response (so the server has answered and stored it),
 * then loses it: a TypeError as if the connection dropped. Only the first call; later calls are plain fetch.
 */
function droppingFirstResponse() {
  const wrapper = async (url, init) => {
    wrapper.calls += 1;
    const res = await fetch(url, init);
    if (wrapper.calls > 1) {
      return res;
    }
    wrapper.lost = { status: res.status, body: await res.text() };
    throw new TypeError('network');
  };
  wrapper.calls = 0;
  wrapper.lost = null;
  return wrapper;
}

async function expectStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${await problemMessage(res)}`);
}

test('(a) the same action again after its answer is a new action with a new key', { skip }, async () => {
  const storage = memoryStorage();
  const attempts = [];
  const options = { storage, onAttempt: (info) => attempts.push(info) };

  const first = await idempotentFetch(at('/api/practice-sessions'), startInit(), options);
  await expectStatus(first, 201);
  const one = await first.json();
  assert.match(one.sessionId, UUID);
  assert.ok(Array.isArray(one.questionIds) && one.questionIds.length === 2, JSON.stringify(one));
  assert.deepEqual(pendingActions({ storage }), [], 'answered: nothing pending');

  const second = await idempotentFetch(at('/api/practice-sessions'), startInit(), options);
  await expectStatus(second, 201);
  assert.notEqual(second.headers.get('Idempotent-Replayed'), 'true');
  const two = await second.json();
  assert.match(two.sessionId, UUID);
  assert.notEqual(two.sessionId, one.sessionId);

  assert.equal(attempts.length, 2);
  assert.notEqual(attempts[0].key, attempts[1].key);
  assert.deepEqual(pendingActions({ storage }), []);
});

test('(b) after a lost response and a "reload", resumePending resends the same key and gets the replay',
  { skip }, async () => {
    const storage = memoryStorage();
    const action = `start-practice ${newKey()}`;
    const dropping = droppingFirstResponse();

    const failure = await idempotentFetch(at('/api/practice-sessions'), startInit(),
      { storage, action, retries: 0, fetch: dropping }).catch((e) => e);
    assert.ok(failure instanceof IdempotentFetchError, `expected IdempotentFetchError, got ${failure}`);
    assert.equal(failure.attempts, 1);
    assert.equal(dropping.calls, 1);
    assert.equal(dropping.lost.status, 201, dropping.lost.body);

    const pending = pendingActions({ storage });
    assert.equal(pending.length, 1);
    assert.equal(pending[0].action, action);
    assert.equal(pending[0].key, failure.key);
    assert.equal(pending[0].body, START_BODY);
    assert.ok(!Object.keys(pending[0].headers).some((h) => h.toLowerCase() === 'authorization'));
    assert.doesNotMatch(Array.from(storage.map.values()).join('\n'), /demo-bob/);

    // The page reloads: only the storage survives. The credentials come from the page again.
    const replay = await resumePending(action, { storage, headers: { Authorization: AUTH } });
    await expectStatus(replay, 201);
    assert.equal(replay.headers.get('Idempotent-Replayed'), 'true');
    const text = await replay.text();
    assert.equal(text, dropping.lost.body, 'the replay is the response that was lost');
    assert.match(JSON.parse(text).sessionId, UUID);
    assert.deepEqual(pendingActions({ storage }), []);
  });

test('(c) a dropped response is retried with the same key and the replay is returned', { skip }, async () => {
  const storage = memoryStorage();
  const attempts = [];
  const dropping = droppingFirstResponse();

  const res = await idempotentFetch(at('/api/practice-sessions'), startInit(),
    { storage, fetch: dropping, onAttempt: (info) => attempts.push(info) });
  await expectStatus(res, 201);
  assert.equal(res.headers.get('Idempotent-Replayed'), 'true');
  const text = await res.text();
  assert.equal(text, dropping.lost.body);
  assert.match(JSON.parse(text).sessionId, UUID);

  assert.equal(attempts.length, 2);
  assert.equal(attempts[0].status, undefined);
  assert.equal(attempts[0].error, 'network');
  assert.equal(attempts[0].willRetry, true);
  assert.equal(attempts[1].status, 201);
  assert.equal(attempts[1].replayed, true);
  assert.equal(attempts[1].willRetry, false);
  assert.equal(attempts[0].key, attempts[1].key);
  assert.deepEqual(pendingActions({ storage }), []);
});

test('(d) the same key with another body is a 422, returned at once, with a readable message', { skip }, async () => {
  const storage = memoryStorage();
  const key = newKey();

  const first = await idempotentFetch(at('/api/practice-sessions'), startInit('{"questionCount":2}'),
    { storage, key });
  await expectStatus(first, 201);
  await first.text();

  const attempts = [];
  const reused = await idempotentFetch(at('/api/practice-sessions'), startInit('{"questionCount":3}'),
    { storage, key, onAttempt: (info) => attempts.push(info) });
  assert.equal(reused.status, 422);
  assert.equal(attempts.length, 1, 'not retried');
  assert.equal(attempts[0].willRetry, false);
  assert.match(reused.headers.get('Content-Type') || '', /^application\/problem\+json/);

  const message = await problemMessage(reused);
  assert.ok(message.length > 0);
  assert.notEqual(message, 'HTTP 422', 'the problem detail, not just the status');
  assert.doesNotMatch(message, /[{}]/);
  const problem = await reused.json(); // problemMessage read a clone
  assert.match(problem.type, /key-reused$/);
  assert.deepEqual(pendingActions({ storage }), [], 'a 422 is an answer');
});

test('(e) a bodyless toggle: the same key replays the same state, a new click flips it', { skip }, async () => {
  const storage = memoryStorage();
  const toggle = at('/api/bookmarks/29/toggle');
  const init = () => ({ method: 'POST', headers: { Authorization: AUTH } });
  const key = newKey();

  const first = await idempotentFetch(toggle, init(), { storage, key });
  await expectStatus(first, 200);
  const state = (await first.json()).bookmarked;
  assert.equal(typeof state, 'boolean');

  const again = await idempotentFetch(toggle, init(), { storage, key });
  await expectStatus(again, 200);
  assert.equal(again.headers.get('Idempotent-Replayed'), 'true');
  assert.equal((await again.json()).bookmarked, state, 'a retry does not flip it back');

  const flipped = await idempotentFetch(toggle, init(), { storage });
  await expectStatus(flipped, 200);
  assert.notEqual(flipped.headers.get('Idempotent-Replayed'), 'true');
  assert.equal((await flipped.json()).bookmarked, !state);
  assert.deepEqual(pendingActions({ storage }), []);
});

test('(f) the docs example runs as written, from a page at the app\'s origin', { skip }, async () => {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => realFetch(new URL(url, BASE), init); // a page resolves '/api/…' itself
  const logged = [];
  const shown = [];
  const log = (...entry) => logged.push(entry);
  const show = (message) => shown.push(message);
  try {
    // docs:client-js
    const response = await idempotentFetch('/api/practice-sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer demo-bob' },
      body: JSON.stringify({ questionCount: 2 }),
    }, {
      action: 'start-practice', // names the user action: its key lives until it has an answer
      onAttempt: ({ attempt, status, error, replayed }) => log(attempt, status ?? error, replayed),
    });
    if (!response.ok) {
      show(await problemMessage(response)); // the problem's detail as a sentence, never raw JSON
    }
    // docs:end
    await expectStatus(response, 201);
    assert.deepEqual(logged, [[1, 201, false]]);
    assert.deepEqual(shown, []);
  } finally {
    globalThis.fetch = realFetch;
  }
});
