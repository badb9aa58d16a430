// analyzeColumnar + positionsFromColumns (what the page's worker and main thread use) give back
// exactly the rows analyze returns: every sample book, generated mixed-venue books under both
// margin models, and rows with notes, nulls and non-ASCII text. Runs in Node, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, analyze, analyzeColumnar } from '../../pkg/headroom.js';
import { positionsFromColumns, transferables } from '../../www/positions-columns.js';
import { request as bookRequest } from '../../bench/books.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
initSync({ module: readFileSync(join(root, 'pkg', 'headroom_bg.wasm')) });

function sameRows(request) {
  const objects = analyze(request);
  const { report, positions } = analyzeColumnar(request);
  // The columns survive a transfer between threads.
  const moved = structuredClone(positions, { transfer: transferables(positions) });
  assert.equal(positions.numbers.delta.byteLength, 0, 'buffers are transferred, not copied');
  const rows = positionsFromColumns(moved);
  assert.deepStrictEqual(rows, objects.positions);
  assert.deepStrictEqual(report.positions, []);
  assert.deepStrictEqual({ ...report, positions: rows }, objects);
  return rows;
}

test('every sample book comes back row for row', () => {
  const dir = join(root, 'www', 'samples');
  const files = readdirSync(dir).filter((f) => !f.endsWith('.md'));
  assert.ok(files.length >= 9);
  for (const file of files) {
    const request = { ...bookRequest(10), positions: readFileSync(join(dir, file), 'utf8') };
    sameRows(request);
  }
});

test('generated books under standard and portfolio margin come back row for row', () => {
  for (const model of ['standard', 'deribit-pm']) {
    const rows = sameRows(bookRequest(3000, model, 7));
    assert.equal(rows.length, 3000);
    assert.ok(rows.some((r) => r.initialMarginUsd === null) === (model === 'deribit-pm'));
  }
});

test('nulls, notes and non-ASCII text keep their places', () => {
  const rows = sameRows({
    ...bookRequest(10),
    positions: [
      'instrument,size,iv,venue',
      'BTC-27NOV26-90000-C,1,55,',
      'BTC-USD-261127-90000-P,-3,60,okx',
      'not an instrument,1,,',
      'ETH-PERPETUAL,2500,,deribit',
      'BTC,0.5,,',
    ].join('\n'),
  });
  assert.ok(rows.some((r) => r.notes.length > 0), 'a row with notes');
  assert.ok(rows.some((r) => r.expiry === null && r.strike === null), 'a row with nulls');
  assert.ok(rows.some((r) => /[^\x00-\x7f]/.test(r.readAs)), 'non-ASCII text (×) in readAs');
});
