// run.js - drives the paperboy website in headless Chromium (playwright-core
// with the system chromium): daily page, previous day, a paper and its
// similar papers, search, the month chart, without JavaScript, at desktop and
// phone widths. Prints one
// TAP-style line per check and saves screenshots.
//
// Environment: PB_BASE (server URL, required), PB_SHOTS (screenshot folder),
// CHROMIUM (browser binary, default /usr/bin/chromium).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const BASE = process.env.PB_BASE;
const SHOTS = process.env.PB_SHOTS || path.join(__dirname, '..', '..', 'build', 'screenshots');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let failures = 0;
function ok(cond, name, detail) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failures++;
    console.log(`not ok - ${name}`);
    if (detail) console.log(`#   ${String(detail).split('\n').join('\n#   ')}`);
  }
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    ok(false, name, e && e.message ? e.message.split('\n')[0] : e);
  }
}

// A browser context with a fresh profile; console errors are collected.
async function open(opts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: EXE,
    headless: true,
    args: ARGS,
    viewport: opts.viewport,
    javaScriptEnabled: opts.javaScript !== false,
    ignoreDefaultArgs: ['--enable-automation'],
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.url()}: HTTP ${r.status()}`); });
  return { ctx, page, errors, dir };
}

async function close(b) {
  await b.ctx.close();
  fs.rmSync(b.dir, { recursive: true, force: true });
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

// Page-wide checks: landmarks, labels, overflow.
async function pageChecks(page, label, width) {
  const r = await page.evaluate(() => {
    const unlabelled = [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label')
        && !el.getAttribute('aria-label'));
    const imgsNoAlt = [...document.querySelectorAll('img')].filter((i) => !i.hasAttribute('alt'));
    return {
      lang: document.documentElement.getAttribute('lang'),
      main: !!document.querySelector('main'),
      nav: !!document.querySelector('nav'),
      header: !!document.querySelector('header'),
      footer: !!document.querySelector('footer'),
      h1: document.querySelectorAll('h1').length,
      unlabelled: unlabelled.map((e) => e.name || e.outerHTML.slice(0, 60)),
      imgsNoAlt: imgsNoAlt.length,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    };
  });
  ok(r.lang === 'en' && r.main && r.nav && r.header && r.footer,
    `${label}: lang and landmarks (header, nav, main, footer)`, JSON.stringify(r));
  ok(r.h1 === 1, `${label}: one h1`, `found ${r.h1}`);
  ok(r.unlabelled.length === 0, `${label}: every form field has a label`, r.unlabelled.join(', '));
  ok(r.imgsNoAlt === 0, `${label}: every image has alt text`);
  ok(r.overflow <= 1, `${label}: no sideways scrolling at ${width}px`, `overflows by ${r.overflow}px`);
}

// On a paper page: the "Similar papers" region lists other papers, fits
// the screen, and its first link leads to that paper's page.
async function similarPapers(page, tag, width) {
  const here = new URL(page.url()).pathname;
  const region = page.getByRole('region', { name: 'Similar papers' });
  ok(await region.count() === 1 && await region.isVisible(), `${tag}: the paper page has a "Similar papers" region`);
  ok(await region.getByRole('heading', { level: 2, name: 'Similar papers' }).count() === 1,
    `${tag}: the region has its heading`);
  const items = region.getByRole('listitem');
  const n = await items.count();
  ok(n >= 1 && n <= 8, `${tag}: it lists up to 8 papers`, `${n} items`);
  const hrefs = await region.locator('.card-title a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  ok(hrefs.length === n && hrefs.every((h) => /^\/papers\/.+/.test(h)) && !hrefs.includes(here)
    && new Set(hrefs).size === n, `${tag}: each links another paper, once`, JSON.stringify({ here, hrefs }));
  const box = await region.boundingBox();
  ok(box && box.x >= 0 && box.x + box.width <= width, `${tag}: the region fits the screen`, JSON.stringify(box));
  await region.scrollIntoViewIfNeeded();
  await shot(page, `similar-${tag.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`);
  const link = region.locator('.card-title a').first();
  const title = (await link.textContent()).trim();
  await Promise.all([page.waitForURL((u) => u.pathname === hrefs[0]), link.click()]);
  ok((await page.textContent('h1')).trim() === title, `${tag}: a similar paper's link opens that paper`,
    `${title} -> ${page.url()}`);
}

