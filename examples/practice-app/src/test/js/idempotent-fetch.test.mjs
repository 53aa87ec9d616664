// Unit tests of idempotent-fetch.js against a stub fetch and an in-memory storage. Run: node --test src/test/js/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  idempotentFetch,
  pendingActions,
  discardPending,
  resumePending,
  IdempotentFetchError,
  UnrepeatableBodyError,
  RETRYABLE_STATUSES,
  newKey,
  problemMessage,
} from '../../main/resources/static/idem/idempotent-fetch.js';
import { memoryStorage } from './memory-storage.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const URL_X = 'https://app.test/api/x';
const BODY = '{"questionCount":2}';


/**
 * A stub fetch answering from `replies` in turn (the last one repeats). A reply is a status number, a Response,
 * an Error (rejected), or a function (url, init, n) returning any of these or a promise.
 */
function stubFetch(...replies) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init });
    const n = calls.length;
    let reply = replies[Math.min(n, replies.length) - 1];
    if (typeof reply === 'function') {
      reply = await reply(url, init, n);
    }
    if (reply instanceof Error) {
      throw reply;
    }
    if (typeof reply === 'number') {
      return new Response(reply === 204 ? null : `{"n":${n}}`, {
        status: reply, headers: { 'Content-Type': 'application/json' },
      });
    }
    return reply;
  };
  fn.calls = calls;
  fn.keys = () => calls.map((c) => c.init.headers['Idempotency-Key']);
  return fn;
}

function problem(status, name, headers = {}) {
  return new Response(JSON.stringify({
    type: `https://idem.dev/problems/${name}`, title: name, status, detail: `${name} happened`,
  }), { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });
}

/** Fast options: a recording sleep that does not wait, tiny backoff, fixed jitter, a fresh storage. */
function fast(extra = {}) {
  const sleeps = [];
  const seen = [];
  const storage = extra.storage || memoryStorage();
  return {
    sleeps,
    seen,
    storage,
    options: {
      storage,
      baseDelayMs: 1,
      maxDelayMs: 4,
      random: () => 0.5,
      sleep: async (ms) => { sleeps.push(ms); },
      onAttempt: (info) => seen.push(info),
      ...extra,
    },
  };
}

