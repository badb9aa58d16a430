// The glossary: one sentence per Greek or margin term, shown on hover and on keyboard focus.
export const GLOSSARY = {
  size: 'The position as pasted, in the venue\u2019s unit (coins, contracts or USD notional); the preview shows it in coins.',
  iv: 'Implied volatility used to price the option, and where it came from: the row, its mark price, the smile, the ATM term structure or the default.',
  mark: 'The model price of one coin of the instrument: in coin for coin-settled options, USD otherwise.',
  value: 'What the position adds to equity at the model price, USD (long options positive, short negative).',
  valueCoin: 'The same value in the underlying coin, for coin-settled instruments.',
  pnl: 'Change against the entry price, USD (coin P&L converted at the index for coin-settled instruments).',
  delta: 'USD delta ∂V/∂S: coins of the underlying the position behaves like; the USD gained per 1 USD rise of the index.',
  coinDelta: 'Coin delta S·∂V_coin/∂S, Deribit\u2019s delta of coin-settled instruments: the change of the coin value, in coins, per relative move.',
  gamma: 'Γ = ∂²V/∂S²: coins of delta gained per 1 USD rise of the index.',
  gammaPct: 'Γ·S/100: coins of delta gained per 1 % rise of the index.',
  vega: 'USD gained if implied volatility rises by 1 vol point (e.g. 50 % → 51 %).',
  weightedVega: 'Vega × √(30 / days to expiry): short expiries\u2019 vols move more, so their vega counts more.',
  theta: 'USD gained per calendar day that passes, with the forward held fixed (negative for long options).',
  rho: 'USD gained if the rate rises by 1 percentage point, with the forward held fixed.',
  vanna: '∂Δ/∂σ: coins of delta gained per 1 vol point rise of implied volatility.',
  volga: '∂²V/∂σ²: USD of vega gained per 1 vol point rise, USD per vol point².',
  charm: '−∂Δ/∂T: coins of delta gained per calendar day that passes.',
  im: 'Initial margin, USD: what the venue requires to open the position; new trades need margin balance above it.',
  mm: 'Maintenance margin, USD: liquidation starts when the margin balance falls to it.',
  forward: 'Forward price of the expiry, USD: the typed one, else a dated future\u2019s mark in the book, else the index.',
  basis: 'ln(F/S)/T: the forward\u2019s premium over the index as an annual rate.',
  headroom: 'Margin balance − maintenance margin: the loss, in USD, the account can take before liquidation starts.',
  mmUsage: 'Maintenance margin ÷ margin balance: liquidation starts at 100 %.',
  equity: 'Collateral at the index + futures P&L + mark value of options (long +, short −), USD.',
  marginBalance: 'What margin is measured against, USD: equity, less long options under standard margin.',
  available: 'Margin balance − initial margin, USD: what new positions can use.',
  collateral: 'Balances valued at each coin\u2019s index, USD.',
  liquidation: 'The index move, alone or with every underlying together, at which maintenance margin usage reaches 100 %, everything re-valued.',
};

/** Gives every element with a glossary term (data-term) or a title a tooltip shown on hover and on keyboard focus. */
export function attachTips(root) {
  for (const node of root.querySelectorAll('[data-term], th[title], .metric[title]')) {
    const tip = GLOSSARY[node.dataset.term] || node.getAttribute('title');
    if (!tip) continue;
    node.dataset.tip = tip;
    node.removeAttribute('title');
    if (!node.querySelector('button') && node.tabIndex < 0) node.tabIndex = 0;
  }
}
