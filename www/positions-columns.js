// analyzeColumnar's positions arrive as columns: a few typed arrays and one string per text
// field, which the worker transfers instead of cloning one object per row (100,000 rows took
// ~650 ms to clone and ~750 ms to build as objects). positionsView reads them in place, so the
// page builds objects only for the rows it draws; positionsFromColumns rebuilds analyze's rows.

/** A text column's `ends` entry for null. */
const NULL_END = 0xffffffff;

/** Cell `i` of a text column, `null` for null; where each cell starts is found once, in one pass. */
function textCells({ text, ends }) {
  const starts = new Uint32Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i += 1) {
    starts[i] = start;
    if (ends[i] !== NULL_END) start = ends[i];
  }
  return (i) => (ends[i] === NULL_END ? null : text.slice(starts[i], ends[i]));
}

const orNull = (x) => (Number.isNaN(x) ? null : x);

/**
 * The positions of `analyzeColumnar(request).positions`, read in place: `count` rows, `numbers`
 * (the typed arrays, NaN for null), `text(name)(i)` (a text cell), `notes(i)` and `row(i)` (the
 * row `analyze` returns).
 */
export function positionsView(columns) {
  const N = columns.numbers;
  const cells = {};
  const text = (name) => (cells[name] ??= textCells(columns.text[name]));
  // The notes of every row one after another, `count` of them per row.
  let noteStarts = null;
  let note = null;
  const notes = (i) => {
    if (!noteStarts) {
      noteStarts = new Uint32Array(columns.count + 1);
      for (let r = 0; r < columns.count; r += 1) noteStarts[r + 1] = noteStarts[r] + columns.notes.count[r];
      note = textCells(columns.notes);
    }
    const out = [];
    for (let k = noteStarts[i]; k < noteStarts[i + 1]; k += 1) out.push(note(k));
    return out;
  };
  const T = text;
  // One literal, in PositionReport's order, so every row shares one shape.
  const row = (i) => ({
    line: N.line[i],
    item: N.item[i],
    instrument: T('instrument')(i),
    underlying: T('underlying')(i),
    venue: T('venue')(i),
    venueSource: T('venueSource')(i),
    readAs: T('readAs')(i),
    notes: notes(i),
    kind: T('kind')(i),
    settlement: T('settlement')(i),
    expiry: T('expiry')(i),
    strike: orNull(N.strike[i]),
    optionType: T('optionType')(i),
    expired: columns.expired[i] === 1,
    size: N.size[i],
    sizeUnit: T('sizeUnit')(i),
    quantity: N.quantity[i],
    index: N.index[i],
    years: orNull(N.years[i]),
    forward: orNull(N.forward[i]),
    forwardSource: T('forwardSource')(i),
    iv: orNull(N.iv[i]),
    ivSource: T('ivSource')(i),
    markPrice: N.markPrice[i],
    entryPrice: orNull(N.entryPrice[i]),
    priceUnit: T('priceUnit')(i),
    valueUsd: N.valueUsd[i],
    valueCoin: orNull(N.valueCoin[i]),
    pnlUsd: orNull(N.pnlUsd[i]),
    delta: N.delta[i],
    gamma: N.gamma[i],
    gammaPct: N.gammaPct[i],
    vega: N.vega[i],
    vegaCoin: N.vegaCoin[i],
    theta: N.theta[i],
    thetaCoin: N.thetaCoin[i],
    rho: N.rho[i],
    vanna: N.vanna[i],
    volga: N.volga[i],
    charm: N.charm[i],
    coinDelta: orNull(N.coinDelta[i]),
    initialMarginUsd: orNull(N.initialMarginUsd[i]),
    maintenanceMarginUsd: orNull(N.maintenanceMarginUsd[i]),
    account: T('account')(i),
    marginPool: T('marginPool')(i),
    liquidationPrice: orNull(N.liquidationPrice[i]),
    poolEquityUsd: orNull(N.poolEquityUsd[i]),
    poolMaintenanceMarginUsd: orNull(N.poolMaintenanceMarginUsd[i]),
    poolMmUsage: orNull(N.poolMmUsage[i]),
    venueReported: [N.venueLiquidationPrice[i], N.venueMaintenanceMargin[i], N.venueInitialMargin[i]].every(Number.isNaN) ? null : {
      liquidationPrice: orNull(N.venueLiquidationPrice[i]),
      maintenanceMargin: orNull(N.venueMaintenanceMargin[i]),
      initialMargin: orNull(N.venueInitialMargin[i]),
      liquidationPriceDifference: orNull(N.venueLiquidationPriceDifference[i]),
    },
  });
  return { count: columns.count, numbers: N, expired: columns.expired, text, notes, row };
}

/** The rows `analyze` would have returned, from `analyzeColumnar(request).positions`. */
export function positionsFromColumns(columns) {
  const view = positionsView(columns);
  return Array.from({ length: view.count }, (_, i) => view.row(i));
}

/** The buffers of the columns, to transfer with postMessage instead of copying. */
export function transferables(columns) {
  return [
    ...Object.values(columns.numbers).map((a) => a.buffer),
    columns.expired.buffer,
    ...Object.values(columns.text).map((c) => c.ends.buffer),
    columns.notes.ends.buffer,
    columns.notes.count.buffer,
  ];
}
