/**
 * The app's HTTP API: idempotentFetch with the bearer token, the flaky-network header and the activity log.
 * Every call resolves with {ok, status, data, type}; failures are shown in #error (problemMessage), never thrown.
 */
import {
  IdempotentFetchError, discardPending, idempotentFetch, pendingActions, problemMessage, resumePending,
} from '/idem/idempotent-fetch.js';
import { logAction } from './activity.js';
import { faultyFetch, takeFault } from './faults.js';
import { clearError, showError } from './ui.js';

export const TOKEN_KEY = 'idem-demo-token';
export const USER_KEY = 'idem-demo-user';
/** Every keyed request: a 1.5 s attempt timeout (the "slow" fault holds answers 3 s) and 3 retries. */
const RETRY_OPTIONS = { timeoutMs: 1500, retries: 3 };

export const token = () => sessionStorage.getItem(TOKEN_KEY);

function headers(withJsonBody) {
  const result = { Authorization: `Bearer ${token()}` };
  if (withJsonBody) {
    result['Content-Type'] = 'application/json';
  }
  return result;
}

/**
 * A GET of the API. A failure is shown (unless quiet: the caller decides); a success does not clear an earlier
 * error (background reads must not hide the answer to the user's last action).
 */
export async function get(path, { quiet = false } = {}) {
  try {
    const response = await fetch(path, { headers: headers(false) });
    return await settle(response, { clearOnSuccess: false, show: !quiet });
  } catch (e) {
    const message = 'Could not reach the server. Check your connection and try again.';
    if (!quiet) {
      showError(message);
    }
    return { ok: false, error: e, message };
  }
}

/**
 * A state-changing action. POST goes through idempotentFetch (one key for all attempts, shared by a second
 * click, kept for a reload); PUT and DELETE are naturally idempotent and sent once with plain fetch.
 * @param {string} action  the action's name (the idempotentFetch action and the log entry)
 * @param {string} path
 * @param {{method?: string, body?: object, plain?: boolean}} [options]  plain: a plain fetch without token or key
 */
export async function send(action, path, { method = 'POST', body, plain = false } = {}) {
  const log = logAction(action);
  const init = { method, headers: plain ? {} : headers(body !== undefined) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  try {
    let response;
    if (plain || (method !== 'POST' && method !== 'PATCH')) {
      try {
        response = await fetch(path, init);
      } catch (e) {
        log.attempt({ attempt: 1, error: String((e && e.message) || e) });
        throw e;
      }
      log.attempt({ attempt: 1, status: response.status, replayed: false });
    } else {
      response = await idempotentFetch(path, init, {
        ...RETRY_OPTIONS, action, onAttempt: log.attempt, fetch: faultyFetch(takeFault()),
      });
    }
    return await settle(response, { clearOnSuccess: true });
  } catch (e) {
    return failed(e, log);
  }
}

/** The actions left without an answer (a reload while in flight, or retries that ran out), oldest first. */
export function pending() {
  return pendingActions();
}

/** Resends a pending action with its stored key and body, adding the token (never stored). */
export async function resume(entry) {
  const log = logAction(entry.action, 'resumed');
  try {
    const response = await resumePending(entry.action, {
      headers: { Authorization: `Bearer ${token()}` }, ...RETRY_OPTIONS, onAttempt: log.attempt,
    });
    return await settle(response, { clearOnSuccess: true });
  } catch (e) {
    return failed(e, log);
  }
}

/** Forgets the pending actions (on sign-out: another user must not resend them with their own token). */
export function forgetPending() {
  for (const entry of pendingActions()) {
    discardPending(entry.action);
  }
}

async function settle(response, { clearOnSuccess, show = true }) {
  if (response.ok) {
    if (clearOnSuccess) {
      clearError();
    }
    return { ok: true, status: response.status, data: await readJson(response) };
  }
  const message = await problemMessage(response);
  if (show) {
    showError(message);
  }
  const problem = await readJson(response);
  const type = problem && typeof problem.type === 'string' ? problem.type : '';
  return { ok: false, status: response.status, type, message };
}

function failed(e, log) {
  let message;
  if (e instanceof IdempotentFetchError) {
    log.outcome('no answer; the same key is resent on the next try or reload');
    message = `No answer from the server after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}. `
      + 'Try again: the action is resent with the same Idempotency-Key, so it cannot run twice.';
  } else if (e instanceof TypeError) {
    log.outcome('no answer');
    message = 'Could not reach the server. Check your connection and try again.';
  } else {
    log.outcome('failed');
    message = `Something went wrong: ${(e && e.message) || e}`;
  }
  showError(message);
  return { ok: false, error: e, message };
}

async function readJson(response) {
  try {
    const type = response.headers.get('content-type') || '';
    if (!/json/i.test(type) || response.bodyUsed) {
      return null;
    }
    return await response.json();
  } catch (e) {
    return null;
  }
}
