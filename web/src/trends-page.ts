import { api, FINISHED, type DrillList, type DrillRow } from './api.js';
import { Chart } from './charts.js';
import { h } from './dom.js';

/** The API's largest page. */
const PAGE_SIZE = 200;
/** Months of nightly drills; past it the page charts the newest ones, so that it stays quick. */
const MAX_DRILLS = 1000;

/**
 * Recovery across finished drills, oldest to newest: kill → ok, client-side RTO, lost acknowledged
 * writes. Failed and aborted drills are charted too, since that is where writes get lost.
 */
export async function trendsPage(root: HTMLElement): Promise<void> {
  const { drills, more } = await finishedDrills();
  const labels = drills.map((drill) => [new Date(drill.requestedAt).toLocaleString(), drill.status]);
  // A drill without a figure (aborted before the kill, probe off) is a gap in the line, not a zero.
  const figure = (pick: (drill: DrillRow) => number | undefined) => drills.map((drill) => pick(drill) ?? null);
  const count = (status: string) => drills.filter((drill) => drill.status === status).length;
  const recovery = h('canvas', { id: 'trend-recovery', height: '280' });
  const losses = h('canvas', { id: 'trend-losses', height: '200' });
  root.replaceChildren(
    h('h1', {}, 'Trends'),
    h(
      'p',
      { class: 'meta', id: 'trend-count' },
      `${drills.length} finished drills: ${FINISHED.map((status) => `${count(status)} ${status}`).join(', ')}`,
      more ? `; drills older than the newest ${MAX_DRILLS} are left out` : '',
    ),
    h('h2', {}, 'Recovery time'),
    h('div', { class: 'chart' }, recovery),
    h('h2', {}, 'Lost acknowledged writes'),
    h('div', { class: 'chart' }, losses),
  );
  new Chart(recovery, {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: 'kill → cluster_state:ok (ms)', data: figure((drill) => drill.killToServingMs), borderColor: '#1565c0' },
        { label: 'client-side RTO (ms)', data: figure((drill) => drill.clientRtoMs), borderColor: '#ef6c00' },
        { label: 'kill → fully redundant (ms)', data: figure((drill) => drill.killToRedundantMs), borderColor: '#6a1b9a' },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0 } } },
  });
  new Chart(losses, {
    type: 'bar',
    data: {
      labels,
      datasets: [{ label: 'lost acknowledged writes', data: figure((drill) => drill.lostAckedWrites), backgroundColor: '#c62828' }],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, ticks: { precision: 0 } } } },
  });
}

/** The finished drills among the newest `MAX_DRILLS`, oldest first, and whether older ones were left out. */
async function finishedDrills(): Promise<{ drills: DrillRow[]; more: boolean }> {
  const newestFirst: DrillRow[] = [];
  let cursor: string | undefined;
  let read = 0;
  // The list filters on one status only, so the pages are read whole and the unfinished ones skipped.
  do {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor === undefined ? {} : { cursor }) });
    const page = await api<DrillList>(`/drills?${query}`);
    newestFirst.push(...page.items.filter((drill) => FINISHED.includes(drill.status)));
    read += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && read < MAX_DRILLS);
  return { drills: newestFirst.reverse(), more: cursor !== undefined };
}
