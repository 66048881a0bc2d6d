import { api, SCENARIOS, type DrillRow } from './api.js';
import { badge, h, ms } from './dom.js';
import { repairPanels } from './repair-panel.js';

/** The drill list, newest first, with a form to start one. */
export async function drillsPage(root: HTMLElement, go: (hash: string) => void): Promise<void> {
  const { items } = await api<{ items: DrillRow[] }>('/drills?limit=100');
  // The lab, and every target the history names: each that is not ready gets a Repair button.
  const repairs = await repairPanels([...new Set(['lab', ...items.map((drill) => drill.target)])], go);
  const scenario = h('select', { id: 'scenario' }, ...SCENARIOS.map((name) => h('option', { value: name }, name)));
  const planned = h('input', { type: 'checkbox', id: 'planned' });
  // The probe's stop conditions; left empty, the drill has none.
  const maxOutage = h('input', { type: 'number', id: 'max-outage-ms', min: '1', placeholder: 'none', class: 'budget' });
  const maxFailed = h('input', { type: 'number', id: 'max-failed-writes', min: '0', placeholder: 'none', class: 'budget' });
  const message = h('p', { class: 'message', id: 'run-message' });
  const run = h('button', { id: 'run-drill' }, 'Run drill');
  run.addEventListener('click', () => {
    run.disabled = true;
    const options = {
      planned: planned.checked,
      ...(maxOutage.value === '' ? {} : { maxClientOutageMs: Number(maxOutage.value) }),
      ...(maxFailed.value === '' ? {} : { maxFailedWrites: Number(maxFailed.value) }),
    };
    api<{ id: string }>('/drills', { method: 'POST', body: { scenario: scenario.value, options } })
      .then(({ id }) => go(`#/drills/${id}`))
      .catch((error: Error) => {
        message.textContent = error.message;
        run.disabled = false;
      });
  });
  const rows = items.map((drill) =>
    h(
      'tr',
      { 'data-drill': drill.id },
      h('td', {}, h('a', { href: `#/drills/${drill.id}` }, new Date(drill.requestedAt).toLocaleString())),
      h('td', {}, drill.scenario),
      h('td', {}, drill.target),
      h('td', {}, drill.trigger),
      h('td', {}, badge(drill.status)),
      h('td', { class: 'number' }, ms(drill.killToServingMs)),
      h('td', { class: 'number' }, ms(drill.clientRtoMs)),
      h('td', { class: 'number' }, drill.lostAckedWrites === undefined ? '–' : String(drill.lostAckedWrites)),
      h('td', { class: 'number' }, ms(drill.totalMs)),
    ),
  );
  root.replaceChildren(
    h(
      'section',
      { class: 'toolbar' },
      h('label', {}, 'Scenario ', scenario),
      h('label', {}, planned, ' planned'),
      h('label', { title: 'stop the drill when the clients go longer than this without a successful write' }, 'max outage ms ', maxOutage),
      h('label', { title: 'stop the drill when more probe writes than this fail' }, 'max failed writes ', maxFailed),
      run,
      message,
    ),
    ...repairs,
    h('h1', {}, 'Drills'),
    items.length === 0
      ? h('p', { id: 'no-drills' }, 'No drill has run yet.')
      : h(
          'table',
          { id: 'drills' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['requested', 'scenario', 'target', 'trigger', 'status', 'kill → ok', 'client RTO', 'lost writes', 'total'].map((title) =>
                h('th', {}, title),
              ),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
  );
}