const post = (body = BODY, headers = { 'Content-Type': 'application/json' }) => ({ method: 'POST', headers, body });

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('methods', () => {
  for (const method of [undefined, 'GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
    test(`${method ?? 'no method (GET)'} passes through: one call, no key, the response unchanged`, async () => {
      const answer = new Response('x', { status: 503 });
      const fetch = stubFetch(answer);
      const init = method ? { method } : {};
      const { storage, options } = fast({ fetch });
      const res = await idempotentFetch(URL_X, init, options);
      assert.equal(res, answer);
      assert.equal(fetch.calls.length, 1);
      assert.equal(fetch.calls[0].init, init);
      assert.equal(fetch.calls[0].url, URL_X);
      assert.equal(storage.length, 0);
    });
  }

  test('a lowercase patch is protected and sent as PATCH', async () => {
    const fetch = stubFetch(503, 200);
    const { options } = fast({ fetch });
    const res = await idempotentFetch(URL_X, { method: 'patch', body: 'x' }, options);
    assert.equal(res.status, 200);
    assert.equal(fetch.calls.length, 2);
    assert.equal(fetch.calls[0].init.method, 'PATCH');
    assert.match(fetch.keys()[0], /^"[^"]+"$/);
  });
});

describe('keys', () => {
  test('the key is a quoted UUID and the same on every attempt', async () => {
    const fetch = stubFetch(503, 502, 201);
    const { seen, options } = fast({ fetch });
    const res = await idempotentFetch(URL_X, post(), options);
    assert.equal(res.status, 201);
    const keys = fetch.keys();
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 1);
    assert.match(keys[0], /^"[^"]+"$/);
    const key = keys[0].slice(1, -1);
    assert.match(key, UUID);
    assert.deepEqual(seen.map((s) => s.key), [key, key, key]);
    assert.deepEqual(seen.map((s) => s.attempt), [1, 2, 3]);
    assert.deepEqual(seen.map((s) => s.status), [503, 502, 201]);
    assert.deepEqual(seen.map((s) => s.willRetry), [true, true, false]);
    assert.equal(seen[2].delayMs, 0);
    assert.equal(fetch.calls[0].init.body, BODY);
    assert.equal(fetch.calls[0].init.headers['Content-Type'], 'application/json');
  });

  test('options.key is used', async () => {
    const fetch = stubFetch(201);
    const { options } = fast({ fetch, key: 'my-key-1' });
    await idempotentFetch(URL_X, post(), options);
    assert.deepEqual(fetch.keys(), ['"my-key-1"']);
  });

  test('an Idempotency-Key header in init is used, unquoted and requoted, whatever its case and form', async () => {
    for (const headers of [
      { 'idempotency-key': '"from-header"' },
      { 'Idempotency-Key': 'from-header' },
      new Headers({ 'IDEMPOTENCY-KEY': ' "from-header" ' }),
      [['Idempotency-Key', '"from-header"']],
    ]) {
      const fetch = stubFetch(201);
      const { options } = fast({ fetch });
      await idempotentFetch(URL_X, { method: 'POST', headers, body: 'b' }, options);
      const sent = fetch.calls[0].init.headers;
      assert.deepEqual(Object.keys(sent).filter((n) => n.toLowerCase() === 'idempotency-key'), ['Idempotency-Key']);
      assert.equal(sent['Idempotency-Key'], '"from-header"');
    }
  });

  test('options.key wins over the header', async () => {
    const fetch = stubFetch(201);
    const { options } = fast({ fetch, key: 'option-key' });
    await idempotentFetch(URL_X, { method: 'POST', headers: { 'Idempotency-Key': '"header-key"' }, body: 'b' }, options);
    assert.deepEqual(fetch.keys(), ['"option-key"']);
  });

  for (const [why, bad] of [
    ['empty', ''], ['65 characters', 'k'.repeat(65)], ['a quote', 'a"b'], ['a backslash', 'a\\b'],
    ['non-ASCII', 'clé'], ['a control character', 'a\nb'], ['not a string', 42],
  ]) {
    test(`a key with ${why} is rejected before any request`, async () => {
      const fetch = stubFetch(201);
      const { storage, options } = fast({ fetch, key: bad });
      await assert.rejects(idempotentFetch(URL_X, post(), options), (e) => e instanceof TypeError
        && /idempotentFetch: options\.key/.test(e.message));
      assert.equal(fetch.calls.length, 0);
      assert.equal(storage.length, 0);
    });
  }

  test('an invalid key in the header is rejected too', async () => {
    const fetch = stubFetch(201);
    const { options } = fast({ fetch });
    await assert.rejects(idempotentFetch(URL_X, { method: 'POST', headers: { 'Idempotency-Key': '"' + 'x'.repeat(70) + '"' } },
      options), (e) => e instanceof TypeError && /Idempotency-Key header/.test(e.message));
    assert.equal(fetch.calls.length, 0);
  });

  test('64 printable characters are a valid key', async () => {
    const key = ' !#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`'.padEnd(64, '~');
    assert.equal(key.length, 64);
    const fetch = stubFetch(201);
    const { options } = fast({ fetch, key });
    await idempotentFetch(URL_X, post(), options);
    assert.deepEqual(fetch.keys(), [`"${key}"`]);
  });

  test('newKey is a random version-4 UUID', () => {
    const a = newKey();
    assert.match(a, UUID);
    assert.notEqual(a, newKey());
  });
});

