/**
 * idempotent-fetch.js: one Idempotency-Key per user action, reused on every retry.
 *
 * A dependency-free ES module (ES2020) for browsers and Node 20. `idempotentFetch` wraps `fetch` for POST and
 * PATCH: it gives the action a key (sent as the structured-field string `Idempotency-Key: "<key>"`), retries
 * network errors, per-attempt timeouts and retryable statuses with that same key, and keeps the request in
 * sessionStorage until the action has an answer, so a second click or a page reload resends the same key and
 * the server replays the first response instead of running the action twice.
 *
 * @example
 *   import { idempotentFetch, problemMessage } from '/idem/idempotent-fetch.js';
 *   const res = await idempotentFetch('/api/practice-sessions', {
 *     method: 'POST',
 *     headers: { 'Content-Type': 'application/json', Authorization: 'Bearer demo-alice' },
 *     body: JSON.stringify({ questionCount: 2 }),
 *   }, { action: 'start-practice' });
 *   if (!res.ok) alert(await problemMessage(res));
 *
 * @module idempotent-fetch
 */

/** Statuses retried with the same key (a 409 `request-in-progress` problem is retried too). */
export const RETRYABLE_STATUSES = Object.freeze([408, 425, 429, 500, 502, 503, 504]);

const PENDING_PREFIX = 'idem:pending:';
const KEY_HEADER = 'Idempotency-Key';
/** Never written to storage: credentials, and the key (stored on its own). */
const UNSTORED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'idempotency-key'];
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';
const MAX_KEY_LENGTH = 64;

/**
 * Every attempt of an idempotent request failed on the network or timed out: no response at all. The action's
 * pending entry is kept, so a later call (or {@link resumePending}) resends it with the same key.
 */
export class IdempotentFetchError extends Error {
  /**
   * @param {string} message
   * @param {{key: string, attempts: number, action: string, cause?: *}} details
   */
  constructor(message, details) {
    const d = details || {};
    super(message, d.cause !== undefined ? { cause: d.cause } : undefined);
    this.name = 'IdempotentFetchError';
    /** @type {string} the key every attempt carried */
    this.key = d.key;
    /** @type {number} how many attempts were made */
    this.attempts = d.attempts;
    /** @type {string} the action's name */
    this.action = d.action;
    if (d.cause !== undefined && this.cause === undefined) {
      /** @type {*} the last attempt's error */
      this.cause = d.cause;
    }
  }
}

/** A request body that cannot be sent a second time with the same key (a stream, Blob, FormData, object...). */
export class UnrepeatableBodyError extends TypeError {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'UnrepeatableBodyError';
  }
}

/**
 * A new random key: `crypto.randomUUID()` (or, where that is missing, e.g. a page served over plain HTTP from a
 * non-localhost address, a version-4 UUID built from `crypto.getRandomValues`).
 * @returns {string}
 */
export function newKey() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    return c.randomUUID();
  }
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new TypeError('idempotentFetch: no crypto.randomUUID or crypto.getRandomValues to make a key');
  }
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * @typedef {object} AttemptInfo
 * @property {string} action     the action's name
 * @property {string} key        the key the attempt carried
 * @property {number} attempt    1-based
 * @property {number|undefined} status  the response's status, or undefined when there was none
 * @property {boolean} replayed  whether the response carried `Idempotent-Replayed: true`
 * @property {string|undefined} error   why the attempt had no response (network error, timeout)
 * @property {boolean} willRetry whether another attempt follows
 * @property {number} delayMs    the wait before the next attempt, or 0
 */

/**
 * @typedef {object} IdempotentFetchOptions
 * @property {string} [key]          the key to use (wins over an Idempotency-Key header in init)
 * @property {string} [action]       the user action's name; default `${METHOD} ${url} ${body}`
 * @property {number} [retries=2]    extra attempts (3 in all by default)
 * @property {number} [deadlineMs=10000] no wait may end later than this after the first attempt started
 * @property {number} [timeoutMs=8000]   per attempt (until the response headers), through an AbortController
 * @property {number} [baseDelayMs=200]  first backoff (before jitter)
 * @property {number} [maxDelayMs=2000]  backoff cap (a Retry-After is honoured as sent)
 * @property {(info: AttemptInfo) => void} [onAttempt] called after every attempt; its errors are ignored
 * @property {typeof fetch} [fetch=globalThis.fetch]
 * @property {Storage|Map<string,string>|null} [storage=globalThis.sessionStorage] where pending actions are kept;
 *           a Storage, a Map, or null for memory only; failures of the storage fall back to memory
 * @property {() => number} [random=Math.random] for the jitter
 * @property {(ms: number, signal?: AbortSignal) => Promise<void>} [sleep] waits between attempts (for tests)
 */

