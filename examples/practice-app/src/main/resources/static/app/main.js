/**
 * The page: sign-in, hash routing between the four sections, and, on load, resuming the actions a reload
 * interrupted (pendingActions + resumePending, same keys), then showing the server's state.
 */
import { clearActivity, restoreActivity } from './activity.js';
import { TOKEN_KEY, USER_KEY, forgetPending, pending, resume, token } from './api.js';
import { forgetBookmarks, initBookmarks, loadBookmarks } from './bookmarks.js';
import { forgetBilling, initBilling, refreshSubscription, showCheckout } from './billing.js';
import { adoptChat, adoptResumedMessage, forgetChat, initChat } from './chat.js';
import { initFaults } from './faults.js';
import { forgetSession, initPractice, rememberSession, restoreSession } from './practice.js';
import { forgetQuestions, loadQuestions } from './questions.js';
import { $, clearError } from './ui.js';

const USERS = { alice: 'demo-alice', bob: 'demo-bob', carol: 'demo-carol' };
const ROUTES = ['practice', 'bookmarks', 'billing', 'chat'];

function route() {
  const name = location.hash.replace(/^#\/?/, '');
  return ROUTES.includes(name) ? name : 'practice';
}

function go(name) {
  if (route() === name && location.hash) {
    showRoute(); // same hash: no hashchange event
  } else {
    location.hash = `#/${name}`;
  }
}

function showRoute() {
  const signedIn = !!token();
  const current = route();
  for (const name of ROUTES) {
    $(`#${name}`).hidden = !signedIn || name !== current;
    const nav = $(`#nav-${name}`);
    if (name === current) {
      nav.setAttribute('aria-current', 'page');
    } else {
      nav.removeAttribute('aria-current');
    }
  }
  if (!signedIn) {
    return;
  }
  if (current === 'billing') {
    refreshSubscription();
  } else if (current === 'bookmarks') {
    loadBookmarks();
  }
}

function showAccount() {
  const user = sessionStorage.getItem(USER_KEY);
  const signedIn = !!token();
  $('#account').hidden = !signedIn;
  $('#whoami').textContent = signedIn ? user || '' : '';
  $('#nav').hidden = !signedIn;
  $('#signed-out').hidden = signedIn;
  for (const name of Object.keys(USERS)) {
    $(`#signin-${name}`).setAttribute('aria-pressed', String(signedIn && user === name));
  }
}

/** After a sign-in or a reload: resume what was in flight, then show the server's state. */
async function enter() {
  showAccount();
  showRoute();
  await loadQuestions();
  await resumeAll();
  await restoreSession(); // also reads the bookmarks the question shows
  if (route() !== 'billing') {
    await refreshSubscription(); // on sign-in (the billing section loads it itself)
  }
}

/** Resends every pending action with its stored key, oldest first, and adopts what their answers create. */
async function resumeAll() {
  for (const entry of pending()) {
    const result = await resume(entry);
    if (!result.ok) {
      continue;
    }
    if (entry.action === 'start-session') {
      rememberSession(result.data && result.data.sessionId); // restoreSession() then shows its first question
      if (route() !== 'practice') {
        go('practice');
      }
    } else if (entry.action === 'checkout') {
      showCheckout(result.data);
    } else if (entry.action === 'chat-session') {
      adoptChat(result.data);
    } else if (/^chat-.+-\d+$/.test(entry.action)) {
      adoptResumedMessage(entry, result.data);
    }
    // answers, ends and bookmark toggles: the server's state, read next, shows them
  }
}

function signOut() {
  forgetPending();
  for (const key of [TOKEN_KEY, USER_KEY]) {
    sessionStorage.removeItem(key);
  }
  forgetSession();
  forgetBookmarks();
  forgetBilling();
  forgetChat();
  forgetQuestions();
  clearActivity();
  clearError();
  showAccount();
  showRoute();
}

async function signIn(name) {
  if (token() && sessionStorage.getItem(USER_KEY) !== name) {
    signOut(); // switching users: nothing of the previous one is kept (or resent)
  }
  sessionStorage.setItem(TOKEN_KEY, USERS[name]);
  sessionStorage.setItem(USER_KEY, name);
  clearError();
  await enter();
}

function boot() {
  restoreActivity();
  initPractice();
  initBookmarks();
  initBilling();
  initChat();
  for (const name of Object.keys(USERS)) {
    $(`#signin-${name}`).addEventListener('click', () => signIn(name));
  }
  $('#signout').addEventListener('click', () => {
    signOut();
    $('#signin-alice').focus();
  });
  for (const name of ROUTES) {
    $(`#nav-${name}`).addEventListener('click', () => go(name));
  }
  window.addEventListener('hashchange', showRoute);
  const faults = initFaults();
  showAccount();
  if (token()) {
    enter();
  } else {
    showRoute();
  }
  return faults;
}

boot();