describe('retries', () => {
  for (const status of RETRYABLE_STATUSES) {
    test(`${status} is retried, then the success is returned`, async () => {
      const fetch = stubFetch(status, 201);
      const { storage, sleeps, options } = fast({ fetch });
      const res = await idempotentFetch(URL_X, post(), options);
      assert.equal(res.status, 201);
      assert.equal(fetch.calls.length, 2);
      assert.equal(sleeps.length, 1);
      assert.equal(storage.length, 0, 'answered: the pending entry is removed');
    });
  }

  test('RETRYABLE_STATUSES', () => {
    assert.deepEqual([...RETRYABLE_STATUSES], [408, 425, 429, 500, 502, 503, 504]);
  });

  test('409 request-in-progress is retried (after its Retry-After)', async () => {
    const fetch = stubFetch(problem(409, 'request-in-progress', { 'Retry-After': '1' }), 201);
    const { sleeps, options } = fast({ fetch });
    const res = await idempotentFetch(URL_X, post(), options);
    assert.equal(res.status, 201);
    assert.equal(fetch.calls.length, 2);
    assert.deepEqual(sleeps, [1000]);
  });

  const finals = [
    ['400 key-invalid', () => problem(400, 'key-invalid')],
    ['401', () => problem(401, 'unauthenticated')],
    ['403', () => new Response('no', { status: 403 })],
    ['404', () => new Response('', { status: 404 })],
    ['413', () => problem(413, 'request-too-large')],
    ['422 key-reused', () => problem(422, 'key-reused')],
    ['409 key-reused', () => problem(409, 'key-reused')],
    ['409 response-not-stored', () => problem(409, 'response-not-stored')],
    ['409 without a body', () => new Response(null, { status: 409 })],
    ['405', () => new Response('', { status: 405 })],
    ['501', () => new Response('', { status: 501 })],
    ['200', () => new Response('{}', { status: 200 })],
    ['201', () => new Response('{}', { status: 201 })],
    ['204', () => new Response(null, { status: 204 })],
    ['302', () => new Response(null, { status: 302, headers: { Location: '/x' } })],
  ];
  for (const [name, make] of finals) {
    test(`${name} is returned as is after 1 attempt and answers the action`, async () => {
      const answer = make();
      const fetch = stubFetch(answer, 201);
      const { storage, seen, sleeps, options } = fast({ fetch });
      const res = await idempotentFetch(URL_X, post(), options);
      assert.equal(res, answer);
      assert.equal(fetch.calls.length, 1);
      assert.equal(sleeps.length, 0);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].willRetry, false);
      assert.equal(storage.length, 0);
      if (res.body) {
        await res.text(); // still readable: the 409 check read a clone
      }
    });
  }

  test('a replayed response is reported to onAttempt', async () => {
    const fetch = stubFetch(new Response('{}', { status: 201, headers: { 'Idempotent-Replayed': 'true' } }));
    const { seen, options } = fast({ fetch });
    await idempotentFetch(URL_X, post(), options);
    assert.equal(seen[0].replayed, true);
    assert.equal(seen[0].status, 201);
    assert.equal(seen[0].error, undefined);
  });

  test('at most retries + 1 attempts; the last retryable response is returned and the entry kept', async () => {
    const fetch = stubFetch(503);
    const { storage, seen, options } = fast({ fetch, retries: 4 });
    const res = await idempotentFetch(URL_X, post(), options);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), '{"n":5}');
    assert.equal(fetch.calls.length, 5);
    assert.deepEqual(seen.map((s) => s.willRetry), [true, true, true, true, false]);
    assert.equal(pendingActions({ storage }).length, 1);
  });

  test('retries: 0 makes a single attempt', async () => {
    const fetch = stubFetch(503);
    const { options } = fast({ fetch, retries: 0 });
    assert.equal((await idempotentFetch(URL_X, post(), options)).status, 503);
    assert.equal(fetch.calls.length, 1);
  });

  test('Retry-After in seconds is honoured', async () => {
    const fetch = stubFetch(new Response('', { status: 503, headers: { 'Retry-After': '3' } }), 201);
    const { sleeps, seen, options } = fast({ fetch });
    await idempotentFetch(URL_X, post(), options);
    assert.deepEqual(sleeps, [3000]);
    assert.equal(seen[0].delayMs, 3000);
  });

  test('Retry-After as an HTTP date is honoured', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    const fetch = stubFetch(new Response('', { status: 429, headers: { 'Retry-After': at } }), 201);
    const { sleeps, options } = fast({ fetch });
    await idempotentFetch(URL_X, post(), options);
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0] > 3000 && sleeps[0] <= 5000, `slept ${sleeps[0]} ms for ${at}`);
  });

  test('a Retry-After date in the past means no wait; an unreadable one means backoff', async () => {
    const fetch = stubFetch(
      new Response('', { status: 503, headers: { 'Retry-After': 'Thu, 01 Jan 1970 00:00:00 GMT' } }),
      new Response('', { status: 503, headers: { 'Retry-After': 'soon' } }),
      201);
    const { sleeps, options } = fast({ fetch, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    await idempotentFetch(URL_X, post(), options);
    assert.deepEqual(sleeps, [0, 100]);
  });

  test('backoff grows exponentially with equal jitter and stays within maxDelayMs', async () => {
    for (const [r, expected] of [[0, [50, 100, 175, 175, 175]], [0.5, [75, 150, 263, 263, 263]],
      [0.999999, [100, 200, 350, 350, 350]]]) {
      const fetch = stubFetch(503);
      const { sleeps, options } = fast({
        fetch, retries: 5, baseDelayMs: 100, maxDelayMs: 350, random: () => r, deadlineMs: 60000,
      });
      await idempotentFetch(URL_X, post(), options);
      assert.deepEqual(sleeps, expected, `random ${r}`);
    }
    const fetch = stubFetch(503);
    const { sleeps, options } = fast({ fetch, retries: 8, baseDelayMs: 200, maxDelayMs: 2000, random: Math.random });
    await idempotentFetch(URL_X, post(), { ...options, deadlineMs: 600000 });
    sleeps.forEach((ms, i) => {
      const ceiling = Math.min(2000, 200 * 2 ** i);
      assert.ok(ms >= ceiling / 2 && ms <= ceiling, `wait ${i + 1}: ${ms} in [${ceiling / 2}, ${ceiling}]`);
    });
  });

  test('a wait that would end after the deadline is not made: the last response is returned', async () => {
    const fetch = stubFetch(new Response('', { status: 503, headers: { 'Retry-After': '30' } }), 201);
    const { sleeps, seen, storage, options } = fast({ fetch, deadlineMs: 10000 });
    const res = await idempotentFetch(URL_X, post(), options);
    assert.equal(res.status, 503);
    assert.equal(fetch.calls.length, 1);
    assert.deepEqual(sleeps, []);
    assert.equal(seen[0].willRetry, false);
    assert.equal(seen[0].delayMs, 0);
    assert.equal(pendingActions({ storage }).length, 1, 'no answer yet: the entry stays');
  });

  test('the deadline counts from the first attempt (a fake clock)', async () => {
    const realNow = Date.now;
    let clock = 1_000_000;
    Date.now = () => clock;
    try {
      const fetch = stubFetch(503);
      const { sleeps, options } = fast({
        fetch, retries: 10, deadlineMs: 1000, baseDelayMs: 300, maxDelayMs: 5000, random: () => 0,
        sleep: async (ms) => { sleeps.push(ms); clock += ms; },
      });
      const res = await idempotentFetch(URL_X, post(), options);
      assert.equal(res.status, 503);
      assert.deepEqual(sleeps, [150, 300], 'then 450 + 600 > 1000');
      assert.equal(fetch.calls.length, 3);
    } finally {
      Date.now = realNow;
    }
  });

  test('network errors are retried with the same key', async () => {
    const fetch = stubFetch(new TypeError('fetch failed'), new TypeError('fetch failed'), 201);
    const { seen, options } = fast({ fetch });
    const res = await idempotentFetch(URL_X, post(), options);
    assert.equal(res.status, 201);
    assert.equal(new Set(fetch.keys()).size, 1);
    assert.equal(seen[0].error, 'fetch failed');
    assert.equal(seen[0].status, undefined);
    assert.equal(seen[0].replayed, false);
    assert.ok(seen[0].delayMs > 0);
  });

  test('after exhaustion with no response: IdempotentFetchError with key, attempts, action and cause', async () => {
    const cause = new TypeError('fetch failed');
    const fetch = stubFetch(cause);
    const { storage, options } = fast({ fetch, action: 'start' });
    const err = await idempotentFetch(URL_X, post(), options).catch((e) => e);
    assert.ok(err instanceof IdempotentFetchError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'IdempotentFetchError');
    assert.equal(err.attempts, 3);
    assert.equal(err.action, 'start');
    assert.equal(err.cause, cause);
    assert.equal(`"${err.key}"`, fetch.keys()[0]);
    assert.equal(err.message, `POST ${URL_X} failed after 3 attempts (key ${err.key}): fetch failed`);
    assert.equal(pendingActions({ storage })[0].key, err.key);
  });

  test('an error that is not a network error is rethrown at once', async () => {
    const boom = new RangeError('boom');
    const fetch = stubFetch(boom);
    const { storage, options } = fast({ fetch });
    await assert.rejects(idempotentFetch(URL_X, post(), options), (e) => e === boom);
    assert.equal(fetch.calls.length, 1);
    assert.equal(pendingActions({ storage }).length, 1, 'outcome unknown: the entry stays');
  });

  test('a throwing (or rejecting) onAttempt does not break the call', async () => {
    for (const onAttempt of [() => { throw new Error('listener'); }, async () => { throw new Error('async'); }]) {
      const fetch = stubFetch(503, 201);
      const { options } = fast({ fetch, onAttempt });
      assert.equal((await idempotentFetch(URL_X, post(), options)).status, 201);
    }
  });
});

