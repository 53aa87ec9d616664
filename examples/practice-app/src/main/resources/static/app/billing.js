/** Billing: the subscription, a checkout (keyed POST) and the fake payment provider's "pay" button. */
import { get, send } from './api.js';
import { $ } from './ui.js';

const CHECKOUT_KEY = 'idem-demo-checkout';

export function initBilling() {
  $('#checkout-form').addEventListener('submit', (event) => {
    event.preventDefault();
    checkout();
  });
  $('#pay').addEventListener('click', pay);
  const saved = sessionStorage.getItem(CHECKOUT_KEY);
  if (saved) {
    showCheckoutId(saved);
  }
}

export async function refreshSubscription() {
  const result = await get('/api/billing/subscription');
  if (result.ok) {
    const s = result.data || {};
    $('#subscription').textContent = s.status === 'active' ? (s.plan ? `Active (${s.plan})` : 'Active') : 'None';
  }
}

/** Shows a checkout session (a checkout's answer, also a resumed one). */
export function showCheckout(data) {
  if (data && data.checkoutSessionId) {
    sessionStorage.setItem(CHECKOUT_KEY, String(data.checkoutSessionId));
    showCheckoutId(String(data.checkoutSessionId));
  }
}

export function forgetBilling() {
  sessionStorage.removeItem(CHECKOUT_KEY);
  $('#checkout-box').hidden = true;
  $('#checkout-id').textContent = '';
  $('#pay-status').textContent = '';
  $('#subscription').textContent = '';
}

async function checkout() {
  const button = $('#checkout');
  if (button.disabled) {
    return;
  }
  button.disabled = true;
  let result;
  try {
    result = await send('checkout', '/api/billing/checkout-sessions', { body: { plan: $('#plan').value } });
  } finally {
    button.disabled = false;
  }
  if (result.ok) {
    showCheckout(result.data);
    $('#pay-status').textContent = result.status === 200 ? 'Your open checkout was resumed.' : '';
    $('#pay').focus();
  } else if (/already-subscribed$/.test(result.type || '')) {
    await refreshSubscription();
  }
}

async function pay() {
  const id = $('#checkout-id').textContent;
  const button = $('#pay');
  if (!id || button.disabled) {
    return;
  }
  button.disabled = true;
  const result = await send(`pay-${id}`, `/demo/fake-gateway/checkout-sessions/${encodeURIComponent(id)}/pay`,
    { plain: true });
  button.disabled = false;
  if (result.ok) {
    const d = result.data || {};
    $('#pay-status').textContent = `Paid: the provider sent ${d.type || 'its event'} to the app's webhook`
      + `${d.status ? ` (answered ${d.status})` : ''}.`;
    sessionStorage.removeItem(CHECKOUT_KEY);
  }
  await refreshSubscription();
}

function showCheckoutId(id) {
  $('#checkout-id').textContent = id;
  $('#checkout-box').hidden = false;
}
