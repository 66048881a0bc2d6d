import { api, type DrillRow } from './api.js';
import { Chart } from './charts.js';
import { h } from './dom.js';

/** Recovery across drills, oldest to newest: kill → ok, client-side RTO, lost acknowledged writes. */
export async function trendsPage(root: HTMLElement): Promise<void> {
  const { items } = await api<{ items: DrillRow[] }>('/drills?status=succeeded&limit=200');
  const drills = items.filter((drill) => drill.killToServingMs !== undefined).reverse();
  const labels = drills.map((drill) => new Date(drill.requestedAt).toLocaleString());
  const recovery = h('canvas', { id: 'trend-recovery', height: '280' });
  const losses = h('canvas', { id: 'trend-losses', height: '200' });
  root.replaceChildren(
    h('h1', {}, 'Trends'),
    h('p', { class: 'meta', id: 'trend-count' }, `${drills.length} successful drills`),
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
        { label: 'kill → cluster_state:ok (ms)', data: drills.map((drill) => drill.killToServingMs ?? null), borderColor: '#1565c0' },
        { label: 'client-side RTO (ms)', data: drills.map((drill) => drill.clientRtoMs ?? null), borderColor: '#ef6c00' },
        { label: 'kill → fully redundant (ms)', data: drills.map((drill) => drill.killToRedundantMs ?? null), borderColor: '#6a1b9a' },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0 } } },
  });
  new Chart(losses, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'lost acknowledged writes', data: drills.map((drill) => drill.lostAckedWrites ?? null), backgroundColor: '#c62828' },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, ticks: { precision: 0 } } } },
  });
}