describe('timeouts and aborts', () => {
  /** A fetch that never answers unless its signal aborts; `answerFrom` attempts answer 201. */
  function hangingFetch(answerFrom = Infinity) {
    return stubFetch((url, init, n) => (n >= answerFrom ? 201 : new Promise((resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true });
    })));
  }

  test('a per-attempt timeout is retried with the same key', async () => {
    const fetch = hangingFetch(2);
    const { seen, options } = fast({ fetch, timeoutMs: 20 });
    const res = await idempotentFetch(URL_X, post(), options);
    assert.equal(res.status, 201);
    assert.equal(fetch.calls.length, 2);
    assert.equal(new Set(fetch.keys()).size, 1);
    assert.match(seen[0].error, /timed out after 20 ms/);
    assert.equal(seen[0].willRetry, true);
  });

  test('timeouts on every attempt end in IdempotentFetchError', async () => {
    const fetch = hangingFetch();
    const { storage, options } = fast({ fetch, timeoutMs: 10, retries: 1 });
    const err = await idempotentFetch(URL_X, post(), options).catch((e) => e);
    assert.ok(err instanceof IdempotentFetchError, String(err));
    assert.equal(err.attempts, 2);
    assert.match(err.message, /failed after 2 attempts .*timed out after 10 ms/);
    assert.equal(pendingActions({ storage }).length, 1);
  });

  test("the caller's abort is not retried: its AbortError is thrown and the entry kept", async () => {
    const fetch = hangingFetch();
    const { storage, seen, options } = fast({ fetch, timeoutMs: 5000 });
    const controller = new AbortController();
    const call = idempotentFetch(URL_X, { ...post(), signal: controller.signal }, options);
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(call, (e) => e.name === 'AbortError');
    assert.equal(fetch.calls.length, 1);
    assert.equal(seen.length, 0);
    assert.equal(pendingActions({ storage }).length, 1);
  });

  test('an already aborted signal sends nothing', async () => {
    const fetch = stubFetch(201);
    const { options } = fast({ fetch });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(idempotentFetch(URL_X, { ...post(), signal: controller.signal }, options),
      (e) => e.name === 'AbortError');
    assert.equal(fetch.calls.length, 0);
  });

  test("the caller's abort during the wait between attempts stops the retries", async () => {
    const fetch = stubFetch(503, 201);
    const controller = new AbortController();
    const { options } = fast({
      fetch, sleep: (ms) => { controller.abort(); return new Promise((r) => setTimeout(r, 50)); },
    });
    await assert.rejects(idempotentFetch(URL_X, { ...post(), signal: controller.signal }, options),
      (e) => e.name === 'AbortError');
    assert.equal(fetch.calls.length, 1);
  });
});

