/**
 * The shared Activity list (#activity): one entry per action call, built from idempotentFetch's onAttempt infos,
 * e.g. "start-session — attempt 1: network error · attempt 2: 201, replayed". Kept in sessionStorage so a reload
 * keeps the history.
 */
import { h } from './ui.js';

const STORAGE_KEY = 'idem-demo-activity';
const MAX_ENTRIES = 40;

const list = () => document.getElementById('activity');

/** One attempt as "attempt N: <status or error>[, replayed]". */
export function formatAttempt(info) {
  let what;
  if (info.status !== undefined) {
    what = String(info.status);
  } else if (/timed out/i.test(info.error || '')) {
    what = String(info.error).replace(/^attempt\s+/i, '');
  } else {
    what = 'network error';
  }
  return `attempt ${info.attempt}: ${what}${info.replayed ? ', replayed' : ''}`;
}

/**
 * A log entry for one call of `action`; created on its first attempt (a second click that shares the first
 * click's request makes no attempt and no entry).
 * @returns {{attempt(info: object): void, outcome(text: string): void}}
 */
export function logAction(action, note) {
  let li = null;
  const parts = [];
  let outcome = '';
  const ensure = () => {
    if (!li) {
      li = h('li', { class: 'log-entry', 'data-action': action });
      list().append(li);
      while (list().children.length > MAX_ENTRIES) {
        list().firstElementChild.remove();
      }
    }
  };
  const render = () => {
    const head = note ? `${action} (${note})` : action;
    li.textContent = [head, parts.join(' · '), outcome].filter(Boolean).join(' — ');
    persist();
  };
  return {
    attempt(info) {
      ensure();
      parts.push(formatAttempt(info));
      if (info.key) {
        li.dataset.key = info.key;
        li.title = `Idempotency-Key: ${info.key}`;
      }
      if (info.error) {
        li.title = `${li.title ? `${li.title}\n` : ''}attempt ${info.attempt}: ${info.error}`;
      }
      render();
    },
    outcome(text) {
      ensure();
      outcome = text;
      render();
    },
  };
}

function persist() {
  try {
    const entries = Array.from(list().children, (li) => ({
      action: li.dataset.action, key: li.dataset.key || '', title: li.title, text: li.textContent,
    }));
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
  } catch (e) {
    // the log is a convenience: nothing to do
  }
}

/** Shows the entries kept from before a reload. */
export function restoreActivity() {
  let entries = [];
  try {
    entries = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || '[]');
  } catch (e) {
    entries = [];
  }
  const nodes = (Array.isArray(entries) ? entries : []).map((e) => {
    const li = h('li', { class: 'log-entry', 'data-action': e.action, title: e.title || null }, String(e.text || ''));
    if (e.key) {
      li.dataset.key = e.key;
    }
    return li;
  });
  list().replaceChildren(...nodes);
}

export function clearActivity() {
  list().replaceChildren();
  sessionStorage.removeItem(STORAGE_KEY);
}
