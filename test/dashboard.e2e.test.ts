import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_FAILOVER_PLAN } from '../src/drills/drill-events.js';
import { drillFinished, post, startService, TEST_TOKENS, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = { name: 'rdtest-web', basePort: 8600 };
/** How long a canvas's PNG encoding is; runs in the page. */
const encodedLength = (canvas: unknown): number => (canvas as { toDataURL(): string }).toDataURL().length;
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
    expect((await drillFinished(service.base, firstDrill)).status).toBe('succeeded');
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
    await page.screenshot({ path: `${ARTIFACTS}/1-drills.png`, fullPage: true });
  });

  it('shows a drill: its steps on a timeline, its figures, and its event log', async () => {
    await page.locator(`#drills tr[data-drill="${firstDrill}"] a`).click();
    await page.locator('#steps tr[data-step="verify"] .badge[data-status="succeeded"]').waitFor();
    for (const step of GROUP_FAILOVER_PLAN) {
      expect(await page.locator(`#steps tr[data-step="${step}"] .badge`).textContent()).toBe('succeeded');
    }
    expect(await page.locator('#figures').textContent()).toMatch(/kill → cluster_state:ok\d+ ms/);
    expect(await page.locator('#events tbody tr').count()).toBeGreaterThan(20);
    // The chart drew something: a blank canvas encodes to a short, uniform image.
    const drawn = await page.locator('#timeline').evaluate(encodedLength);
    expect(drawn).toBeGreaterThan(5_000);
    await page.screenshot({ path: `${ARTIFACTS}/2-drill.png`, fullPage: true });
  });

  it('charts recovery across drills on the trends page', async () => {
    await page.locator('[data-nav="trends"]').click();
    await expect.poll(() => page.locator('#trend-count').textContent()).toBe('1 successful drills');
    const drawn = await page.locator('#trend-recovery').evaluate(encodedLength);
    expect(drawn).toBeGreaterThan(5_000);
    await page.screenshot({ path: `${ARTIFACTS}/3-trends.png`, fullPage: true });
  });

  it('starts a drill from the list and follows it live to its end', async () => {
    await page.locator('[data-nav="drills"]').click();
    await page.locator('#scenario').selectOption('group-failover');
    await page.locator('#run-drill').click();
    await page.waitForURL(/#\/drills\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').at(-1)!;
    expect(id).not.toBe(firstDrill);
    await page.locator('h1 .badge[data-status="succeeded"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#steps tr[data-step="replicate"] .badge').textContent()).toBe('succeeded');
    expect((await drillFinished(service.base, id)).status).toBe('succeeded');
    await page.screenshot({ path: `${ARTIFACTS}/4-live-drill.png`, fullPage: true });
  });

  it('tells a viewer that starting a drill needs the operator role', async () => {
    await signIn(TEST_TOKENS.viewer);
    await page.locator('#run-drill').click();
    await expect.poll(() => page.locator('#run-message').textContent()).toBe('token viewer-token has the role viewer; this needs operator');
  });
});
