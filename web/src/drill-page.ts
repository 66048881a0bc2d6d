import { api, ERROR_KINDS, FINISHED, type Drill, type ProbeFigures, type Timeline } from './api.js';
import { Chart, STATUS_COLOURS } from './charts.js';
import { badge, h, ms } from './dom.js';

const REFRESH_MS = 1000;

/**
 * One drill: its steps on a time axis (a Gantt chart) with its domain events as points, the
 * headline figures, the probe's report shard by shard, and its event log. While it runs the page
 * refreshes itself.
 */
export async function drillPage(root: HTMLElement, id: string, stillShown: () => boolean): Promise<void> {
  let chart: Chart | undefined;
  const render = async (): Promise<boolean> => {
    const [drill, timeline, events] = await Promise.all([
      api<Drill>(`/drills/${id}`),
      api<Timeline>(`/drills/${id}/timeline`),
      api<{ items: { sequence: number; type: string; occurredAt: string; actor: string; data: unknown }[] }>(
        `/drills/${id}/events?limit=1000`,
      ),
    ]);
    const abort = h('button', { id: 'abort-drill' }, 'Abort');
    abort.addEventListener('click', () => {
      const reason = prompt('Why is this drill stopped?', 'stopped from the dashboard');
      if (reason) {
        void api(`/drills/${id}/abort`, { method: 'POST', body: { reason } }).catch((error: Error) => alert(error.message));
      }
    });
    const finished = FINISHED.includes(drill.status);
    const figures: [string, string][] = [
      ['kill → cluster_state:ok', ms(drill.timings.killToServingMs)],
      ['kill → fully redundant', ms(drill.timings.killToRedundantMs)],
      ['failback', ms(drill.timings.failbackMs)],
      ['whole drill', ms(drill.timings.totalMs)],
      ['client-side RTO', ms(drill.probe?.clientRtoMs)],
      ['lost acknowledged writes', drill.probe ? String(drill.probe.lostAckedWrites) : '–'],
      ['failed writes there afterwards', drill.probe ? String(drill.probe.failedButPresent) : '–'],
    ];
    const canvas = h('canvas', { id: 'timeline', height: '260' });
    root.replaceChildren(
      h('h1', {}, `${drill.scenario} on ${drill.target} `, badge(drill.status), finished ? null : abort),
      h('p', { class: 'meta' }, `${drill.id} · ${drill.trigger} · requested ${new Date(drill.requestedAt).toLocaleString()}`),
      ...(drill.servers ? [h('p', { class: 'meta', id: 'drill-servers' }, `drilled on ${serversLine(drill.servers)}`)] : []),
      ...(drill.error ? [h('p', { class: 'error', id: 'drill-error' }, drill.error)] : []),
      h(
        'section',
        { class: 'figures', id: 'figures' },
        ...figures.map(([name, value]) => h('div', {}, h('span', {}, name), h('strong', {}, value))),
      ),
      h('h2', {}, 'Timeline'),
      h('div', { class: 'chart' }, canvas),
      h(
        'table',
        { id: 'steps' },
        h('thead', {}, h('tr', {}, ...['step', 'status', 'duration', 'error'].map((title) => h('th', {}, title)))),
        h(
          'tbody',
          {},
          ...drill.steps.map((step) =>
            h(
              'tr',
              { 'data-step': step.name },
              h('td', {}, step.name),
              h('td', {}, badge(step.status)),
              h('td', { class: 'number' }, ms(step.durationMs)),
              h('td', {}, step.error ?? ''),
            ),
          ),
        ),
      ),
      ...probeSection(drill),
      h('h2', {}, 'Events'),
      h(
        'table',
        { id: 'events', class: 'compact' },
        h('thead', {}, h('tr', {}, ...['#', 'type', 'at', 'actor', 'data'].map((title) => h('th', {}, title)))),
        h(
          'tbody',
          {},
          ...events.items.map((event) =>
            h(
              'tr',
              {},
              h('td', {}, String(event.sequence)),
              h('td', {}, event.type),
              h('td', {}, event.occurredAt),
              h('td', {}, event.actor),
              h('td', { class: 'data' }, JSON.stringify(event.data)),
            ),
          ),
        ),
      ),
    );
    chart?.destroy();
    chart = timelineChart(canvas, timeline);
    return finished;
  };
  // Live progress: look again every second until the drill has finished or the page changed.
  while (!(await render()) && stillShown()) {
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    if (!stillShown()) {
      return;
    }
  }
}

