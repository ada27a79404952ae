/* global document, window */
// Using the product from the dashboard: make an account, set its policy, pause and resume
// it. Every action is a call to the config API itself — the routes, keys and answers curl
// gets — and a refusal is shown as the API's own problem+json (title, detail, and each
// error's path and message), so the page can never accept what the API would not.
//
// Keys: the admin key and the account keys typed here (or made here) are kept in this
// tab's sessionStorage only, sent only to this page's own origin (the local stack on
// 127.0.0.1), and never written into the page as markup.
import { el } from './chart.js';

const ADMIN_KEY = 'hedge.adminKey';
const accountKeyName = (accountId) => `hedge.accountKey.${accountId}`;
const presetName = (accountId) => `hedge.preset.${accountId}`;

const session = {
  get(name) {
    try {
      return window.sessionStorage.getItem(name) ?? '';
    } catch {
      return '';
    }
  },
  set(name, value) {
    try {
      if (value) window.sessionStorage.setItem(name, value);
      else window.sessionStorage.removeItem(name);
    } catch {
      // storage disabled: the fields still work for this page
    }
  },
};

let presets = [];

/** One call to the API: the status, the body as JSON when it is JSON, and the ETag. */
async function api(method, path, { key, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (key) init.headers.authorization = `Bearer ${key}`;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await window.fetch(path, init);
  } catch (error) {
    return { ok: false, status: 0, json: { title: 'No answer', detail: error instanceof Error ? error.message : String(error) }, etag: null };
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { title: `HTTP ${res.status}`, detail: text.slice(0, 300) };
  }
  return { ok: res.ok, status: res.status, json, etag: res.headers.get('etag') };
}

/** The API's problem+json, as it is: status and title, detail, and one line per error (path: message). */
function problemView(result, what) {
  const p = result.json ?? {};
  const errors = Array.isArray(p.errors) ? p.errors : [];
  return el('div', { class: 'problem', role: 'alert', 'data-problem': typeof p.type === 'string' ? p.type : '', 'data-status': String(result.status) }, [
    el('strong', { text: `${what}: ${result.status} ${p.title ?? 'refused'}` }),
    p.detail ? el('p', { text: String(p.detail) }) : null,
    errors.length
      ? el('ul', {}, errors.map((e) => el('li', { 'data-path': String(e.path ?? ''), text: `${e.path ?? ''}: ${e.message ?? ''}` })))
      : null,
  ]);
}

function okView(text, extra = []) {
  return el('div', { class: 'done', role: 'status' }, [el('span', { text }), ...extra]);
}

const adminKey = () => session.get(ADMIN_KEY);

// ---- the "Accounts" card: the admin key, and a new account ------------------------------

/** Wires the card in index.html; `onCreated` is told the new account's id. */
export function setupAccountsCard(onCreated) {
  const keyInput = document.getElementById('admin-key');
  const form = document.getElementById('create-account');
  const select = document.getElementById('create-preset');
  const result = document.getElementById('create-result');
  if (!keyInput || !form || !select || !result) return;
  keyInput.value = adminKey();
  keyInput.addEventListener('input', () => session.set(ADMIN_KEY, keyInput.value.trim()));

  void (async () => {
    const got = await api('GET', '/api/local/presets');
    presets = got.ok && Array.isArray(got.json?.presets) ? got.json.presets : [];
    select.replaceChildren(
      ...presets.map((p, i) => el('option', { value: p.id, text: p.name, selected: i === 0 })),
      el('option', { value: '', text: 'No set-up (the operator sets it later)' }),
    );
    const faucet = got.json?.faucet;
    const note = document.getElementById('faucet-note');
    if (note && faucet) note.textContent = `Its signer gets ${faucet.eth} ETH, ${faucet.weth} WETH, ${faucet.usdc} USDC and ${faucet.sUsd} sUSD from the local chain.`;
  })();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void createAccount(form, select.value, result, onCreated);
  });
}

async function createAccount(form, presetId, result, onCreated) {
  const button = form.querySelector('button[type="submit"]');
  const displayName = String(new window.FormData(form).get('displayName') ?? '');
  button.disabled = true;
  result.replaceChildren(el('span', { text: 'Creating…' }));
  try {
    const made = await api('POST', '/accounts', { key: adminKey(), body: { displayName } });
    if (!made.ok) {
      result.replaceChildren(problemView(made, 'Create account'));
      return;
    }
    const { accountId, apiKey } = made.json;
    session.set(accountKeyName(accountId), apiKey);
    const parts = [];
    const preset = presets.find((p) => p.id === presetId);
    if (preset) {
      session.set(presetName(accountId), preset.id);
      const setUp = await api('PUT', `/accounts/${encodeURIComponent(accountId)}/operator-config?expectedVersion=0`, { key: adminKey(), body: preset.operator });
      parts.push(setUp.ok ? el('p', { text: `Operator set-up: ${preset.name}.` }) : problemView(setUp, 'Operator set-up'));
    }
    result.replaceChildren(
      okView(`Account ${accountId} created.`, [
        el('p', {}, ['Its key (shown once, kept in this tab only — copy it now): ', el('code', { 'data-field': 'new-account-key', text: apiKey })]),
        ...parts,
        el('p', { text: 'Set its policy under "Manage" in its section below.' }),
      ]),
    );
    result.dataset.accountId = accountId;
    form.reset();
    onCreated(accountId);
  } finally {
    button.disabled = false;
  }
}

// ---- per account: pause, resume, the policy ---------------------------------------------