/**
 * @typedef {object} PendingAction
 * @property {string} action
 * @property {string} key
 * @property {string} url
 * @property {string} method
 * @property {string|null} body
 * @property {Object<string,string>} headers  without Authorization, Cookie and the key
 * @property {number} startedAt  epoch milliseconds of the action's first attempt
 */

/**
 * `fetch` with an idempotency key for POST and PATCH. Other methods are passed to `fetch(url, init)` once, as
 * they are. The key is reused by every retry, by a second call for the same action while the first is in flight
 * (which shares its request) and, through storage, by a later call after a failure or a page reload.
 *
 * Resolves with the final Response: a non-retryable one (2xx, 3xx, most 4xx) at once, a retryable one (408, 425,
 * 429, 5xx of {@link RETRYABLE_STATUSES}, 409 request-in-progress) when attempts or the deadline run out. Rejects
 * with {@link IdempotentFetchError} when no attempt got a response, with the caller's AbortError when
 * `init.signal` aborts, with {@link UnrepeatableBodyError} or TypeError (invalid key) before any request.
 *
 * @param {string|URL} url
 * @param {RequestInit} [init]  `body` must be a string, URLSearchParams, or absent
 * @param {IdempotentFetchOptions} [options]
 * @returns {Promise<Response>}
 */
export async function idempotentFetch(url, init = {}, options = {}) {
  const o = options || {};
  const fetchFn = o.fetch || globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new TypeError('idempotentFetch: no fetch function (pass options.fetch)');
  }
  const isRequest = typeof Request !== 'undefined' && url instanceof Request;
  const method = String((init && init.method) || (isRequest ? url.method : 'GET')).toUpperCase();
  if (method !== 'POST' && method !== 'PATCH') {
    return fetchFn(url, init);
  }
  const i = init || {};
  if (isRequest) {
    throw new UnrepeatableBodyError('idempotentFetch: pass the URL as a string and the body in init: a Request '
      + "object's body is a stream and cannot be sent again with the same Idempotency-Key");
  }
  const target = String(url);
  const { body, contentType } = repeatableBody(i.body);
  const headers = toPlainHeaders(i.headers);
  if (contentType && findHeader(headers, 'content-type') === undefined) {
    setHeader(headers, 'Content-Type', contentType);
  }
  const headerKey = findHeader(headers, KEY_HEADER);
  deleteHeader(headers, KEY_HEADER);
  let explicitKey = null;
  if (o.key !== undefined && o.key !== null) {
    explicitKey = checkKey(o.key, 'options.key');
  } else if (headerKey !== undefined) {
    explicitKey = checkKey(unquote(headerKey), 'the Idempotency-Key header');
  }
  const signal = i.signal || null;
  if (signal && signal.aborted) {
    throw abortReason(signal);
  }

  const action = o.action !== undefined && o.action !== null ? String(o.action) : defaultAction(method, target, body);
  const fingerprint = `${method}\n${target}\n${body === undefined ? '' : body}`;
  const store = storeFor(o.storage);

  // A second click while the first request is in flight: share it (no second request).
  const current = store.flights.get(action);
  if (current && current.fingerprint === fingerprint && (explicitKey === null || explicitKey === current.key)) {
    return new Promise((resolve, reject) => current.joiners.push({ resolve, reject }));
  }

  const previous = readEntry(store, action);
  const reusable = previous && previous.fingerprint === fingerprint ? previous : null;
  const key = explicitKey !== null ? explicitKey : reusable ? reusable.key : newKey();
  writeEntry(store, {
    action,
    key,
    url: target,
    method,
    body: body === undefined ? null : body,
    headers: storableHeaders(headers),
    fingerprint,
    startedAt: reusable && reusable.key === key ? reusable.startedAt : Date.now(),
  });

  const flight = { fingerprint, key, joiners: [] };
  store.flights.set(action, flight);
  try {
    const response = await attempts({
      fetchFn, init: i, url: target, method, headers, body, key, action, signal, store, options: o,
    });
    for (const joiner of flight.joiners) {
      joiner.resolve(response.clone());
    }
    return response;
  } catch (e) {
    for (const joiner of flight.joiners) {
      joiner.reject(e);
    }
    throw e;
  } finally {
    if (store.flights.get(action) === flight) {
      store.flights.delete(action);
    }
  }
}

