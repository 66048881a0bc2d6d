import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_FAILOVER_STEPS } from '../src/drills/scenarios.js';
import type { DrillListDto } from '../src/drills/drill-list.dto.js';
import type { ProbeFiguresDto } from '../src/probe/probe-report.dto.js';
import { ERROR_KINDS } from '../src/probe/probe-report.js';
import { drillFinished, fetchAs, getDrill, post, startService, TEST_TOKENS, type RunningService } from './support/service.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { drillEnded } from './support/drill-outcome.js';

const LAB = await freeLab('rdtest-web');
/** How long a canvas's PNG encoding is; runs in the page. */
const encodedLength = (canvas: unknown): number => (canvas as { toDataURL(): string }).toDataURL().length;
/** The labels and datasets of the Chart.js chart drawn on a canvas; runs in the page, where the dashboard puts `Chart` on `window`. */
const chartData = (canvas: unknown): { labels: unknown[]; datasets: { label: string; data: unknown[] }[] } => {
  type Drawn = { data: { labels: unknown[]; datasets: { label: string; data: unknown[] }[] } };
  const chart = (globalThis as unknown as { Chart: { getChart(canvas: unknown): Drawn | undefined } }).Chart.getChart(canvas);
  if (!chart) {
    throw new Error('no chart on this canvas');
  }
  return { labels: chart.data.labels, datasets: chart.data.datasets.map(({ label, data }) => ({ label, data })) };
};
/** Screenshots of each page, kept as the run's artifacts. */
const ARTIFACTS = 'test-artifacts/dashboard';

