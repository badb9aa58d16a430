// Shared by the end-to-end tests: serves www/ with scripts/serve.py, launches Debian's Chromium
// through playwright-core, opens fresh pages and records every request that leaves the page's
// own origin (the tests assert there are none).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { initSync } from '../../pkg/headroom.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'e2e', 'artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const env = { origin: '', browser: null, foreignRequests: [] };
let server;

export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

before(async () => {
  server = spawn('python3', [join(root, 'scripts', 'serve.py'), '0'], { env: { ...process.env, HEADROOM_SERVE_QUIET: '1' } });
  env.origin = await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    setTimeout(() => reject(new Error('server did not start')), 10_000);
  });
  env.browser = await chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS });
  initSync({ module: readFileSync(join(root, 'pkg', 'headroom_bg.wasm')) });
});

after(async () => {
  await env.browser?.close();
  server?.kill();
  assert.deepEqual(env.foreignRequests, [], 'every request must be for the page’s own files');
});

/** Records requests that are not for the page's own origin (or, for file://, its own file). */
export function watch(page, allowed = `${env.origin}/`) {
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(allowed) && !url.startsWith('blob:') && !url.startsWith('data:')) env.foreignRequests.push(url);
  });
  page.on('dialog', (dialog) => { env.foreignRequests.push(`dialog opened: ${dialog.message()}`); dialog.dismiss(); });
}

/** A fresh page with empty storage; `prepare(context)` runs before the page loads (routes). */
export async function openPage(options = {}, prepare = async () => {}) {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  await prepare(context);
  const page = await context.newPage();
  watch(page);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${env.origin}/`);
  await page.waitForSelector('#results[data-ready="true"]');
  return { page, context, pageErrors };
}

export async function waitForRecompute(page, predicate, arg) {
  await page.waitForFunction(predicate, arg, { timeout: 10_000 });
}

export const textOf = (page, selector) => page.textContent(selector).then((t) => t.trim());
export const num = (text) => Number(text.replace(/[^0-9.\-−]/g, '').replace('−', '-'));
