/**
 * The review of the shipped pair, opened in a real headless browser (Debian's chromium driven by
 * playwright-core): the request field table, the ignored fields with reasons, the stream event
 * table and the examples with their pass marks are on the page, the JSONata is folded away, and
 * the page loads nothing from anywhere. A full-page screenshot is kept in test-artifacts/. Then
 * the same page served by a running gateway at /admin/review, behind its keys.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReview, pairFileName } from '../../engine/review/write-review.js';
import { loadMappingSet, type MappingSet } from '../../engine/spec/load-mapping-set.js';
import { GATEWAY_KEY, REPO_ROOT, startHarness, type Harness } from '../helpers/gateway-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const PAIR = 'anthropic-to-openai-responses';
/** Upper bound for any single browser step. */
const STEP_MS = 20_000;

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: this test opens the review page in Debian's chromium. Install it with\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: STEP_MS,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The inner texts of the cells of one column of the table under a heading. */
function column(page: Page, headingId: string, cell: string, level = 'h2'): Promise<string[]> {
  return page.locator(`section:has(> ${level}#${headingId}) > table td.${cell}`).allInnerTexts();
}

describe('the review page in a browser', () => {
  let browser: Browser;
  let out: string;
  let set: MappingSet;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  /** The pair whose page is opened (several pairs are shipped). */
  const pairUnderReview = () => set.pairs.find((p) => p.name === PAIR)!;

  beforeAll(async () => {
    browser = await launch();
    const loaded = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
    expect(loaded.problems).toEqual([]);
    set = loaded.set!;
    out = await mkdtemp(path.join(os.tmpdir(), 'rosetta-review-page-'));
    await writeReview(set, out);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(STEP_MS);
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(pathToFileURL(path.join(out, pairFileName(PAIR))).href);
  });
  afterAll(async () => {
    await browser?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('shows the request field table with its known targets and what they come from', async () => {
    expect(await page.title()).toBe(PAIR);
    const targets = await column(page, 'request', 'target');
    expect(targets).toEqual(expect.arrayContaining(['model', 'input', 'instructions', 'max_output_tokens']));
    expect(targets.length).toBe((pairUnderReview().spec.request?.fields?.length ?? 0) + (pairUnderReview().spec.request?.rules?.length ?? 0));
    const modelRow = page.locator('tr#request-rule-model-to-upstream-model');
    await expect.poll(() => modelRow.locator('td.from').innerText()).toContain('models map');
    expect(await modelRow.innerText()).toContain("The client's model name becomes the upstream model");
  });

  it('folds the JSONata away until the reader opens it (no script needed)', async () => {
    const expression = page.locator('tr#request-rule-model-to-upstream-model td.expr details').first();
    expect(await expression.locator('pre').isVisible()).toBe(false);
    await expression.locator('summary').click();
    expect(await expression.locator('pre').innerText()).toContain('$mapModel(model)');
  });

  it('shows the ignored fields with their reasons', async () => {
    const topK = page.locator('section:has(> h2#ignored) tr', { hasText: 'top_k' }).first();
    expect(await topK.innerText()).toMatch(/top_k\s+The Responses API has no top_k/);
  });

  it('shows the stream event table and the ignored events', async () => {
    const events = await column(page, 'stream-events', 'target', 'h3');
    expect(events).toEqual(expect.arrayContaining(['response.created', 'response.output_text.delta', 'response.completed']));
    expect(events.length).toBe(Object.keys(pairUnderReview().spec.stream?.events ?? {}).length);
    expect(await page.locator('section:has(> h3#stream-ignored) tr', { hasText: 'response.in_progress' }).innerText()).toContain('Repeats the response');
  });

  it('shows every example with a pass mark, side by side when opened', async () => {
    const marks = await page.locator('table.examples td:first-child').allInnerTexts();
    expect(marks.length).toBe(pairUnderReview().examples.length);
    expect(new Set(marks.map((m) => m.trim()))).toEqual(new Set(['✓ pass']));
    expect(await page.locator('.mark.fail').count()).toBe(0);
    const example = page.locator('details#example-stream-text');
    await example.locator('summary').click();
    const columns = await example.locator('.side-by-side h4').allInnerTexts();
    expect(columns).toEqual(['Input: upstream events', 'Expected client events', 'Actual client events']);
    expect(await page.locator('section:has(> h2#coverage)').innerText()).toContain('Nothing is missing.');
  });

  it('loads nothing but itself and logs no error; the screenshot is kept', async () => {
    expect(requests).toEqual([page.url()]);
    expect(consoleErrors).toEqual([]);
    await mkdir(ARTIFACTS, { recursive: true });
    // One request and one response example open, so the screenshot shows the side-by-side view.
    for (const part of ['upstream_request', 'response']) {
      const example = pairUnderReview().examples.find((e) => e.parts.some((p) => p.part === part))!;
      await page.locator(`details#example-${example.id} summary`).click();
    }
    await page.evaluate(() => window.scrollTo(0, 0)); // the contents column is sticky: keep it at the top
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-page.png'), fullPage: true, timeout: STEP_MS });
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-page-top.png'), timeout: STEP_MS });
    const index = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    await index.goto(pathToFileURL(path.join(out, 'index.html')).href, { timeout: STEP_MS });
    expect(await index.locator(`a[href="${pairFileName(PAIR)}"]`).count()).toBe(1);
    await index.screenshot({ path: path.join(ARTIFACTS, 'review-index.png'), fullPage: true, timeout: STEP_MS });
    await index.close();
  });
});

describe('the review page served by the gateway', () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launch();
    h = await startHarness({ HOT_RELOAD: 'off' });
  });
  afterAll(async () => {
    await h?.stop();
    await browser?.close();
  });

  it('answers 401 without a key', async () => {
    for (const url of ['/admin/review', `/admin/review/${PAIR}`]) {
      const res = await fetch(`${h.gateway.url}${url}`, { signal: AbortSignal.timeout(STEP_MS) });
      expect(res.status, url).toBe(401);
      await res.body?.cancel();
    }
  });

  it('answers the index and the pair page as HTML with a key, and 404 for an unknown pair', async () => {
    const index = await fetch(`${h.gateway.url}/admin/review`, { headers: { 'x-api-key': GATEWAY_KEY }, signal: AbortSignal.timeout(STEP_MS) });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await index.text();
    expect(text).toContain(`href="/admin/review/${PAIR}"`);
    expect(text).toContain('this is the set being served');

    const pairPage = await fetch(`${h.gateway.url}/admin/review/${PAIR}`, { headers: { authorization: `Bearer ${GATEWAY_KEY}` }, signal: AbortSignal.timeout(STEP_MS) });
    expect(pairPage.status).toBe(200);
    expect(await pairPage.text()).toContain('id="request-rule-model-to-upstream-model"');

    const missing = await fetch(`${h.gateway.url}/admin/review/no-such-pair`, { headers: { 'x-api-key': GATEWAY_KEY }, signal: AbortSignal.timeout(STEP_MS) });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no pair named <code>no-such-pair</code>');
  });

  it('renders the live page in the browser', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-api-key': GATEWAY_KEY }, viewport: { width: 1400, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${h.gateway.url}/admin/review/${PAIR}`, { timeout: STEP_MS });
      expect(await column(page, 'request', 'target')).toEqual(expect.arrayContaining(['model', 'input']));
    } finally {
      await context.close();
    }
  });
});