/**
 * The actions started in this tab (this storage) that have no answer yet: their last attempt failed on the
 * network, timed out or got a retryable status, or the page was reloaded while they were in flight.
 * @param {{storage?: Storage|Map<string,string>|null}} [options]
 * @returns {PendingAction[]} oldest first
 */
export function pendingActions(options = {}) {
  const store = storeFor((options || {}).storage);
  const found = [];
  for (const name of store.names()) {
    if (name.startsWith(PENDING_PREFIX)) {
      const entry = parseEntry(store.get(name));
      if (entry) {
        found.push({
          action: entry.action, key: entry.key, url: entry.url, method: entry.method, body: entry.body,
          headers: Object.assign({}, entry.headers), startedAt: entry.startedAt,
        });
      }
    }
  }
  return found.sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * Resends a pending action's stored request with its stored key (e.g. after a reload), with the same retries as
 * {@link idempotentFetch}. Credentials are never stored: pass them in `options.headers`, merged over the stored
 * headers, e.g. `{headers: {Authorization: 'Bearer demo-alice'}}`.
 * @param {string} action
 * @param {IdempotentFetchOptions & {headers?: HeadersInit}} [options]
 * @returns {Promise<Response>}
 * @throws {Error} when no action of that name is pending
 */
export async function resumePending(action, options = {}) {
  const o = Object.assign({}, options || {});
  const store = storeFor(o.storage);
  const entry = readEntry(store, String(action));
  if (!entry) {
    throw new Error(`resumePending: no pending action named "${action}"`);
  }
  const headers = Object.assign({}, entry.headers);
  const extra = toPlainHeaders(o.headers);
  for (const name of Object.keys(extra)) {
    setHeader(headers, name, extra[name]);
  }
  delete o.headers;
  o.action = entry.action;
  o.key = entry.key;
  const init = { method: entry.method, headers };
  if (entry.body !== null && entry.body !== undefined) {
    init.body = entry.body;
  }
  return idempotentFetch(entry.url, init, o);
}

/**
 * Forgets a pending action without resending it, e.g. on sign-out, so that another user of the tab never resends it
 * with their own credentials. A later call for that action starts with a new key.
 * @param {string} action
 * @param {{storage?: Storage|Map<string,string>|null}} [options]
 * @returns {boolean} whether an action of that name was pending
 */
export function discardPending(action, options = {}) {
  const store = storeFor((options || {}).storage);
  const entry = readEntry(store, String(action));
  if (!entry) {
    return false;
  }
  removeEntry(store, entry.action, entry.key);
  return true;
}

/**
 * A readable sentence for a failed response: its problem+json `detail` (or `title`), else `HTTP <status>`.
 * Reads a clone, so the response stays readable; never throws.
 * @param {Response} response
 * @returns {Promise<string>}
 */
export async function problemMessage(response) {
  if (!response) {
    return 'No response';
  }
  const fallback = `HTTP ${response.status}`;
  try {
    const problem = await readProblem(response);
    if (problem) {
      for (const field of ['detail', 'title']) {
        const text = typeof problem[field] === 'string' ? problem[field].trim() : '';
        if (text) {
          return sentence(text);
        }
      }
    }
  } catch (e) {
    // fall through
  }
  return fallback;
}

// ---------------------------------------------------------------------------------------------------------------
// Attempts

async function attempts(ctx) {
  const o = ctx.options;
  const retries = nonNegative(o.retries, 2);
  const deadlineMs = nonNegative(o.deadlineMs, 10000);
  const timeoutMs = nonNegative(o.timeoutMs, 8000);
  const baseDelayMs = nonNegative(o.baseDelayMs, 200);
  const maxDelayMs = nonNegative(o.maxDelayMs, 2000);
  const random = typeof o.random === 'function' ? o.random : Math.random;
  const sleep = typeof o.sleep === 'function' ? o.sleep : defaultSleep;
  const { fetchFn, signal, key, action } = ctx;
  const maxAttempts = Math.floor(retries) + 1;
  const start = Date.now();

  for (let attempt = 1; ; attempt++) {
    if (signal && signal.aborted) {
      throw abortReason(signal);
    }
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(abortReason(signal));
    if (signal) {
      signal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const detach = () => signal && signal.removeEventListener('abort', onCallerAbort);
    let timedOut = false;
    const timer = timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
        timedOut = true;
        controller.abort(timeoutError(timeoutMs));
      }, timeoutMs)
      : undefined;

    let response;
    let error;
    let errorMessage;
    try {
      const requestInit = Object.assign({}, ctx.init, {
        method: ctx.method,
        headers: Object.assign({}, ctx.headers, { [KEY_HEADER]: `"${key}"` }),
        signal: controller.signal,
      });
      if (ctx.body === undefined) {
        delete requestInit.body;
      } else {
        requestInit.body = ctx.body;
      }
      response = await fetchFn(ctx.url, requestInit);
    } catch (e) {
      if (signal && signal.aborted) {
        detach();
        throw e; // the caller's own abort: no retry, the entry stays
      }
      if (!timedOut && !(e instanceof TypeError)) {
        detach();
        throw e; // not a network error: the outcome is unknown, the entry stays
      }
      error = timedOut ? timeoutError(timeoutMs) : e;
      errorMessage = timedOut ? error.message : describe(e);
    } finally {
      clearTimeout(timer);
    }

    const retryable = response ? await isRetryable(response) : true;
    let willRetry = false;
    let delayMs = 0;
    if (retryable && attempt < maxAttempts) {
      const after = response ? retryAfterMs(response) : null;
      const wait = after !== null ? after : backoff(attempt, baseDelayMs, maxDelayMs, random);
      if (Date.now() - start + wait <= deadlineMs) {
        willRetry = true;
        delayMs = wait;
      }
    }
    notify(o.onAttempt, {
      action,
      key,
      attempt,
      status: response ? response.status : undefined,
      replayed: response ? isReplayed(response) : false,
      error: errorMessage,
      willRetry,
      delayMs,
    });

    if (!willRetry) {
      if (response) {
        if (!retryable) {
          removeEntry(ctx.store, action, key); // answered: the next click is a new action
        }
        return response; // a retryable final status keeps the entry: a later call resends the same key
      }
      detach();
      throw new IdempotentFetchError(
        `${ctx.method} ${ctx.url} failed after ${attempt} attempt${attempt === 1 ? '' : 's'} (key ${key}): `
        + errorMessage,
        { key, attempts: attempt, action, cause: error });
    }
    detach();
    if (response) {
      discard(response);
    }
    await pause(sleep, delayMs, signal);
  }
}

