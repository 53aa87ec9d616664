/**
 * The flaky-network panel (only when GET /demo/config says faults: true): three one-shot toggles. The next
 * state-changing request's first attempt carries `X-Demo-Fault: drop|reset|slow`, then the toggle disarms.
 */
import { $ } from './ui.js';

const FAULTS = ['drop', 'reset', 'slow'];
let enabled = false;

const box = (fault) => document.getElementById(`fault-${fault}`);

export async function initFaults() {
  try {
    const response = await fetch('/demo/config', { headers: { Accept: 'application/json' } });
    const config = response.ok ? await response.json() : null;
    enabled = !!(config && config.faults === true);
  } catch (e) {
    enabled = false;
  }
  $('#faults').hidden = !enabled;
  if (!enabled) {
    return;
  }
  for (const fault of FAULTS) {
    box(fault).addEventListener('change', () => {
      if (box(fault).checked) {
        for (const other of FAULTS) {
          if (other !== fault) {
            box(other).checked = false; // one fault at a time
          }
        }
        status(`Armed: the next request's first attempt carries X-Demo-Fault: ${fault}.`);
      } else {
        status('');
      }
    });
  }
}

/** The armed fault, disarmed by taking it; null when none (or the panel is off). */
export function takeFault() {
  if (!enabled) {
    return null;
  }
  for (const fault of FAULTS) {
    if (box(fault).checked) {
      box(fault).checked = false;
      status(`Sent X-Demo-Fault: ${fault} with the last request's first attempt.`);
      return fault;
    }
  }
  return null;
}

/** A fetch for idempotentFetch's `fetch` option that adds the fault header to its first call only. */
export function faultyFetch(fault) {
  if (!fault) {
    return undefined; // idempotentFetch uses globalThis.fetch
  }
  let first = true;
  return (url, init = {}) => {
    if (!first) {
      return fetch(url, init);
    }
    first = false;
    return fetch(url, { ...init, headers: { ...(init.headers || {}), 'X-Demo-Fault': fault } });
  };
}

function status(text) {
  $('#fault-status').textContent = text;
}
