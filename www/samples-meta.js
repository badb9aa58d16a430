// The sample books' market (www/samples/README.md) and the collateral each sample is shown with.
export const SAMPLE_MARKET = {
  valuation: '2026-11-23T12:00:00',
  underlyings: {
    BTC: { index: 91250.5, volPct: 55, forwards: { '27NOV26': 91340, '4DEC26': 91420, '25DEC26': 91880, '26MAR27': 93410.5, '25JUN27': 95120 } },
    ETH: { index: 3120.75, volPct: 65, forwards: { '27NOV26': 3122.1, '25DEC26': 3131.9, '26MAR27': 3170, '25JUN27': 3211.4 } },
    SOL: { index: 142.3, volPct: 80, forwards: {} },
  },
};

export const SAMPLES = [
  { file: 'deribit-desk.csv', label: 'Deribit desk', description: 'Mixed BTC/ETH options and futures, coin-margined (CSV)',
    collateral: [{ currency: 'BTC', amount: '1.2' }, { currency: 'ETH', amount: '12' }, { currency: 'USDC', amount: '5000' }] },
  { file: 'eth-covered-calls.tsv', label: 'ETH covered calls', description: 'An ETH holder selling calls, tab-separated as copied from a spreadsheet',
    collateral: [{ currency: 'USDC', amount: '2000' }] },
  { file: 'btc-short-strangle.json', label: 'BTC short strangle', description: 'A short strangle with a perpetual hedge (JSON array)',
    collateral: [{ currency: 'BTC', amount: '2' }] },
  { file: 'btc-market-maker.csv', label: 'BTC market maker', description: 'Two-sided BTC options flow across four expiries, delta-hedged with the perpetual (best seen under portfolio margin)',
    // Hedged in coin with its 25 BTC of equity: its P&L reads against today's equity.
    collateral: [{ currency: 'BTC', amount: '25' }], model: 'deribit-pm', pnlBasis: 'today' },
  { file: 'basis-trade.csv', label: 'Basis trade', description: 'Cash and carry: coins held, dated futures sold against them (BTC and ETH)',
    collateral: [{ currency: 'BTC', amount: '2.5' }, { currency: 'USDC', amount: '20000' }] },
  { file: 'okx-book.csv', label: 'OKX book', description: 'OKX names and contract sizes (contracts of 0.01 BTC, $100 swaps)',
    collateral: [{ currency: 'BTC', amount: '1' }, { currency: 'USDT', amount: '20000' }] },
  { file: 'bybit-book.csv', label: 'Bybit book', description: 'Bybit names: USDC and USDT options, USDT and inverse perpetuals',
    collateral: [{ currency: 'USDC', amount: '60000' }] },
  { file: 'binance-book.csv', label: 'Binance book', description: 'Binance options, USDⓈ-M and COIN-M perpetuals',
    collateral: [{ currency: 'USDT', amount: '50000' }, { currency: 'BTC', amount: '0.2' }] },
  { file: 'bad-rows.csv', label: 'Bad rows', description: 'Every row wrong in its own way: each is reported with its line',
    collateral: [{ currency: 'USDC', amount: '10000' }] },
];