/** Whether a response is retried with the same key. */
async function isRetryable(response) {
  if (RETRYABLE_STATUSES.includes(response.status)) {
    return true;
  }
  if (response.status === 409) {
    const problem = await readProblem(response);
    return !!problem && typeof problem.type === 'string' && /request-in-progress$/.test(problem.type);
  }
  return false;
}

/** The problem+json (or JSON) body of a response, read from a clone; null when there is none. */
async function readProblem(response) {
  try {
    const type = (response.headers && response.headers.get('content-type')) || '';
    if (!/json/i.test(type) || response.bodyUsed) {
      return null;
    }
    const parsed = JSON.parse(await response.clone().text());
    return parsed && typeof parsed === 'object' ? parsed : null;
  } catch (e) {
    return null;
  }
}

/** A Retry-After header (delta seconds or HTTP date) in milliseconds, or null when absent or unreadable. */
function retryAfterMs(response) {
  const value = response.headers && response.headers.get('retry-after');
  if (value === null || value === undefined) {
    return null;
  }
  const text = String(value).trim();
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Exponential backoff with equal jitter: half of min(max, base * 2^(n-1)) fixed, half random. */
function backoff(attempt, baseDelayMs, maxDelayMs, random) {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  let r = Number(random());
  if (!(r >= 0)) {
    r = 0;
  } else if (r > 1) {
    r = 1;
  }
  return Math.min(ceiling, Math.round(ceiling / 2 + r * (ceiling / 2)));
}

function isReplayed(response) {
  const value = response.headers && response.headers.get('idempotent-replayed');
  return typeof value === 'string' && value.trim().toLowerCase() === 'true';
}

function notify(onAttempt, info) {
  if (typeof onAttempt !== 'function') {
    return;
  }
  try {
    const result = onAttempt(info);
    if (result && typeof result.then === 'function') {
      result.then(undefined, () => {});
    }
  } catch (e) {
    // a listener's failure never breaks the request
  }
}

/** Frees the connection of a response that is not returned. */
function discard(response) {
  try {
    if (response.body && !response.bodyUsed && typeof response.body.cancel === 'function') {
      response.body.cancel().catch(() => {});
    }
  } catch (e) {
    // nothing to free
  }
}

function pause(sleep, ms, signal) {
  const slept = Promise.resolve(sleep(ms, signal || undefined));
  if (!signal) {
    return slept;
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    slept.then((v) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) {
        onAbort();
      } else {
        resolve(v);
      }
    }, (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}

function defaultSleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      if (signal) {
        signal.removeEventListener('abort', done);
      }
      resolve();
    }
    if (signal) {
      signal.addEventListener('abort', done, { once: true });
    }
  });
}

