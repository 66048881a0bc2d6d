import { api, ApiError, token } from './api.js';
import { drillPage } from './drill-page.js';
import { drillsPage } from './drills-page.js';
import { h } from './dom.js';
import './style.css';
import { trendsPage } from './trends-page.js';

const root = document.getElementById('page')!;
let shown = 0;

/** Asks for an API token; it stays in this tab's session storage only. */
function loginPage(message = ''): void {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'API token', autocomplete: 'off' });
  const form = h(
    'form',
    { id: 'login' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste an API token (any role; starting drills needs operator).'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    h('p', { class: 'error' }, message),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    void route();
  });
  root.replaceChildren(form);
}

async function route(): Promise<void> {
  const visit = ++shown;
  if (!token.get()) {
    loginPage();
    return;
  }
  const hash = location.hash || '#/';
  document
    .querySelectorAll<HTMLElement>('[data-nav]')
    .forEach((link) => link.classList.toggle('active', hash.startsWith(`#/${link.dataset.nav === 'drills' ? '' : link.dataset.nav}`)));
  try {
    const drill = /^#\/drills\/([0-9a-f-]{36})$/.exec(hash);
    if (drill) {
      await drillPage(root, drill[1]!, () => visit === shown);
    } else if (hash === '#/trends') {
      await trendsPage(root);
    } else {
      await drillsPage(root, (next) => (location.hash = next));
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      token.clear();
      loginPage('That token is not one this service knows.');
      return;
    }
    root.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
  }
}

window.addEventListener('hashchange', () => void route());
void route();
void api('/health').catch(() => undefined);
