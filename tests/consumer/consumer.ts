// A front end's TypeScript, compiled with `tsc --strict` (scripts/test): the package's types and
// the element's must describe what a consumer writes, and reject what it must not.
import init, { analyze, analyzeColumnar, analyzeScenarios, priceChain, impliedVols, priceOption, ChainPricer } from '../../pkg/headroom.js';
import type { Request, Report, ChainQuote, ChainInputViews, OptionQuote, ColumnarReport, PositionReport } from '../../pkg/headroom.js';
import { positionsFromColumns, positionsView, transferables } from '../../pkg/positions-columns.js';
import type { HeadroomRiskElement } from '../../pkg/element.js';
import '../../pkg/element.js';

const request: Request = {
  positions: 'instrument,size,entry\nBTC-PERPETUAL,25000,88000',
  market: { valuationTime: '2026-11-23T12:00:00Z', underlyings: { BTC: { index: 91250.5, vol: 0.55 } } },
  account: { collateral: { BTC: 0.5 } },
  margin: { model: 'deribit-pm' },
};

export async function run(): Promise<number> {
  await init();
  const report: Report = analyze(request);
  const headroom: number = report.account.headroomUsd;
  const down: number | null = report.account.liquidation['BTC']?.down ?? null;
  const big: ColumnarReport = analyzeColumnar(request);
  const curves: Report['scenarios']['curves'] = analyzeScenarios(request).curves;
  const deltas: Float64Array = big.positions.numbers.delta;
  const names: Uint32Array = big.positions.text.instrument.ends;
  const rows: PositionReport[] = positionsFromColumns(big.positions);
  const view = positionsView(big.positions);
  const firstName: string | null = view.text('instrument')(0);
  const firstRow: PositionReport = view.row(0);
  // @ts-expect-error: only PositionReport's text fields are text columns
  view.text('delta');
  const buffers: ArrayBuffer[] = transferables(big.positions);
  // @ts-expect-error: only PositionReport's fields are columns
  const nothing = big.positions.numbers.notAField;
  const chain: ChainQuote = priceChain(new Float64Array([91880]), new Float64Array([95000]), new Float64Array([0.1]), new Float64Array([0.5]), new Uint8Array([1]), 0);
  const vega: Float64Array = chain.vega;
  const vols: Float64Array = impliedVols(chain.price, new Float64Array([91880]), new Float64Array([95000]), new Float64Array([0.1]), new Uint8Array([1]));
  const pricer = new ChainPricer(1);
  const inputs: ChainInputViews = pricer.inputs();
  inputs.forward.set([91880]); inputs.strike[0] = 95000; inputs.years[0] = 0.1; inputs.vol[0] = 0.5; inputs.isCall[0] = 1;
  const inPlace: ChainQuote = pricer.compute(0);
  const inPlaceDelta: Float64Array = inPlace.delta;
  console.log(inPlaceDelta[0]);
  // @ts-expect-error: the views are typed arrays of numbers
  inputs.isCall[0] = true;
  pricer.free();
  const one: OptionQuote = priceOption({ forward: 60000, strike: 65000, years: 30 / 365, vol: 0.65, isCall: true, rate: 0 });

  const element: HeadroomRiskElement = document.createElement('headroom-risk');
  element.request = request;
  element.addEventListener('headroom-report', (event) => {
    const r: Report = event.detail;
    console.log(r.account.mmUsage);
  });
  element.addEventListener('headroom-error', (event) => console.log(event.detail.toUpperCase()));

  // The cheapest trades to a headroom: request and report typed.
  const safe: Report = analyze({ ...request, rebalance: { targets: { headroomUsd: 5000, delta: { BTC: [-0.1, 0.1] } }, maxTrades: 2, hedge: {} } });
  const firstTrade: number = safe.rebalance?.trades[0]?.costUsd ?? 0;
  const band: number | undefined = safe.rebalance?.hedges[0]?.band?.halfWidth;
  // @ts-expect-error: a band is [low, high]
  const badBand: Request = { ...request, rebalance: { targets: { delta: { BTC: 0.1 } } } };
  console.log(firstTrade, band, badBand);

  // @ts-expect-error: the margin model is one of three names
  const wrongModel: Request = { ...request, margin: { model: 'cross' } };
  // @ts-expect-error: the valuation time is required (the core never reads a clock)
  const noClock: Request = { positions: '', market: {} };
  // @ts-expect-error: the report is read-only on the element
  element.report = report;
  return headroom + rows.length + (firstName ?? "").length + firstRow.size + buffers.length + curves.length + (down ?? 0) + deltas[0] + names[0] + (nothing ? 0 : 1) + vega[0] + vols[0] + one.price + (wrongModel ? 0 : 1) + (noClock ? 0 : 1);
}