/** The "Manage" part of an account's section; `update(account)` follows the status. */
export function accountManager(accountId) {
  const path = `/accounts/${encodeURIComponent(accountId)}`;
  const keyInput = el('input', { type: 'password', autocomplete: 'off', spellcheck: 'false', 'data-field': 'account-key', placeholder: 'hk_…' });
  keyInput.value = session.get(accountKeyName(accountId));
  keyInput.addEventListener('input', () => session.set(accountKeyName(accountId), keyInput.value.trim()));
  const accountKey = () => keyInput.value.trim();

  const pause = el('button', { type: 'button', class: 'secondary', 'data-action': 'pause', text: 'Pause' });
  const resume = el('button', { type: 'button', class: 'secondary', 'data-action': 'resume', text: 'Resume' });
  const pauseResult = el('div', { class: 'result', 'data-result': 'pause', 'aria-live': 'polite' });
  const policy = el('textarea', { rows: '14', spellcheck: 'false', 'data-field': 'policy', 'aria-label': 'Policy (JSON)' });
  const load = el('button', { type: 'button', class: 'secondary', 'data-action': 'load-config', text: 'Load current policy' });
  const save = el('button', { type: 'submit', 'data-action': 'save-config', text: 'Save policy' });
  const version = el('span', { class: 'muted', 'data-field': 'config-version' });
  const configResult = el('div', { class: 'result', 'data-result': 'config', 'aria-live': 'polite' });
  const form = el('form', { class: 'policy-form', 'data-form': 'config' }, [
    el('label', { text: 'Policy (what PUT /accounts/{id}/config takes, as JSON)' }),
    policy,
    el('div', { class: 'row' }, [load, save, version]),
    configResult,
  ]);
  let expectedVersion;

  /** Who acts: the account (its key) when its key is given, else the operator (the admin key). */
  const actor = () => (accountKey() ? { key: accountKey(), as: 'the account' } : adminKey() ? { key: adminKey(), as: 'the operator' } : undefined);
  const needKey = (result) => result.replaceChildren(el('div', { class: 'problem', role: 'alert', text: 'Enter the account key here, or the admin key above.' }));

  async function setPaused(paused) {
    const who = actor();
    if (!who) return needKey(pauseResult);
    const body = paused ? { reason: 'paused from the dashboard' } : {};
    const answer = await api('POST', `${path}/${paused ? 'pause' : 'resume'}`, { key: who.key, body });
    pauseResult.replaceChildren(answer.ok ? okView(`${paused ? 'Paused' : 'Resumed'} as ${who.as}: now ${answer.json?.status ?? '?'}.`) : problemView(answer, paused ? 'Pause' : 'Resume'));
  }

  function template() {
    const preset = presets.find((p) => p.id === session.get(presetName(accountId))) ?? presets[0];
    return preset?.policy ?? { underlying: 'ETH', band: { unit: 'units', trigger: 1, target: 'zero' } };
  }

  async function loadPolicy() {
    const who = actor();
    if (!who) return needKey(configResult);
    const answer = await api('GET', `${path}/config`, { key: who.key });
    if (answer.status === 404) {
      expectedVersion = 0;
      policy.value = JSON.stringify(template(), null, 2);
      version.textContent = 'no configuration yet: a starting policy is filled in';
      configResult.replaceChildren();
      return;
    }
    if (!answer.ok) return configResult.replaceChildren(problemView(answer, 'Load policy'));
    expectedVersion = answer.json.version;
    policy.value = JSON.stringify(answer.json.config ?? template(), null, 2);
    version.textContent = answer.json.config ? `version ${expectedVersion}` : `version ${expectedVersion}, no policy yet: a starting policy is filled in`;
    configResult.replaceChildren();
  }

  async function savePolicy() {
    if (expectedVersion === undefined) await loadPolicy();
    if (expectedVersion === undefined) return;
    // The body goes as typed: what is wrong with it, JSON included, is the API's to say.
    const answer = await api('PUT', `${path}/config`, { key: accountKey(), body: policy.value, headers: { 'if-match': `"${expectedVersion}"` } });
    if (!answer.ok) return configResult.replaceChildren(problemView(answer, 'Save policy'));
    expectedVersion = answer.json.version ?? Number(String(answer.etag ?? '').replaceAll('"', ''));
    version.textContent = `version ${expectedVersion}`;
    configResult.replaceChildren(okView(`Saved: version ${expectedVersion}. The next evaluation hedges by it.`));
  }

  const busy = (button, run) => async () => {
    button.disabled = true;
    try {
      await run();
    } finally {
      button.disabled = false;
    }
  };
  pause.addEventListener('click', busy(pause, () => setPaused(true)));
  resume.addEventListener('click', busy(resume, () => setPaused(false)));
  load.addEventListener('click', busy(load, loadPolicy));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(save, savePolicy)();
  });

  const node = el('details', { class: 'manage', 'data-manage': accountId }, [
    el('summary', { text: 'Manage: policy, pause and resume' }),
    el('div', { class: 'manage-body' }, [
      el('label', { class: 'key' }, ['Account key ', keyInput]),
      el('p', { class: 'muted', text: 'Kept in this tab only. Without it, pause, resume and reading the policy use the admin key; only the account may change its policy.' }),
      el('div', { class: 'row' }, [pause, resume]),
      pauseResult,
      form,
    ]),
  ]);
  return {
    node,
    update(account) {
      pause.disabled = account.status === 'paused';
      resume.disabled = account.status !== 'paused';
    },
    /** Opens it (an account just made here). */
    open() {
      node.open = true;
    },
  };
}