describe('bodies and headers', () => {
  const unrepeatable = [
    ['a ReadableStream', () => new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); c.close(); } })],
    ['a Blob', () => new Blob(['x'])],
    ['FormData', () => { const f = new FormData(); f.append('a', 'b'); return f; }],
    ['an ArrayBuffer', () => new ArrayBuffer(4)],
    ['a Uint8Array', () => new Uint8Array(4)],
    ['a plain object', () => ({ questionCount: 2 })],
    ['a number', () => 42],
  ];
  for (const [name, make] of unrepeatable) {
    test(`${name} body is rejected before any request`, async () => {
      const fetch = stubFetch(201);
      const { storage, options } = fast({ fetch });
      await assert.rejects(idempotentFetch(URL_X, { method: 'POST', body: make() }, options), (e) => {
        assert.ok(e instanceof UnrepeatableBodyError);
        assert.ok(e instanceof TypeError);
        assert.equal(e.name, 'UnrepeatableBodyError');
        assert.match(e.message, /must be a string \(e\.g\. JSON\.stringify/);
        assert.match(e.message, /same Idempotency-Key/);
        return true;
      });
      assert.equal(fetch.calls.length, 0);
      assert.equal(storage.length, 0);
    });
  }

  test('a Request object as the URL of a POST is rejected', async () => {
    const fetch = stubFetch(201);
    const { options } = fast({ fetch });
    await assert.rejects(idempotentFetch(new Request(URL_X, { method: 'POST', body: 'x' }), {}, options),
      UnrepeatableBodyError);
    assert.equal(fetch.calls.length, 0);
  });

  test('URLSearchParams is sent as a string with the form Content-Type, unless one is set', async () => {
    const fetch = stubFetch(201, 201);
    const { options } = fast({ fetch });
    await idempotentFetch(URL_X, { method: 'POST', body: new URLSearchParams({ a: '1', b: 'x y' }) }, options);
    assert.equal(fetch.calls[0].init.body, 'a=1&b=x+y');
    assert.equal(fetch.calls[0].init.headers['Content-Type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    await idempotentFetch(URL_X, {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: new URLSearchParams({ a: '2' }),
    }, options);
    assert.equal(fetch.calls[1].init.headers['content-type'], 'text/plain');
    assert.equal(fetch.calls[1].init.headers['Content-Type'], undefined);
  });

  test('no body: none is sent, the default action is METHOD url', async () => {
    const fetch = stubFetch(503);
    const { storage, options } = fast({ fetch, retries: 0 });
    await idempotentFetch(URL_X, { method: 'POST', body: null }, options);
    assert.equal('body' in fetch.calls[0].init, false);
    const [pending] = pendingActions({ storage });
    assert.equal(pending.action, `POST ${URL_X}`);
    assert.equal(pending.body, null);
  });

  test('the default action is METHOD url body', async () => {
    const fetch = stubFetch(503);
    const { storage, options } = fast({ fetch, retries: 0 });
    await idempotentFetch(URL_X, post(), options);
    assert.equal(pendingActions({ storage })[0].action, `POST ${URL_X} ${BODY}`);
    assert.ok(storage.getItem(`idem:pending:POST ${URL_X} ${BODY}`));
  });

  test('Headers, pairs and objects are all sent, with other init fields kept', async () => {
    for (const headers of [new Headers({ 'X-A': '1' }), [['X-A', '1']], { 'X-A': '1' }]) {
      const fetch = stubFetch(201);
      const { options } = fast({ fetch });
      await idempotentFetch(URL_X, { method: 'POST', headers, body: 'b', credentials: 'include' }, options);
      const sent = fetch.calls[0].init;
      assert.equal(sent.credentials, 'include');
      assert.equal(new Headers(sent.headers).get('x-a'), '1');
      assert.ok(sent.signal instanceof AbortSignal);
    }
  });

  test('Authorization, Cookie and the key are never stored; other headers are', async () => {
    const fetch = stubFetch(503);
    const { storage, options } = fast({ fetch, retries: 0 });
    await idempotentFetch(URL_X, {
      method: 'POST',
      headers: new Headers({
        Authorization: 'Bearer secret-token', Cookie: 'sid=secret-cookie', 'Content-Type': 'application/json',
        'Idempotency-Key': '"k-1"',
      }),
      body: BODY,
    }, options);
    assert.equal(fetch.calls[0].init.headers.authorization, 'Bearer secret-token', 'sent, of course');
    const raw = Array.from(storage.map.values()).join('\n');
    assert.doesNotMatch(raw, /secret-token|secret-cookie|authorization|cookie/i);
    const [pending] = pendingActions({ storage });
    assert.deepEqual(pending.headers, { 'content-type': 'application/json' });
    assert.equal(pending.key, 'k-1');
    const stored = JSON.parse(raw);
    assert.deepEqual(Object.keys(stored).sort(),
      ['action', 'body', 'fingerprint', 'headers', 'key', 'method', 'startedAt', 'url']);
  });
});