async function tour(width, tag) {
  const b = await open({ viewport: { width, height: width > 600 ? 900 : 844 } });
  const { page } = b;

  await step(`${tag}: daily page`, async () => {
    const res = await page.goto(`${BASE}/`);
    ok(res.status() === 200, `${tag}: daily page loads`);
    const h1 = await page.textContent('h1');
    ok(/\d{4}$/.test(h1.trim()), `${tag}: daily page names its day`, h1);
    ok(await page.locator('article.card').count() > 10, `${tag}: daily page shows cards`);
    await pageChecks(page, `${tag} daily`, width);
    await shot(page, `daily-${tag}`);
  });

  await step(`${tag}: abstracts expand`, async () => {
    const first = page.locator('details.card-abstract').first();
    await first.locator('summary').click();
    ok(await first.evaluate((d) => d.open), `${tag}: a summary click opens the abstract`);
    const btn = page.getByRole('button', { name: 'Expand all abstracts' });
    await btn.click();
    const open = await page.locator('details.card-abstract[open]').count();
    const all = await page.locator('details.card-abstract').count();
    ok(open === all && all > 1, `${tag}: "Expand all abstracts" opens every abstract`, `${open}/${all}`);
    await page.getByRole('button', { name: 'Collapse all abstracts' }).click();
    ok(await page.locator('details.card-abstract[open]').count() === 0, `${tag}: and closes them again`);
  });

  await step(`${tag}: previous day`, async () => {
    const before = await page.textContent('h1');
    await Promise.all([page.waitForURL(/\/papers\/date\/\d{4}-\d\d-\d\d$/), page.click('a[rel=prev]')]);
    const after = await page.textContent('h1');
    ok(after !== before, `${tag}: the previous-day link goes to another day`, `${before} -> ${after}`);
    await shot(page, `previous-day-${tag}`);
    const url = page.url();
    await Promise.all([page.waitForURL((u) => u.toString() !== url), page.keyboard.press('ArrowLeft')]);
    ok(/\/papers\/date\//.test(page.url()), `${tag}: the left arrow key goes back one more day`, page.url());
  });

  await step(`${tag}: paper page`, async () => {
    const link = page.locator('.card-title a').first();
    const title = (await link.textContent()).trim();
    await Promise.all([page.waitForURL(/\/papers\/[^/]+/), link.click()]);
    ok((await page.textContent('h1')).trim() === title, `${tag}: the paper page shows the card's title`, title);
    ok(await page.locator('meta[name=citation_title]').count() === 1, `${tag}: citation tags`);
    ok(await page.locator('pre.bibtex').count() === 1, `${tag}: BibTeX`);
    await pageChecks(page, `${tag} paper`, width);
    await shot(page, `paper-${tag}`);
  });

  await step(`${tag}: similar papers`, async () => {
    await similarPapers(page, tag, width);
    await pageChecks(page, `${tag} similar paper`, width);
  });

  await step(`${tag}: search`, async () => {
    await page.goto(`${BASE}/`);
    const box = page.locator('#header-q');
    await box.fill('graph neural');
    await Promise.all([page.waitForURL(/\/search\?q=graph/), box.press('Enter')]);
    const marks = await page.locator('article.card mark').count();
    ok(marks > 0, `${tag}: search results highlight the words`, `${marks} marks`);
    ok(await page.inputValue('input[name=q]') === 'graph neural', `${tag}: the search form keeps the words`);
    await pageChecks(page, `${tag} search`, width);
    await shot(page, `search-${tag}`);
  });

  await step(`${tag}: month chart`, async () => {
    await page.goto(`${BASE}/papers/month`);
    const chart = page.locator('svg.chart');
    ok(await chart.count() === 1 && await chart.isVisible(), `${tag}: the month chart is drawn`);
    const box = await page.locator('figure.chart-box').boundingBox();
    ok(box && box.x >= 0 && box.x + box.width <= width, `${tag}: the chart's frame fits the screen`,
      JSON.stringify(box));
    await pageChecks(page, `${tag} month`, width);
    await chart.scrollIntoViewIfNeeded();
    await shot(page, `month-${tag}`);
  });

  await step(`${tag}: about and 404`, async () => {
    await page.goto(`${BASE}/about`);
    await shot(page, `about-${tag}`);
    const res = await page.goto(`${BASE}/papers/2101.99999`);
    ok(res.status() === 404, `${tag}: a missing paper is a 404 page`);
    ok(await page.locator('header.site-header').count() === 1, `${tag}: the 404 page has the site's look`);
    await shot(page, `not-found-${tag}`);
  });

  const unexpected = b.errors.filter((e) => !/\/papers\/2101\.99999(: HTTP 404|: Failed to load resource: .* 404)/.test(e));
  ok(unexpected.length === 0, `${tag}: no console errors`, unexpected.join('\n'));
  await close(b);
}

async function withoutJavaScript() {
  const b = await open({ viewport: { width: 1280, height: 900 }, javaScript: false });
  const { page } = b;
  await step('no JavaScript: the site works', async () => {
    await page.goto(`${BASE}/`);
    const first = page.locator('details.card-abstract').first();
    await first.locator('summary').click();
    ok(await first.evaluate((d) => d.open), 'no JavaScript: abstracts still expand');
    ok(await page.getByRole('button', { name: 'Expand all abstracts' }).count() === 0,
      'no JavaScript: no button that would do nothing');
    await page.fill('#header-q', 'graph');
    await Promise.all([page.waitForURL(/\/search\?q=graph/), page.press('#header-q', 'Enter')]);
    ok(await page.locator('article.card').count() > 0, 'no JavaScript: search works');
    await page.goto(`${BASE}/search`);
    await page.fill('input[name=q]', 'graph');
    await page.selectOption('select[name=sort]', 'date');
    await Promise.all([page.waitForURL(/sort=date/), page.click('form.search-form button[type=submit]')]);
    ok(await page.locator('article.card').count() > 0, 'no JavaScript: the search form with sort works');
    await Promise.all([page.waitForURL(/\/papers\/[^/]+/), page.locator('.card-title a').first().click()]);
    await similarPapers(page, 'no JavaScript', 1280);
  });
  ok(b.errors.length === 0, 'no JavaScript: no console errors', b.errors.join('\n'));
  await close(b);
}

(async () => {
  if (!BASE) {
    console.log('not ok - PB_BASE is set');
    process.exit(1);
  }
  try {
    await tour(1280, 'desktop');
    await tour(390, 'phone');
    await withoutJavaScript();
  } catch (e) {
    ok(false, 'the browser runs', e && e.stack ? e.stack : e);
  }
  console.log(`# screenshots in ${SHOTS}`);
  process.exit(failures ? 1 : 0);
})();
