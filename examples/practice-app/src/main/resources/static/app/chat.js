/**
 * Chat: a chat session and its messages. Each typed message is its own action, `chat-<chatSessionId>-<n>`; a send
 * that got no answer keeps its n, so sending the same text again reuses its key.
 */
import { send } from './api.js';
import { $, h, showError } from './ui.js';

const CHAT_KEY = 'idem-demo-chat';
/** {id, n (the next message's number), messages: [{content, messageId}]} */
let chat = load();
let sending = false;

export function initChat() {
  $('#chat-start').addEventListener('click', startChat);
  $('#chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sendMessage();
  });
  render();
}

/** Adopts a chat session (a chat-session answer, also a resumed one). */
export function adoptChat(data) {
  if (data && data.chatSessionId) {
    chat = { id: String(data.chatSessionId), n: 1, messages: [] };
    save();
    render();
  }
}

/** A resumed `chat-<id>-<n>` action that got its answer: show the message it sent. */
export function adoptResumedMessage(entry, data) {
  const match = /^chat-(.+)-(\d+)$/.exec(entry.action);
  if (!match || match[1] !== chat.id) {
    return;
  }
  let content = '';
  try {
    content = String(JSON.parse(entry.body || '{}').content || '');
  } catch (e) {
    content = '';
  }
  chat.messages.push({ content, messageId: data && data.messageId });
  chat.n = Math.max(chat.n, Number(match[2]) + 1);
  save();
  render();
}

export function forgetChat() {
  sessionStorage.removeItem(CHAT_KEY);
  chat = { id: null, n: 1, messages: [] };
  render();
}

async function startChat() {
  const button = $('#chat-start');
  if (button.disabled) {
    return false;
  }
  button.disabled = true;
  let result;
  try {
    result = await send('chat-session', '/api/chat-sessions');
  } finally {
    button.disabled = false;
  }
  if (result.ok) {
    adoptChat(result.data);
  }
  return result.ok;
}

async function sendMessage() {
  const input = $('#chat-input');
  const content = input.value.trim();
  if (sending) {
    return;
  }
  if (!content) {
    showError('Type a message first.');
    input.focus();
    return;
  }
  sending = true;
  $('#chat-send').disabled = true;
  try {
    if (!chat.id && !(await startChat())) {
      return;
    }
    const { id, n } = chat;
    const result = await send(`chat-${id}-${n}`, `/api/chat-sessions/${id}/messages`, { body: { content } });
    if (result.ok && chat.id === id) {
      chat.messages.push({ content, messageId: result.data && result.data.messageId });
      chat.n = n + 1;
      save();
      render();
      input.value = '';
    }
  } finally {
    sending = false;
    $('#chat-send').disabled = false;
    input.focus();
  }
}

function render() {
  $('#chat-session').textContent = chat.id ? `Chat ${chat.id}` : 'No chat yet: sending a message starts one.';
  $('#chat-messages').replaceChildren(...chat.messages.map((m) => h('li',
    { 'data-message-id': m.messageId || null }, m.content)));
}

function load() {
  try {
    const c = JSON.parse(sessionStorage.getItem(CHAT_KEY) || 'null');
    if (c && typeof c.id === 'string') {
      return { id: c.id, n: Number(c.n) || 1, messages: Array.isArray(c.messages) ? c.messages : [] };
    }
  } catch (e) {
    // start afresh
  }
  return { id: null, n: 1, messages: [] };
}

function save() {
  sessionStorage.setItem(CHAT_KEY, JSON.stringify(chat));
}
