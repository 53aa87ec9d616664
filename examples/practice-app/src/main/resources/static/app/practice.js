/**
 * Practice: start a session, answer its questions one by one (mark, bookmark), end it and show the summary. The
 * session id is kept in sessionStorage so a reload continues at the first unanswered question.
 */
import { get, send } from './api.js';
import { isBookmarked, loadBookmarks, setBookmarked } from './bookmarks.js';
import { question } from './questions.js';
import { $, h, showError } from './ui.js';

export const SESSION_KEY = 'idem-demo-session';

/** {id, questionIds, attempts: Map<qid,{choiceId,correct}>, marks: Map<qid,boolean>, ended, summary} or null */
let session = null;
let index = 0;
const busy = new Set(); // 'answer', 'end', 'mark', 'bookmark'

const currentQid = () => (session ? session.questionIds[index] : undefined);

export function initPractice() {
  $('#start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    start();
  });
  $('#question-slot').addEventListener('click', (event) => {
    const button = event.target.closest('button.choice');
    if (button && !button.disabled) {
      answer(button.dataset.choice);
    }
  });
  $('#next').addEventListener('click', next);
  $('#end').addEventListener('click', end);
  $('#mark').addEventListener('click', mark);
  $('#bookmark').addEventListener('click', toggleBookmark);
  document.addEventListener('bookmarks-changed', renderTools);
}

/** Remembers a session (e.g. a resumed start-session's answer); {@link restoreSession} then shows it. */
export function rememberSession(sessionId) {
  if (sessionId) {
    sessionStorage.setItem(SESSION_KEY, String(sessionId));
  }
}

/** Shows the remembered session from the server's state: its summary, or its first unanswered question. */
export async function restoreSession() {
  const id = sessionStorage.getItem(SESSION_KEY);
  if (!id) {
    session = null;
    render();
    return;
  }
  const result = await get(`/api/practice-sessions/${encodeURIComponent(id)}`, { quiet: true });
  if (sessionStorage.getItem(SESSION_KEY) !== id) {
    return; // another session started meanwhile
  }
  if (!result.ok) {
    if (result.status === 404 || result.status === 403 || result.status === 400) {
      sessionStorage.removeItem(SESSION_KEY); // gone (or not this user's): nothing to continue
    } else {
      showError(result.message);
    }
    session = null;
    render();
    return;
  }
  session = fromServer(result.data, id);
  const open = session.questionIds.findIndex((qid) => !session.attempts.has(qid));
  index = open >= 0 ? open : Math.max(0, session.questionIds.length - 1);
  showFeedback(null);
  render();
  await loadBookmarks();
}

export function forgetSession() {
  sessionStorage.removeItem(SESSION_KEY);
  session = null;
  index = 0;
  showFeedback(null);
  render();
}

async function start() {
  const button = $('#start');
  if (button.disabled) {
    return;
  }
  const body = {};
  const count = $('#question-count').value.trim();
  if (count !== '') {
    body.questionCount = Number(count); // the server checks the range (400 problem)
  }
  const tags = $('#tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length) {
    body.tags = tags;
  }
  button.disabled = true; // a second click while in flight would share the same request anyway
  let result;
  try {
    result = await send('start-session', '/api/practice-sessions', { body });
  } finally {
    button.disabled = false;
  }
  if (result.ok && result.data && result.data.sessionId) {
    rememberSession(result.data.sessionId);
    if (Array.isArray(result.data.questionIds)) {
      session = {
        id: String(result.data.sessionId), questionIds: result.data.questionIds.map(Number),
        attempts: new Map(), marks: new Map(), ended: false, summary: null,
      };
      index = 0;
      showFeedback(null);
      render();
      focusFirstChoice();
      loadBookmarks();
    } else {
      await restoreSession();
    }
  }
}

async function answer(choiceId) {
  const qid = currentQid();
  if (!session || session.ended || busy.has('answer') || session.attempts.has(qid)) {
    return;
  }
  const sid = session.id;
  busy.add('answer');
  setChoicesDisabled(true);
  const result = await send(`answer-${sid}-${qid}`, `/api/practice-sessions/${sid}/answers`,
    { body: { questionId: qid, choiceId } });
  busy.delete('answer');
  if (!session || session.id !== sid) {
    return;
  }
  if (!result.ok) {
    if (result.status === 409) {
      await restoreSession(); // e.g. answered already, or ended elsewhere: show the server's state
    } else {
      renderQuestion();
    }
    return;
  }
  const attempt = { choiceId, correct: !!(result.data && result.data.correct) };
  session.attempts.set(qid, attempt);
  renderQuestion();
  if (session.questionIds.every((q) => session.attempts.has(q))) {
    await end(); // the last question: end the session and show the summary
  } else {
    $('#next').focus();
  }
}

function next() {
  if (!session || session.ended) {
    return;
  }
  if (index < session.questionIds.length - 1) {
    index++;
    showFeedback(null);
    renderQuestion();
    focusFirstChoice();
  } else {
    end();
  }
}

async function end() {
  if (!session || session.ended || busy.has('end')) {
    return;
  }
  const sid = session.id;
  busy.add('end');
  const result = await send(`end-${sid}`, `/api/practice-sessions/${sid}/end`);
  busy.delete('end');
  if (!session || session.id !== sid) {
    return;
  }
  if (result.ok) {
    session.ended = true;
    session.summary = result.data;
    render();
    const summary = $('#summary');
    if (summary) {
      summary.focus();
    }
  } else if (result.status === 409) {
    await restoreSession();
  }
}

