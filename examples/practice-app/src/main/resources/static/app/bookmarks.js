/** Bookmarks: the #bookmarks section's list and the bookmark state the practice question shows. */
import { get, send } from './api.js';
import { question } from './questions.js';
import { $, h } from './ui.js';

let ids = new Set();
/** Bumped by every local change, so a list read that started before it cannot undo it. */
let generation = 0;

export const isBookmarked = (qid) => ids.has(Number(qid));

/** Records a bookmark's new state (e.g. from a toggle's answer) and redraws. */
export function setBookmarked(qid, bookmarked) {
  generation++;
  if (bookmarked) {
    ids.add(Number(qid));
  } else {
    ids.delete(Number(qid));
  }
  render();
}

export async function loadBookmarks() {
  const started = generation;
  const result = await get('/api/bookmarks');
  if (result.ok && started === generation) {
    const data = result.data;
    const list = Array.isArray(data) ? data : data && Array.isArray(data.questionIds) ? data.questionIds : [];
    ids = new Set(list.map(Number));
    render();
  }
}

export function forgetBookmarks() {
  generation++;
  ids = new Set();
  render();
}

export function initBookmarks() {
  $('#bookmark-list').addEventListener('click', (event) => {
    const button = event.target.closest('button.remove');
    if (button) {
      remove(Number(button.closest('li').dataset.qid), button);
    }
  });
}

async function remove(qid, button) {
  button.disabled = true;
  const result = await send(`remove-bookmark-${qid}`, `/api/bookmarks/${qid}`, { method: 'DELETE' });
  button.disabled = false;
  if (result.ok) {
    setBookmarked(qid, false);
    const next = $('#bookmark-list button.remove') || $('#nav-bookmarks');
    next.focus();
  }
}

function render() {
  const items = [...ids].sort((a, b) => a - b).map((qid) => h('li', { 'data-qid': qid },
    h('span', { class: 'grow' }, `#${qid} ${question(qid).stem}`),
    h('button', { type: 'button', class: 'remove secondary', 'aria-label': `Remove bookmark of question ${qid}` },
      'Remove')));
  $('#bookmark-list').replaceChildren(...items);
  $('#bookmarks-empty').hidden = items.length > 0;
  document.dispatchEvent(new CustomEvent('bookmarks-changed'));
}