function abortReason(signal) {
  if (signal && signal.reason !== undefined) {
    return signal.reason;
  }
  return domException('This operation was aborted', 'AbortError');
}

function timeoutError(timeoutMs) {
  return domException(`attempt timed out after ${timeoutMs} ms`, 'TimeoutError');
}

function domException(message, name) {
  if (typeof DOMException === 'function') {
    return new DOMException(message, name);
  }
  const e = new Error(message);
  e.name = name;
  return e;
}

function describe(e) {
  if (!e) {
    return String(e);
  }
  const message = e.message || String(e);
  const cause = e.cause && (e.cause.message || e.cause.code);
  return cause && cause !== message ? `${message} (${cause})` : message;
}

function nonNegative(value, fallback) {
  const n = Number(value === undefined || value === null ? fallback : value);
  return Number.isNaN(n) || n < 0 ? fallback : n;
}

// ---------------------------------------------------------------------------------------------------------------
// Keys, bodies, headers

/** A key as the server accepts it: 1-64 printable ASCII characters without `"` or `\`. */
function checkKey(value, where) {
  if (typeof value !== 'string') {
    throw new TypeError(`idempotentFetch: ${where} must be a string, got ${typeof value}`);
  }
  if (value.length < 1 || value.length > MAX_KEY_LENGTH) {
    throw new TypeError(`idempotentFetch: ${where} must be 1 to ${MAX_KEY_LENGTH} characters long, got ${value.length}`);
  }
  if (!/^[\x20-\x7e]+$/.test(value) || /["\\]/.test(value)) {
    throw new TypeError(`idempotentFetch: ${where} may contain only printable ASCII characters (0x20-0x7E) `
      + 'other than " and \\');
  }
  return value;
}

function unquote(value) {
  const text = String(value).trim();
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

function defaultAction(method, url, body) {
  return body === undefined || body === '' ? `${method} ${url}` : `${method} ${url} ${body}`;
}

/** A body that can be sent again: undefined, a string, or URLSearchParams (as a string). */
function repeatableBody(body) {
  if (body === undefined || body === null) {
    return { body: undefined, contentType: null };
  }
  if (typeof body === 'string') {
    return { body, contentType: null };
  }
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) {
    return { body: body.toString(), contentType: FORM_CONTENT_TYPE };
  }
  const kind = body && body.constructor && body.constructor.name ? body.constructor.name : typeof body;
  throw new UnrepeatableBodyError(`idempotentFetch: the body must be a string (e.g. JSON.stringify(data)) or `
    + `URLSearchParams so it can be sent again with the same Idempotency-Key; got ${kind}`);
}

/** Headers, an array of pairs, or an object, as a plain object. */
function toPlainHeaders(headers) {
  const out = {};
  if (!headers) {
    return out;
  }
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    headers.forEach((value, name) => setHeader(out, name, value));
  } else if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (pair && pair.length >= 2) {
        setHeader(out, String(pair[0]), String(pair[1]));
      }
    }
  } else if (typeof headers[Symbol.iterator] === 'function' && typeof headers === 'object') {
    for (const [name, value] of headers) {
      setHeader(out, String(name), String(value));
    }
  } else if (typeof headers === 'object') {
    for (const name of Object.keys(headers)) {
      if (headers[name] !== undefined && headers[name] !== null) {
        setHeader(out, name, String(headers[name]));
      }
    }
  }
  return out;
}

function findName(headers, name) {
  const lower = name.toLowerCase();
  return Object.keys(headers).find((n) => n.toLowerCase() === lower);
}