async function mark() {
  const qid = currentQid();
  if (!session || session.ended || busy.has('mark') || qid === undefined) {
    return;
  }
  const sid = session.id;
  const marked = !session.marks.get(qid);
  busy.add('mark');
  const result = await send(`mark-${sid}-${qid}`, `/api/practice-sessions/${sid}/questions/${qid}/mark`,
    { method: 'PUT', body: { marked } });
  busy.delete('mark');
  if (result.ok && session && session.id === sid) {
    session.marks.set(qid, result.data && typeof result.data.marked === 'boolean' ? result.data.marked : marked);
    renderTools();
  }
}

async function toggleBookmark() {
  const qid = currentQid();
  if (!session || busy.has('bookmark') || qid === undefined) {
    return;
  }
  busy.add('bookmark');
  const result = await send(`toggle-bookmark-${qid}`, `/api/bookmarks/${qid}/toggle`);
  busy.delete('bookmark');
  if (result.ok) {
    const bookmarked = result.data && typeof result.data.bookmarked === 'boolean'
      ? result.data.bookmarked : !isBookmarked(qid);
    setBookmarked(qid, bookmarked); // redraws the tools through 'bookmarks-changed'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function fromServer(data, id) {
  const attempts = new Map();
  for (const a of Array.isArray(data.attempts) ? data.attempts : []) {
    attempts.set(Number(a.questionId), { choiceId: String(a.choiceId), correct: !!a.correct });
  }
  const marks = new Map();
  for (const m of Array.isArray(data.marks) ? data.marks : []) {
    if (typeof m === 'number') {
      marks.set(m, true);
    } else if (m && m.questionId !== undefined) {
      marks.set(Number(m.questionId), m.marked !== false);
    }
  }
  return {
    id: String(data.sessionId || id),
    questionIds: (Array.isArray(data.questionIds) ? data.questionIds : []).map(Number),
    attempts,
    marks,
    ended: !!data.ended,
    summary: data.summary || null,
  };
}

function render() {
  const summarySlot = $('#summary-slot');
  if (!session || session.ended) {
    $('#session').hidden = true;
    $('#session-actions').hidden = true;
    $('#question-slot').replaceChildren();
    summarySlot.replaceChildren(...(session ? [summaryView()] : []));
    return;
  }
  summarySlot.replaceChildren();
  $('#session').hidden = false;
  $('#session-actions').hidden = false;
  renderQuestion();
}

function renderQuestion() {
  if (!session || session.ended) {
    return;
  }
  const total = session.questionIds.length;
  if (total === 0) {
    $('#progress').textContent = 'This session has no questions.';
    $('#question-slot').replaceChildren();
    $('#next').hidden = true;
    return;
  }
  const qid = currentQid();
  const q = question(qid);
  const attempt = session.attempts.get(qid);
  $('#progress').textContent = `Question ${index + 1} of ${total}`;
  const choices = q.choices.map((c) => h('button', {
    type: 'button',
    class: attempt && attempt.choiceId === c.id ? 'choice chosen' : 'choice',
    'data-choice': c.id,
    disabled: !!attempt || busy.has('answer'),
  }, c.label));
  $('#question-slot').replaceChildren(h('div', { id: 'question', 'data-qid': qid },
    h('p', { class: 'stem', id: 'stem' }, q.stem),
    h('div', { class: 'choices', role: 'group', 'aria-labelledby': 'stem' }, ...choices)));
  if (attempt) {
    showFeedback(attempt);
  }
  const nextButton = $('#next');
  nextButton.hidden = !attempt;
  nextButton.textContent = index === total - 1 ? 'Finish' : 'Next question';
  renderTools();
}

function renderTools() {
  const qid = currentQid();
  if (!session || session.ended || qid === undefined) {
    return;
  }
  const marked = !!session.marks.get(qid);
  $('#mark').setAttribute('aria-pressed', String(marked));
  $('#mark').textContent = marked ? 'Marked for review' : 'Mark for review';
  const bookmarked = isBookmarked(qid);
  $('#bookmark').setAttribute('aria-pressed', String(bookmarked));
  $('#bookmark-state').textContent = bookmarked ? 'Bookmarked' : 'Not bookmarked';
}

/** The last answer's feedback; outside the question so it stays visible above the summary. */
function showFeedback(attempt) {
  const feedback = $('#feedback');
  feedback.hidden = !attempt;
  feedback.textContent = attempt ? (attempt.correct ? 'Correct' : 'Wrong') : '';
  feedback.className = attempt ? (attempt.correct ? 'correct' : 'wrong') : '';
}

function summaryView() {
  const s = session.summary || {};
  const attempts = [...session.attempts.values()];
  const answered = Number.isFinite(s.answered) ? s.answered : attempts.length;
  const correct = Number.isFinite(s.correct) ? s.correct : attempts.filter((a) => a.correct).length;
  return h('div', { id: 'summary', 'data-answered': answered, 'data-correct': correct, tabindex: '-1' },
    h('h3', {}, 'Session ended'),
    h('p', {}, 'You answered ', h('span', { 'data-answered': answered }, `${answered}`), ', correct ',
      h('span', { 'data-correct': correct }, `${correct}`), ` (of ${session.questionIds.length} questions).`),
    h('p', { class: 'hint' }, 'Start a new session above.'));
}

function setChoicesDisabled(disabled) {
  for (const button of document.querySelectorAll('#question button.choice')) {
    button.disabled = disabled;
  }
}

function focusFirstChoice() {
  const first = $('#question button.choice');
  if (first) {
    first.focus();
  }
}
