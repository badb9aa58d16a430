// How each row was read, next to the box (read, read with an assumption, or rejected with its
// reason), and the rows not read, each named by its line.
import { $, el } from './dom.js';

const sharedLines = new WeakMap();

/**
 * The lines of several rows among the positions and the errors. Positions come in the input's
 * order, so a line's rows are next to each other; errors are few.
 */
function linesOfSeveralRows(positions, errors) {
  const shared = new Set();
  const { line } = positions.numbers;
  for (let i = 1; i < positions.count; i += 1) if (line[i] === line[i - 1]) shared.add(line[i]);
  const errorLines = new Map();
  for (const e of errors) errorLines.set(e.line, (errorLines.get(e.line) || 0) + 1);
  for (const [l, count] of errorLines) if (count > 1) shared.add(l);
  if (errorLines.size) for (let i = 0; i < positions.count; i += 1) if (errorLines.has(line[i])) shared.add(line[i]);
  return shared;
}

/** "Line 4", or "Line 1, row 3" when several rows share a line (JSON pasted on one line). */
function where(report, positions, line, item) {
  let shared = sharedLines.get(report);
  if (!shared) {
    shared = linesOfSeveralRows(positions, report.errors);
    sharedLines.set(report, shared);
  }
  return shared.has(line) && item ? `Line ${line}, row ${item}` : `Line ${line}`;
}

export function renderErrors(report, positions) {
  const items = report.errors.slice(0, PREVIEW_LIMIT).map((e) => el('li', { dataset: { line: String(e.line) } },
    el('strong', { text: `${e.account ? `${e.account}, line ${e.line}` : where(report, positions, e.line, e.item)}: ` }), e.message,
    e.text ? el('code', { text: e.text }) : null));
  if (report.errors.length > PREVIEW_LIMIT) {
    items.push(el('li', { className: 'muted', text: `… and ${report.errors.length - PREVIEW_LIMIT} more rows not read (Export JSON lists every one)` }));
  }
  $('errors').replaceChildren(...items);
  $('errors-section').hidden = items.length === 0;
}

/** Whether position `i` was read with an assumption: a default venue, an unpublished contract term. */
function assumedAt(positions, venueSource, i) {
  return venueSource(i) === 'default' || positions.notes(i).some((n) => n.includes('assumed, not a published term'));
}


/**
 * One line per input row: read, read with an assumption, or rejected (with the reason). The
 * positions (in the input's order) and the errors (sorted by line) are merged by line, and only
 * the rows shown are built.
 */
export function renderPreview(report, positions) {
  const { errors } = report;
  const { line, item } = positions.numbers;
  const venueSource = positions.text('venueSource');
  // "assumed": decided without evidence (a default venue, an unpublished contract term); a venue
  // decided by headers, premium or size is "read", its note shown quietly.
  const assumed = new Uint8Array(positions.count);
  const counts = { read: 0, assumed: 0, rejected: errors.length };
  for (let i = 0; i < positions.count; i += 1) {
    assumed[i] = assumedAt(positions, venueSource, i) ? 1 : 0;
    counts[assumed[i] ? 'assumed' : 'read'] += 1;
  }
  $('preview-counts').textContent = `— ${counts.read} read, ${counts.assumed} with assumptions, ${counts.rejected} rejected`;
  // A big book previews its first rows and every rejected or assumed one.
  const total = positions.count + errors.length;
  const shown = [];
  let flagged = 0;
  for (let i = 0, j = 0, k = 0; k < total; k += 1) {
    const error = j < errors.length && (i >= positions.count || errors[j].line < line[i] || (errors[j].line === line[i] && errors[j].item < item[i]));
    const status = error ? 'rejected' : assumed[i] ? 'assumed' : 'read';
    const show = total <= PREVIEW_LIMIT || k < PREVIEW_LIMIT || (status !== 'read' && (flagged += 1) <= PREVIEW_LIMIT);
    if (error) {
      const e = errors[j];
      if (show) shown.push({ line: e.line, item: e.item, status, text: e.message, notes: [] });
      j += 1;
    } else {
      if (show) shown.push({ line: line[i], item: item[i], status, text: positions.text('readAs')(i), notes: positions.notes(i) });
      i += 1;
    }
  }
  const items = shown.map((r) => el('li', { className: r.status, dataset: { line: String(r.line), status: r.status } },
    el('span', { className: 'line', text: where(report, positions, r.line, r.item).replace('Line ', '') }),
    el('span', { className: 'status', text: r.status }),
    el('span', { className: 'what', text: r.text }),
    ...r.notes.map((n) => el('span', { className: 'note', text: n }))));
  if (shown.length < total) {
    items.push(el('li', { className: 'more' }, el('span', {}), el('span', {}), el('span', { className: 'what muted', text: `… and ${total - shown.length} more rows (the counts above include them; Export JSON lists every one)` })));
  }
  $('preview').replaceChildren(...items);
}

const PREVIEW_LIMIT = 300;