describe('pending actions', () => {
  test('kept after network exhaustion, then reused by a later call, removed on its answer', async () => {
    const fetch = stubFetch(new TypeError('fetch failed'), new TypeError('fetch failed'),
      new TypeError('fetch failed'), 201);
    const { storage, options } = fast({ fetch });
    const err = await idempotentFetch(URL_X, post(), options).catch((e) => e);
    assert.ok(err instanceof IdempotentFetchError);
    const pending = pendingActions({ storage });
    assert.equal(pending.length, 1);
    assert.equal(pending[0].key, err.key);
    assert.equal(pending[0].url, URL_X);
    assert.equal(pending[0].method, 'POST');
    assert.equal(pending[0].body, BODY);
    assert.equal(typeof pending[0].startedAt, 'number');
    assert.equal(pending[0].fingerprint, undefined);

    const res = await idempotentFetch(URL_X, post(), options); // the second click, or after a reload
    assert.equal(res.status, 201);
    assert.deepEqual(fetch.keys(), Array(4).fill(`"${err.key}"`));
    assert.deepEqual(pendingActions({ storage }), []);

    await idempotentFetch(URL_X, post(), options); // a new click after the answer: a new action, a new key
    assert.notEqual(fetch.keys()[4], `"${err.key}"`);
  });

  test('kept after a retryable final status; the next call resends the same key', async () => {
    const fetch = stubFetch(503, 503, 503, 201);
    const { storage, options } = fast({ fetch, action: 'pay' });
    assert.equal((await idempotentFetch(URL_X, post(), options)).status, 503);
    assert.equal(pendingActions({ storage }).length, 1);
    assert.equal((await idempotentFetch(URL_X, post(), options)).status, 201);
    assert.equal(new Set(fetch.keys()).size, 1);
    assert.equal(pendingActions({ storage }).length, 0);
  });

  test('an entry left by a reload (another module instance) is reused', async () => {
    const storage = memoryStorage();
    storage.setItem('idem:pending:start', JSON.stringify({
      action: 'start', key: 'from-before-the-reload', url: URL_X, method: 'POST', body: BODY,
      headers: { 'Content-Type': 'application/json' }, fingerprint: `POST\n${URL_X}\n${BODY}`, startedAt: 5,
    }));
    const fetch = stubFetch(201);
    const { options } = fast({ fetch, storage, action: 'start' });
    await idempotentFetch(URL_X, post(), options);
    assert.deepEqual(fetch.keys(), ['"from-before-the-reload"']);
  });

  test('the same action with another request gets a new key that replaces the entry', async () => {
    const fetch = stubFetch(503);
    const { storage, options } = fast({ fetch, action: 'start', retries: 0 });
    await idempotentFetch(URL_X, post('{"questionCount":2}'), options);
    const first = pendingActions({ storage })[0];
    await idempotentFetch(URL_X, post('{"questionCount":3}'), options);
    const second = pendingActions({ storage });
    assert.equal(second.length, 1);
    assert.notEqual(second[0].key, first.key);
    assert.equal(second[0].body, '{"questionCount":3}');
  });

  test('resumePending resends the stored request with the stored key and the given credentials', async () => {
    const fetch = stubFetch(new TypeError('fetch failed'), 201);
    const { storage, options } = fast({ fetch, retries: 0, action: 'start' });
    await assert.rejects(idempotentFetch(URL_X, post(BODY, {
      'Content-Type': 'application/json', Authorization: 'Bearer demo-alice',
    }), options), IdempotentFetchError);
    const [pending] = pendingActions({ storage });

    const res = await resumePending('start', { ...options, headers: { Authorization: 'Bearer demo-bob' } });
    assert.equal(res.status, 201);
    const sent = fetch.calls[1];
    assert.equal(sent.url, URL_X);
    assert.equal(sent.init.method, 'POST');
    assert.equal(sent.init.body, BODY);
    assert.equal(sent.init.headers['Idempotency-Key'], `"${pending.key}"`);
    assert.equal(sent.init.headers.Authorization, 'Bearer demo-bob');
    assert.equal(sent.init.headers['Content-Type'], 'application/json');
    assert.deepEqual(pendingActions({ storage }), []);
    await assert.rejects(resumePending('start', options), /no pending action named "start"/);
  });

  test('resumePending throws when nothing is pending under that name', async () => {
    const fetch = stubFetch(201);
    await assert.rejects(resumePending('nothing', { storage: memoryStorage(), fetch }),
      (e) => e instanceof Error && /no pending action named "nothing"/.test(e.message));
    assert.equal(fetch.calls.length, 0);
  });

  test('pendingActions lists oldest first and ignores foreign or broken entries', async () => {
    const storage = memoryStorage();
    storage.setItem('other', 'x');
    storage.setItem('idem:pending:broken', '{not json');
    storage.setItem('idem:pending:bad-key', JSON.stringify({ action: 'bad-key', key: 'a"b', url: 'u', method: 'POST',
      fingerprint: 'f' }));
    for (const [action, startedAt] of [['b', 20], ['a', 10]]) {
      storage.setItem(`idem:pending:${action}`, JSON.stringify({ action, key: `k-${action}`, url: 'u',
        method: 'POST', body: null, headers: {}, fingerprint: 'f', startedAt }));
    }
    assert.deepEqual(pendingActions({ storage }).map((p) => p.action), ['a', 'b']);
  });

  test('a Map works as storage', async () => {
    const storage = new Map();
    const fetch = stubFetch(new TypeError('fetch failed'), 201);
    const { options } = fast({ fetch, storage, retries: 0, action: 'm' });
    await assert.rejects(idempotentFetch(URL_X, post(), options), IdempotentFetchError);
    assert.equal(storage.size, 1);
    assert.equal(pendingActions({ storage })[0].action, 'm');
    await resumePending('m', options);
    assert.equal(storage.size, 0);
    assert.equal(new Set(fetch.keys()).size, 1);
  });

  test('a storage that throws falls back to memory', async () => {
    const broken = {
      getItem() { throw new Error('SecurityError'); },
      setItem() { throw new Error('QuotaExceededError'); },
      removeItem() { throw new Error('SecurityError'); },
      key() { throw new Error('SecurityError'); },
      get length() { throw new Error('SecurityError'); },
    };
    const fetch = stubFetch(503, 201);
    const { options } = fast({ fetch, storage: broken, retries: 0, action: 'b' });
    assert.equal((await idempotentFetch(URL_X, post(), options)).status, 503);
    assert.equal(pendingActions({ storage: broken }).length, 1);
    assert.equal((await idempotentFetch(URL_X, post(), options)).status, 201);
    assert.equal(new Set(fetch.keys()).size, 1);
    assert.equal(pendingActions({ storage: broken }).length, 0);
  });

  test('without a storage (Node has no sessionStorage) a memory store is used', async () => {
    assert.equal(globalThis.sessionStorage, undefined);
    const fetch = stubFetch(503, 201);
    const action = `memory-${newKey()}`;
    const options = { fetch, action, retries: 0, sleep: async () => {} };
    await idempotentFetch(URL_X, post(), options);
    assert.ok(pendingActions().some((p) => p.action === action));
    await resumePending(action, { fetch, sleep: async () => {} });
    assert.ok(!pendingActions().some((p) => p.action === action));
    assert.equal(new Set(fetch.keys()).size, 1);
  });
});

