/** The question bank (GET /api/questions), by id. */
import { get } from './api.js';

let byId = new Map();

export async function loadQuestions() {
  const result = await get('/api/questions');
  if (!result.ok) {
    return;
  }
  const data = result.data;
  const list = Array.isArray(data) ? data : data && Array.isArray(data.questions) ? data.questions : [];
  byId = new Map(list.filter((q) => q && q.id !== undefined).map((q) => [Number(q.id), normalize(q)]));
}

/** The question, or a placeholder when the bank does not have it. */
export function question(id) {
  return byId.get(Number(id)) || { id: Number(id), stem: `Question ${id}`, tags: [], choices: [] };
}

export function forgetQuestions() {
  byId = new Map();
}

function normalize(q) {
  const choices = Array.isArray(q.choices) ? q.choices : [];
  return {
    id: Number(q.id),
    stem: String(q.stem ?? q.text ?? `Question ${q.id}`),
    tags: Array.isArray(q.tags) ? q.tags : [],
    choices: choices.map((c) => (typeof c === 'string' ? { id: c, label: c }
      : { id: String(c.id ?? c.choiceId), label: String(c.label ?? c.text ?? c.id) })),
  };
}