describe('the dashboard, in a real browser', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService;
  let browser: Browser;
  let page: Page;
  let firstDrill: string;
  const root = () => service.base.replace(/\/api$/, '/');
  const start = async (body: unknown) => ((await (await post(service.base, '/drills', body)).json()) as { id: string }).id;

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-web-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    service = await startService({
      DATABASE_PATH: join(directory, 'drills.sqlite'),
      LAB_NAME: LAB.name,
      LAB_BASE_PORT: String(LAB.basePort),
    });
    firstDrill = ((await (await post(service.base, '/drills', { scenario: 'group-failover' })).json()) as { id: string }).id;
    await drillEnded(service.base, firstDrill, 'succeeded');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const signIn = async (secret: string) => {
    await page.goto(root());
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.locator('#token').fill(secret);
    await page.locator('#login button[type=submit]').click();
  };

  it('asks for a token, refuses an unknown one, then lists the drill with its figures', async () => {
    await signIn('not-a-token-of-this-service');
    await expect.poll(() => page.locator('#login .error').textContent()).toBe('That token is not one this service knows.');
    await signIn(TEST_TOKENS.operator);
    const row = page.locator(`#drills tr[data-drill="${firstDrill}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('succeeded');
    expect(await row.locator('td.number').first().textContent()).toMatch(/^\d+ ms$/);
    // The failover left group A stopped: the target is not ready, and the Repair button shows the plan before anything is done.
    const repair = page.locator('#repair-lab');
    expect(await repair.locator('.findings').textContent()).toContain(`container ${LAB.name}-a1 of a1 is not running`);
    expect(await repair.locator('.repair-confirm').isVisible()).toBe(false);
    await repair.locator('.repair-button').click();
    await repair.locator('.repair-actions li[data-kind="restore-standby-group"]').waitFor();
    expect(await repair.locator('.repair-confirm').isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/1-drills.png`, fullPage: true });
  });

  it('shows a drill: its steps on a timeline, its figures, and its event log', async () => {
    await page.locator(`#drills tr[data-drill="${firstDrill}"] a`).click();
    await page.locator('#steps tr[data-step="verify"] .badge[data-status="succeeded"]').waitFor();
    for (const step of GROUP_FAILOVER_STEPS) {
      expect(await page.locator(`#steps tr[data-step="${step}"] .badge`).textContent()).toBe('succeeded');
    }
    expect(await page.locator('#figures').textContent()).toMatch(/kill → cluster_state:ok\d+ ms/);
    // The lab's one server, from the drill's ServersIdentified event.
    expect(await page.locator('#drill-servers').textContent()).toMatch(/^drilled on (redis|valkey) \d+\.\d+\.\d+$/);
    expect(await page.locator('#events tbody tr').count()).toBeGreaterThan(20);
    // The chart drew something: a blank canvas encodes to a short, uniform image.
    const drawn = await page.locator('#timeline').evaluate(encodedLength);
    expect(drawn).toBeGreaterThan(5_000);

    // The probe's report, shard by shard, as the API gives it.
    const { probe } = await getDrill(service.base, firstDrill);
    expect(probe?.shards).toHaveLength(3);
    const figureCells = (figures: ProbeFiguresDto) =>
      [figures.writes, figures.acked, figures.failed, figures.unknown, figures.lostAckedWrites, figures.failedButPresent]
        .map(String)
        .concat(`${figures.clientRtoMs.toFixed(0)} ms`);
    expect(await page.locator('#probe-shards tbody tr[data-slot]').count()).toBe(probe!.shards.length);
    for (const shard of probe!.shards) {
      expect(shard.writes).toBeGreaterThan(0);
      const cells = (table: string) => page.locator(`#${table} tr[data-slot="${shard.slot}"] td`).allTextContents();
      expect(await cells('probe-shards')).toEqual([`slot ${shard.slot}`, ...figureCells(shard)]);
      expect(await cells('probe-errors')).toEqual([`slot ${shard.slot}`, ...ERROR_KINDS.map((kind) => String(shard.errors[kind]))]);
    }
    expect(await page.locator('#probe-shards tr[data-overall] td').allTextContents()).toEqual(['all', ...figureCells(probe!)]);
    expect(await page.locator('#probe-errors tr[data-overall] td').allTextContents()).toEqual([
      'all',
      ...ERROR_KINDS.map((kind) => String(probe!.errors[kind])),
    ]);
    expect(await page.locator('#figures').textContent()).toContain(`failed writes there afterwards${probe!.failedButPresent}`);
    await page.screenshot({ path: `${ARTIFACTS}/2-drill.png`, fullPage: true });
  });

  it('starts a drill from the list and follows it live to its end', async () => {
    await page.locator('[data-nav="drills"]').click();
    await page.locator('#scenario').selectOption('group-failover');
    // Budgets far above what a failover costs: they are carried to the drill, and do not stop it.
    await page.locator('#max-outage-ms').fill('60000');
    await page.locator('#max-failed-writes').fill('100000');
    await page.locator('#run-drill').click();
    await page.waitForURL(/#\/drills\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').at(-1)!;
    expect(id).not.toBe(firstDrill);
    await page.locator('h1 .badge[data-status="succeeded"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#steps tr[data-step="replicate"] .badge').textContent()).toBe('succeeded');
    expect(await drillFinished(service.base, id)).toMatchObject({
      status: 'succeeded',
      options: { planned: false, maxClientOutageMs: 60000, maxFailedWrites: 100000 },
    });
    await page.screenshot({ path: `${ARTIFACTS}/4-live-drill.png`, fullPage: true });
  });

  it('aborts a drill from its page: one queued behind a running drill stops without starting', async () => {
    const ahead = await start({ scenario: 'group-failover' });
    const behind = await start({ scenario: 'group-failover', waitForTarget: true });
    await page.goto(`${root()}#/drills/${behind}`);
    await page.locator('h1 .badge[data-status="queued"]').waitFor();
    const reason = 'stopped from the browser test';
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.accept(reason);
    });
    const abortAnswer = page.waitForResponse((response) => response.url().endsWith(`/api/drills/${behind}/abort`));
    await page.locator('#abort-drill').click();
    const answer = await abortAnswer;
    expect(asked).toEqual(['prompt: Why is this drill stopped?']);
    expect(answer.status()).toBe(202);
    expect(await answer.json()).toEqual({ id: behind, status: 'queued', reason });

    await page.locator('h1 .badge[data-status="aborted"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#abort-drill').count()).toBe(0);
    expect(await page.locator('#drill-error').textContent()).toBe(`aborted: ${reason}`);
    expect(await drillFinished(service.base, behind)).toMatchObject({ status: 'aborted', error: `aborted: ${reason}`, steps: [] });
    const events = (await (await fetchAs(`${service.base}/drills/${behind}/events`)).json()) as {
      items: { type: string; actor: string; data: unknown }[];
    };
    expect(events.items.find((event) => event.type === 'AbortRequested')).toMatchObject({ actor: 'operator-token', data: { reason } });
    // The abort stopped only the drill it was asked for.
    await drillEnded(service.base, ahead, 'succeeded');
    await page.screenshot({ path: `${ARTIFACTS}/5-aborted-drill.png`, fullPage: true });
  });

  it('charts every finished drill on the trends page, oldest first, reading the list page by page', async () => {
    const newestFirst = ((await (await fetchAs(`${service.base}/drills?limit=200`, {}, 'viewer')).json()) as DrillListDto).items;
    expect(newestFirst).toHaveLength(4);
    const finished = newestFirst.filter((drill) => ['succeeded', 'failed', 'aborted'].includes(drill.status)).reverse();
    expect(finished.map((drill) => drill.status).sort()).toEqual(['aborted', 'succeeded', 'succeeded', 'succeeded']);

    // One drill a page, so that the page must follow nextCursor to the last one.
    let pagesRead = 0;
    const onePerPage = (url: URL) => url.pathname === '/api/drills' && url.searchParams.has('limit');
    await page.route(onePerPage, (route) => {
      pagesRead++;
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '1');
      return route.continue({ url: url.toString() });
    });
    try {
      await page.locator('[data-nav="trends"]').click();
      await expect.poll(() => page.locator('#trend-count').textContent()).toBe('4 finished drills: 3 succeeded, 0 failed, 1 aborted');
    } finally {
      await page.unroute(onePerPage);
    }
    expect(pagesRead).toBe(4);

    const recovery = await page.locator('#trend-recovery').evaluate(chartData);
    expect(recovery.labels.map((label) => (label as string[])[1])).toEqual(finished.map((drill) => drill.status));
    expect(recovery.datasets).toEqual([
      { label: 'kill → cluster_state:ok (ms)', data: finished.map((drill) => drill.killToServingMs ?? null) },
      { label: 'client-side RTO (ms)', data: finished.map((drill) => drill.clientRtoMs ?? null) },
      { label: 'kill → fully redundant (ms)', data: finished.map((drill) => drill.killToRedundantMs ?? null) },
    ]);
    const losses = await page.locator('#trend-losses').evaluate(chartData);
    expect(losses.labels).toEqual(recovery.labels);
    expect(losses.datasets).toEqual([{ label: 'lost acknowledged writes', data: finished.map((drill) => drill.lostAckedWrites ?? null) }]);
    // The aborted drill never started: it is a gap in every series, not a zero.
    const aborted = finished.findIndex((drill) => drill.status === 'aborted');
    expect([...recovery.datasets, ...losses.datasets].map((series) => series.data[aborted])).toEqual([null, null, null, null]);
    expect(losses.datasets[0]!.data.filter((value) => typeof value === 'number')).toHaveLength(3);
    for (const canvas of ['#trend-recovery', '#trend-losses']) {
      expect(await page.locator(canvas).evaluate(encodedLength)).toBeGreaterThan(5_000);
    }
    await page.screenshot({ path: `${ARTIFACTS}/3-trends.png`, fullPage: true });
  });

  it('tells a viewer that starting a drill needs the operator role', async () => {
    await signIn(TEST_TOKENS.viewer);
    await page.locator('#run-drill').click();
    await expect.poll(() => page.locator('#run-message').textContent()).toBe('token viewer-token has the role viewer; this needs operator');
  });
});