describe('double click', () => {
  test('a second call while the first is in flight shares its request, and both can read the body', async () => {
    const gate = deferred();
    const fetch = stubFetch(() => gate.promise);
    const { storage, options } = fast({ fetch });
    const first = idempotentFetch(URL_X, post(), options);
    const second = idempotentFetch(URL_X, post(), options);
    assert.equal(fetch.calls.length, 1);
    gate.resolve(new Response('{"sessionId":"s-1"}', { status: 201, headers: { 'Content-Type': 'application/json' } }));
    const [a, b] = await Promise.all([first, second]);
    assert.equal(fetch.calls.length, 1);
    assert.equal(await a.text(), '{"sessionId":"s-1"}');
    assert.equal(await b.text(), '{"sessionId":"s-1"}');
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(storage.length, 0);
    const third = await idempotentFetch(URL_X, post(), { ...options, fetch: stubFetch(201) });
    assert.equal(third.status, 201, 'after the answer a click is a new request');
  });

  test('the shared call fails for both callers alike', async () => {
    const fetch = stubFetch(new TypeError('fetch failed'));
    const { options } = fast({ fetch, retries: 1 });
    const calls = [idempotentFetch(URL_X, post(), options), idempotentFetch(URL_X, post(), options)];
    const errors = await Promise.all(calls.map((c) => c.catch((e) => e)));
    assert.ok(errors.every((e) => e instanceof IdempotentFetchError));
    assert.equal(errors[0], errors[1]);
    assert.equal(fetch.calls.length, 2, 'two attempts of one call');
  });

  test('another body for the same action is not shared: it is another request', async () => {
    const gate = deferred();
    const fetch = stubFetch(() => gate.promise, 201);
    const { storage, options } = fast({ fetch, action: 'start' });
    const first = idempotentFetch(URL_X, post('{"a":1}'), options);
    const second = await idempotentFetch(URL_X, post('{"a":2}'), options);
    assert.equal(second.status, 201);
    assert.equal(fetch.calls.length, 2);
    assert.notEqual(fetch.keys()[0], fetch.keys()[1]);
    gate.resolve(new Response('', { status: 201 }));
    await first;
    assert.equal(storage.length, 0);
  });
});