function findHeader(headers, name) {
  const found = findName(headers, name);
  return found === undefined ? undefined : headers[found];
}

function deleteHeader(headers, name) {
  let found;
  while ((found = findName(headers, name)) !== undefined) {
    delete headers[found];
  }
}

function setHeader(headers, name, value) {
  deleteHeader(headers, name);
  headers[name] = value;
}

function storableHeaders(headers) {
  const out = {};
  for (const name of Object.keys(headers)) {
    if (!UNSTORED_HEADERS.includes(name.toLowerCase())) {
      out[name] = headers[name];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Storage: every access guarded; failures fall back to memory

const stores = new WeakMap();
let memoryOnlyStore = null;

function defaultStorage() {
  try {
    return globalThis.sessionStorage; // a getter that throws in some sandboxed frames
  } catch (e) {
    return undefined;
  }
}

/** The store (and the in-flight requests) for a Storage, a Map, or memory only. */
function storeFor(storage) {
  const backing = storage === undefined ? defaultStorage() : storage;
  if (!backing || (typeof backing !== 'object' && typeof backing !== 'function')) {
    if (!memoryOnlyStore) {
      memoryOnlyStore = makeStore(null);
    }
    return memoryOnlyStore;
  }
  let store = stores.get(backing);
  if (!store) {
    store = makeStore(backing);
    stores.set(backing, store);
  }
  return store;
}

function makeStore(backing) {
  const memory = new Map();
  const isStorage = !!backing && typeof backing.getItem === 'function';
  const isMap = !isStorage && !!backing && typeof backing.get === 'function' && typeof backing.set === 'function';
  return {
    flights: new Map(),
    get(name) {
      try {
        const value = isStorage ? backing.getItem(name) : isMap ? backing.get(name) : undefined;
        if (value !== null && value !== undefined) {
          return String(value);
        }
      } catch (e) {
        // fall back to memory
      }
      return memory.has(name) ? memory.get(name) : null;
    },
    set(name, value) {
      try {
        if (isStorage) {
          backing.setItem(name, value);
          memory.delete(name);
          return;
        }
        if (isMap) {
          backing.set(name, value);
          memory.delete(name);
          return;
        }
      } catch (e) {
        // fall back to memory
      }
      memory.set(name, value);
    },
    remove(name) {
      try {
        if (isStorage) {
          backing.removeItem(name);
        } else if (isMap) {
          backing.delete(name);
        }
      } catch (e) {
        // memory below
      }
      memory.delete(name);
    },
    names() {
      const names = new Set();
      try {
        if (isStorage) {
          for (let i = 0; i < backing.length; i++) {
            const name = backing.key(i);
            if (typeof name === 'string') {
              names.add(name);
            }
          }
        } else if (isMap) {
          for (const name of backing.keys()) {
            names.add(String(name));
          }
        }
      } catch (e) {
        // memory below
      }
      for (const name of memory.keys()) {
        names.add(name);
      }
      return Array.from(names);
    },
  };
}

function parseEntry(text) {
  if (typeof text !== 'string') {
    return null;
  }
  let e;
  try {
    e = JSON.parse(text);
  } catch (err) {
    return null;
  }
  if (!e || typeof e !== 'object' || typeof e.action !== 'string' || typeof e.key !== 'string'
    || typeof e.url !== 'string' || typeof e.method !== 'string' || typeof e.fingerprint !== 'string') {
    return null;
  }
  try {
    checkKey(e.key, 'the stored key');
  } catch (err) {
    return null;
  }
  return {
    action: e.action,
    key: e.key,
    url: e.url,
    method: e.method,
    body: typeof e.body === 'string' ? e.body : null,
    headers: e.headers && typeof e.headers === 'object' ? storableHeaders(toPlainHeaders(e.headers)) : {},
    fingerprint: e.fingerprint,
    startedAt: typeof e.startedAt === 'number' ? e.startedAt : 0,
  };
}

function readEntry(store, action) {
  return parseEntry(store.get(PENDING_PREFIX + action));
}

function writeEntry(store, entry) {
  store.set(PENDING_PREFIX + entry.action, JSON.stringify(entry));
}

/** Removes the action's entry if it still holds this key (a newer call may have replaced it). */
function removeEntry(store, action, key) {
  const entry = readEntry(store, action);
  if (!entry || entry.key === key) {
    store.remove(PENDING_PREFIX + action);
  }
}

function sentence(text) {
  const s = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
