/** Small DOM helpers and the page's error area. */

export const $ = (selector) => document.querySelector(selector);

/** An element with attributes (class, data-*, aria-*, ...) and children (nodes or text). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Shows a message in the page's alert area (#error). */
export function showError(message) {
  $('#error').textContent = message;
}

export function clearError() {
  $('#error').textContent = '';
}
