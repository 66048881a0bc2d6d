import { api } from './api.js';
import { h } from './dom.js';

/** `POST /api/targets/{name}/repair`'s answer. */
interface RepairAnswer {
  target: string;
  ready: boolean;
  findings: string[];
  serving?: string;
  actions: { kind: string; description: string; nodes: string[] }[];
  blocked?: string;
  drillId?: string;
}

const dryRun = (target: string): Promise<RepairAnswer> =>
  api<RepairAnswer>(`/targets/${encodeURIComponent(target)}/repair`, { method: 'POST', body: { dryRun: true } });

/**
 * A panel per target that is not ready for a failover drill: what is wrong, in the readiness
 * check's words, and a Repair button that shows the dry run's plan and asks to confirm before
 * queuing the repair drill. Looking needs the operator role; for a viewer nothing is shown.
 */
export async function repairPanels(targets: readonly string[], go: (hash: string) => void): Promise<HTMLElement[]> {
  const looks = await Promise.all(targets.map((target) => dryRun(target).catch(() => undefined)));
  return looks.filter((look): look is RepairAnswer => look !== undefined && !look.ready).map((look) => panel(look, go));
}

function panel(look: RepairAnswer, go: (hash: string) => void): HTMLElement {
  const message = h('p', { class: 'message' });
  const plan = h('div', { class: 'repair-plan' });
  const repair = h('button', { class: 'repair-button', 'data-target': look.target }, 'Repair');
  const confirm = h('button', { class: 'repair-confirm', hidden: '' }, 'Confirm repair');
  repair.addEventListener('click', () => {
    repair.disabled = true;
    // The plan as the target stands now, not as the page found it.
    dryRun(look.target)
      .then((now) => {
        plan.replaceChildren(...planOf(now));
        confirm.hidden = now.ready || now.blocked !== undefined;
        repair.disabled = false;
      })
      .catch((error: Error) => {
        message.textContent = error.message;
        repair.disabled = false;
      });
  });
  confirm.addEventListener('click', () => {
    confirm.disabled = true;
    api<RepairAnswer>(`/targets/${encodeURIComponent(look.target)}/repair`, { method: 'POST', body: {} })
      .then((answer) => (answer.drillId ? go(`#/drills/${answer.drillId}`) : plan.replaceChildren(...planOf(answer))))
      .catch((error: Error) => {
        message.textContent = error.message;
        confirm.disabled = false;
      });
  });
  return h(
    'section',
    { class: 'repair', id: `repair-${look.target}` },
    h('h2', {}, `Target ${look.target} is not ready for a drill`),
    h('ul', { class: 'findings' }, ...look.findings.map((finding) => h('li', {}, finding))),
    repair,
    plan,
    confirm,
    message,
  );
}

function planOf(answer: RepairAnswer): HTMLElement[] {
  if (answer.ready) {
    return [h('p', {}, 'The target is ready now: nothing to repair.')];
  }
  if (answer.blocked) {
    return [h('p', { class: 'error' }, `Repair cannot fix this: ${answer.blocked}`)];
  }
  return [
    h('p', {}, 'The repair will:'),
    h(
      'ol',
      { class: 'repair-actions' },
      ...answer.actions.map((action) => h('li', { 'data-kind': action.kind }, `${action.description} (${action.nodes.join(', ')})`)),
    ),
  ];
}