describe('problemMessage', () => {
  test('the detail as a sentence', async () => {
    const res = new Response(JSON.stringify({
      type: 'https://idem.dev/problems/key-reused', title: 'Idempotency key reused', status: 422,
      detail: "idempotency key 'k' was already used for action 'POST /api/x' with a different request",
    }), { status: 422, headers: { 'Content-Type': 'application/problem+json' } });
    assert.equal(await problemMessage(res),
      "Idempotency key 'k' was already used for action 'POST /api/x' with a different request.");
    assert.equal(res.bodyUsed, false, 'read from a clone');
    assert.match(await res.text(), /key-reused/);
  });

  test('the title when there is no detail; punctuation kept', async () => {
    const res = new Response('{"title":"Too many requests!","status":429}',
      { status: 429, headers: { 'Content-Type': 'application/problem+json' } });
    assert.equal(await problemMessage(res), 'Too many requests!');
  });

  test('HTTP <status> otherwise, and never a throw', async () => {
    assert.equal(await problemMessage(new Response('<html>', { status: 502, headers: { 'Content-Type': 'text/html' } })),
      'HTTP 502');
    assert.equal(await problemMessage(new Response('{broken', { status: 500,
      headers: { 'Content-Type': 'application/problem+json' } })), 'HTTP 500');
    assert.equal(await problemMessage(new Response('{"detail":""}', { status: 400,
      headers: { 'Content-Type': 'application/json' } })), 'HTTP 400');
    assert.equal(await problemMessage(new Response(null, { status: 404 })), 'HTTP 404');
    const used = new Response('{"detail":"x"}', { status: 400, headers: { 'Content-Type': 'application/json' } });
    await used.text();
    assert.equal(await problemMessage(used), 'HTTP 400');
    assert.equal(await problemMessage({ status: 418 }), 'HTTP 418');
    assert.equal(await problemMessage(undefined), 'No response');
  });
});

test('discardPending forgets a pending action so the next call starts with a new key', async () => {
  const storage = memoryStorage();
  const failing = async () => { throw new TypeError('network'); };
  const options = { storage, action: 'a', retries: 0, fetch: failing };
  const first = await idempotentFetch('https://app.test/api/x', { method: 'POST', body: '{}' }, options)
    .catch((e) => e);
  assert.ok(first instanceof IdempotentFetchError);
  assert.equal(pendingActions({ storage }).length, 1);

  assert.equal(discardPending('a', { storage }), true);
  assert.deepEqual(pendingActions({ storage }), []);
  assert.equal(discardPending('a', { storage }), false);

  const second = await idempotentFetch('https://app.test/api/x', { method: 'POST', body: '{}' }, options)
    .catch((e) => e);
  assert.notEqual(second.key, first.key);
});