/** `valkey 8.1.1`, or each server and version with its nodes when the target runs several. */
function serversLine(servers: NonNullable<Drill['servers']>): string {
  return servers.length === 1
    ? `${servers[0]!.server} ${servers[0]!.version}`
    : servers.map(({ server, version, nodes }) => `${server} ${version} (${nodes.join(', ')})`).join('; ');
}

/** The live probe's report: one row per shard and one for all, then its errors by kind. */
function probeSection(drill: Drill): Node[] {
  if (!drill.probe) {
    return drill.probeLost ? [h('h2', {}, 'Probe'), h('p', { class: 'error', id: 'probe-lost' }, `No report: ${drill.probeLost}`)] : [];
  }
  const probe = drill.probe;
  const rows: { name: string; slot?: number; figures: ProbeFigures }[] = [
    ...probe.shards.map((shard) => ({ name: `slot ${shard.slot}`, slot: shard.slot, figures: shard })),
    { name: 'all', figures: probe },
  ];
  const table = (id: string, columns: string[], cells: (figures: ProbeFigures) => string[]) =>
    h(
      'table',
      { id },
      h('thead', {}, h('tr', {}, ...['shard', ...columns].map((title) => h('th', {}, title)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            row.slot === undefined ? { 'data-overall': '' } : { 'data-slot': String(row.slot) },
            h('td', {}, row.name),
            ...cells(row.figures).map((cell) => h('td', { class: 'number' }, cell)),
          ),
        ),
      ),
    );
  return [
    h('h2', {}, 'Probe'),
    h(
      'p',
      { class: 'meta', id: 'probe-summary' },
      `${probe.writes} writes at ${probe.writesPerSecond}/s across ${probe.shards.length} shards over ${ms(probe.durationMs)}`,
    ),
    table('probe-shards', ['writes', 'acked', 'failed', 'unknown', 'lost acked', 'failed but present', 'longest outage'], (figures) => [
      ...[figures.writes, figures.acked, figures.failed, figures.unknown, figures.lostAckedWrites, figures.failedButPresent].map(String),
      ms(figures.clientRtoMs),
    ]),
    h('h3', {}, 'Failed writes by error'),
    table('probe-errors', [...ERROR_KINDS], (figures) => ERROR_KINDS.map((kind) => String(figures.errors[kind]))),
  ];
}

function timelineChart(canvas: HTMLCanvasElement, timeline: Timeline): Chart {
  const names = timeline.steps.map((step) => step.name);
  const now = Math.max(0, ...timeline.events.map((event) => event.offsetMs));
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: names,
      datasets: [
        {
          label: 'steps',
          data: timeline.steps.map((step) =>
            step.startOffsetMs === undefined ? null : [step.startOffsetMs, step.endOffsetMs ?? now],
          ) as never,
          backgroundColor: timeline.steps.map((step) => STATUS_COLOURS[step.status] ?? '#607d8b'),
          borderSkipped: false,
        },
        {
          type: 'scatter',
          label: 'events',
          data: timeline.events.filter((event) => event.step).map((event) => ({ x: event.offsetMs, y: event.step! })) as never,
          backgroundColor: '#263238',
          pointRadius: 3,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'ms from the start' }, min: 0 },
        y: { type: 'category', labels: names },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const event = item.datasetIndex === 1 ? timeline.events.filter((candidate) => candidate.step)[item.dataIndex] : undefined;
              const step = timeline.steps[item.dataIndex];
              return event
                ? `${event.type} at ${event.offsetMs.toFixed(0)} ms`
                : `${step?.name}: ${step?.durationMs?.toFixed(1) ?? '…'} ms`;
            },
          },
        },
      },
    },
  });
}
