//! The WebAssembly boundary: JavaScript values in and out, errors as JS `Error`s. It only
//! converts; every rule lives in the core.

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Analyzes a book: positions, market and account in; Greeks, margin, headroom and distance to
/// liquidation out. Throws an `Error` naming the field when the request itself is malformed;
/// unreadable rows are reported in `errors` instead.
#[wasm_bindgen(js_name = analyze, unchecked_return_type = "Report")]
pub fn analyze(
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
) -> Result<JsValue, JsError> {
    to_js(&report_of(request)?)
}

/// `analyze` for big books: the same report with its positions as columns (typed arrays and
/// one string per text field) and `report.positions` empty. Objects cost one JS object per
/// row to build here and again to post to another thread; columns cost a few copies and can be
/// transferred. `positionsFromColumns` (www/positions-columns.js) rebuilds the rows.
#[wasm_bindgen(js_name = analyzeColumnar, unchecked_return_type = "ColumnarReport")]
pub fn analyze_columnar(
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
) -> Result<JsValue, JsError> {
    let (report, positions) = crate::analyze::analyze_columns(&request_of(request)?)
        .map_err(|e| JsError::new(&e.to_string()))?;
    let out = js_sys::Object::new();
    set(&out, "report", &to_js(&report)?);
    set(&out, "positions", &position_columns(&positions)?.into());
    Ok(out.into())
}

/// Only the report's `scenarios` (risk matrices and curves), exactly as `analyze` reports them:
/// a second worker computes them while a first runs `analyze` on the request without
/// `scenarios`. Throws as `analyze` does.
#[wasm_bindgen(js_name = analyzeScenarios, unchecked_return_type = "Report[\"scenarios\"]")]
pub fn analyze_scenarios(
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
) -> Result<JsValue, JsError> {
    let request = request_of(request)?;
    let scenarios =
        crate::analyze::analyze_scenarios(&request).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&scenarios)
}

fn request_of(request: JsValue) -> Result<crate::Request, JsError> {
    let deserializer = serde_wasm_bindgen::Deserializer::from(request);
    crate::request::from_deserializer(deserializer).map_err(|e| JsError::new(&e.to_string()))
}

fn report_of(request: JsValue) -> Result<crate::report::Report, JsError> {
    crate::analyze(&request_of(request)?).map_err(|e| JsError::new(&e.to_string()))
}

/// The report's values as JS objects (`null` for `None`, maps as plain objects).
fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object just made here cannot fail.
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
}

/// `PositionColumns`: the core's columns as typed arrays under their JSON names, numbers as
/// `Float64Array` (NaN for `null`), text as one string with the UTF-16 end of each row's part.
fn position_columns(columns: &crate::report::PositionColumns) -> Result<js_sys::Object, JsError> {
    use crate::report::{POSITION_NUMBERS, POSITION_TEXTS};
    if columns.too_long() {
        return Err(JsError::new(
            "the book's text is too long for columns (over 4 G characters)",
        ));
    }
    let out = js_sys::Object::new();
    set(&out, "count", &JsValue::from(columns.count as f64));
    let numbers = js_sys::Object::new();
    for (name, column) in POSITION_NUMBERS.iter().zip(&columns.numbers) {
        set(&numbers, name, &float64_array(column));
    }
    set(&out, "numbers", &numbers);
    set(&out, "expired", &uint8_array(&columns.expired));
    let texts = js_sys::Object::new();
    for (name, column) in POSITION_TEXTS.iter().zip(&columns.texts) {
        set(&texts, name, &text_column(column).into());
    }
    set(&out, "text", &texts);
    let notes = text_column(&columns.notes);
    set(&notes, "count", &uint32_array(&columns.note_counts));
    set(&out, "notes", &notes);
    Ok(out)
}

// Typed arrays are made empty and filled with `set` from a view of the wasm memory: V8 copies
// that way about 5× faster than `new Float64Array(view)`, which `From<&[f64]>` generates
// (measured in Chromium on six 100,000-element columns: 13 against 66 ns per row of six).
macro_rules! typed_array {
    ($name:ident, $array:ty, $element:ty) => {
        fn $name(values: &[$element]) -> $array {
            let array = <$array>::new_with_length(values.len() as u32);
            array.copy_from(values);
            array
        }
    };
}
typed_array!(float64_array, js_sys::Float64Array, f64);
typed_array!(uint32_array, js_sys::Uint32Array, u32);
typed_array!(uint8_array, js_sys::Uint8Array, u8);

/// `{ text, ends }`: the strings one after another, and where each ends in UTF-16 units
/// (`0xffffffff` for `null`).
fn text_column(column: &crate::report::TextColumn) -> js_sys::Object {
    let out = js_sys::Object::new();
    set(&out, "text", &JsValue::from_str(&column.text));
    set(&out, "ends", &uint32_array(&column.ends));
    out
}

/// Prices one option (Black-76 on a forward) with its Greeks in the report's units. Throws an
/// `Error` naming the field when an input is out of range, and one naming the inputs when they
/// are together too extreme for every Greek to be a finite number.
#[wasm_bindgen(js_name = priceOption, unchecked_return_type = "OptionQuote")]
pub fn price_option(
    #[wasm_bindgen(unchecked_param_type = "OptionQuoteRequest")] request: JsValue,
) -> Result<JsValue, JsError> {
    let deserializer = serde_wasm_bindgen::Deserializer::from(request);
    let request: crate::pricing::quote::QuoteRequest =
        serde_path_to_error::deserialize(deserializer)
            .map_err(|e| JsError::new(&format!("{}: {}", e.path(), e.inner())))?;
    let quote = crate::pricing::quote::quote(&request).map_err(|e| JsError::new(&e.to_string()))?;
    serde_wasm_bindgen::to_value(&quote).map_err(|e| JsError::new(&e.to_string()))
}

/// Implied volatility (fraction) of an undiscounted Black price in USD on a forward, by Jäckel's
/// "Let's Be Rational"; `undefined` when no volatility reproduces the price.
#[wasm_bindgen(js_name = impliedVol)]
pub fn implied_vol(
    price: f64,
    forward: f64,
    strike: f64,
    years: f64,
    is_call: bool,
) -> Option<f64> {
    let kind = if is_call {
        crate::pricing::black::OptionKind::Call
    } else {
        crate::pricing::black::OptionKind::Put
    };
    crate::pricing::implied_black_vol(price, forward, strike, years, kind)
}

/// Prices a whole chain in columns (Black-76 on forwards): typed arrays in, typed arrays out,
/// in the report's units. Throws when the columns differ in length; an option outside the domain
/// gets NaN in every column and its index in `invalid`.
#[wasm_bindgen(js_name = priceChain, unchecked_return_type = "ChainQuote")]
pub fn price_chain(
    forward: &[f64],
    strike: &[f64],
    years: &[f64],
    vol: &[f64],
    is_call: &[u8],
    rate: f64,
) -> Result<JsValue, JsError> {
    let g = crate::pricing::chain::price_chain(&crate::pricing::chain::ChainInputs {
        forward,
        strike,
        years,
        vol,
        is_call,
        rate,
    })
    .map_err(|e| JsError::new(&e))?;
    Ok(chain_quote(&g, float64_array))
}

/// The `ChainQuote` object of a priced chain, each column made a typed array by `array`.
fn chain_quote(
    g: &crate::pricing::chain::ChainGreeks,
    array: impl Fn(&[f64]) -> js_sys::Float64Array,
) -> JsValue {
    let out = js_sys::Object::new();
    let columns = [
        ("price", &g.price),
        ("delta", &g.delta),
        ("gamma", &g.gamma),
        ("vega", &g.vega),
        ("theta", &g.theta),
        ("rho", &g.rho),
    ];
    for (name, column) in columns {
        set(&out, name, &array(column));
    }
    set(&out, "invalid", &invalid_indexes(g));
    out.into()
}

/// `ChainQuote.invalid`: the indexes of the options outside the domain, a copy.
fn invalid_indexes(g: &crate::pricing::chain::ChainGreeks) -> js_sys::Uint32Array {
    let invalid: Vec<u32> = g.invalid.iter().map(|i| *i as u32).collect();
    uint32_array(&invalid)
}

/// A chain priced in place, for front ends that price the same chain on every tick: its input
/// and output columns live in the module's memory, the caller writes the inputs into views of
/// them (`inputs()`), `compute` prices them without allocating and returns views of the
/// results. The figures are `priceChain`'s, to the bit.
///
/// Views are `Float64Array`s (and a `Uint8Array`) over the module's memory: take them again
/// after any call into Headroom, which may grow the memory and leave earlier views empty.
/// `inputs()` and `compute()` return the same object from call to call while its views are
/// attached. `compute` sets a fresh `invalid` on it (or makes a new object if it was frozen),
/// except that an empty one stays while no option is invalid.
/// `free()` releases the columns.
#[wasm_bindgen]
pub struct ChainPricer {
    forward: Vec<f64>,
    strike: Vec<f64>,
    years: Vec<f64>,
    vol: Vec<f64>,
    is_call: Vec<u8>,
    out: crate::pricing::chain::ChainGreeks,
    /// The objects `inputs()` and `compute()` returned last. Building one takes a dozen calls
    /// into JavaScript (about 5 µs in V8), a sixth of the time of a 1,000-option chain.
    input_views: Option<Views>,
    output_views: Option<Views>,
    invalid_key: JsValue,
    /// Whether the object in `output_views` has an empty `invalid`, set by the last call.
    none_invalid_shown: bool,
}

/// An object of views of the module's memory, and one of its views.
struct Views {
    object: js_sys::Object,
    probe: js_sys::Float64Array,
}

impl Views {
    /// Keeps `object`, whose `name` is one of its non-empty `Float64Array` views.
    fn keep(object: &js_sys::Object, name: &str) -> Views {
        let probe = js_sys::Reflect::get(object, &JsValue::from_str(name))
            .map(|view| view.unchecked_into())
            .unwrap_or_else(|_| js_sys::Float64Array::new_with_length(0));
        Views {
            object: object.clone(),
            probe,
        }
    }

    /// The object kept in `slot`, unless its views were detached by the memory's growth (a
    /// detached view is empty; an empty chain's objects are rebuilt every time).
    fn attached(slot: &Option<Views>) -> Option<js_sys::Object> {
        let views = slot.as_ref()?;
        (views.probe.length() > 0).then(|| views.object.clone())
    }
}

// SAFETY (every `view` below): a view is a JS object over a column's bytes. JavaScript runs
// only between calls into the module, when no Rust reference to the column is live, and a view
// over memory that has since grown is detached (empty), never dangling.

#[wasm_bindgen]
impl ChainPricer {
    /// Columns for `length` options: inputs zero (invalid until written), outputs NaN.
    #[wasm_bindgen(constructor)]
    pub fn new(length: usize) -> ChainPricer {
        let nan = || vec![f64::NAN; length];
        ChainPricer {
            forward: vec![0.0; length],
            strike: vec![0.0; length],
            years: vec![0.0; length],
            vol: vec![0.0; length],
            is_call: vec![0; length],
            out: crate::pricing::chain::ChainGreeks {
                price: nan(),
                delta: nan(),
                gamma: nan(),
                vega: nan(),
                theta: nan(),
                rho: nan(),
                invalid: Vec::new(),
            },
            input_views: None,
            output_views: None,
            invalid_key: JsValue::from_str("invalid"),
            none_invalid_shown: false,
        }
    }

    /// Views of the input columns: `forward` (USD), `strike` (USD), `years` (calendar days /
    /// 365), `vol` (fraction), `isCall` (1 for a call, 0 for a put). Write the chain into them.
    #[wasm_bindgen(unchecked_return_type = "ChainInputViews")]
    pub fn inputs(&mut self) -> JsValue {
        if let Some(object) = Views::attached(&self.input_views) {
            return object.into();
        }
        let out = js_sys::Object::new();
        for (name, column) in [
            ("forward", &self.forward),
            ("strike", &self.strike),
            ("years", &self.years),
            ("vol", &self.vol),
        ] {
            let view = unsafe { js_sys::Float64Array::view(column) };
            set(&out, name, &view);
        }
        let view = unsafe { js_sys::Uint8Array::view(&self.is_call) };
        set(&out, "isCall", &view);
        self.input_views = Some(Views::keep(&out, "forward"));
        out.into()
    }

    /// Prices the options in the input columns at `rate` (continuously compounded fraction)
    /// into the output columns, and returns them as views (`invalid` is a copy). Throws when the
    /// rate is not between −1 and 1; an option outside the domain gets NaN and its index in
    /// `invalid`.
    #[wasm_bindgen(unchecked_return_type = "ChainQuote")]
    pub fn compute(&mut self, rate: f64) -> Result<JsValue, JsError> {
        let inputs = crate::pricing::chain::ChainInputs {
            forward: &self.forward,
            strike: &self.strike,
            years: &self.years,
            vol: &self.vol,
            is_call: &self.is_call,
            rate,
        };
        crate::pricing::chain::price_chain_into(&inputs, &mut self.out)
            .map_err(|e| JsError::new(&e))?;
        let none_invalid = self.out.invalid.is_empty();
        if let Some(object) = Views::attached(&self.output_views) {
            // The usual tick: no option invalid now or last time, and `invalid` is already
            // empty (0.5 µs saved, a sixth of what a call costs beyond the pricing).
            if none_invalid && self.none_invalid_shown {
                return Ok(object.into());
            }
            // Unless the caller has frozen the object: then it gets a new one.
            let invalid = invalid_indexes(&self.out);
            if let Ok(true) = js_sys::Reflect::set(&object, &self.invalid_key, &invalid) {
                self.none_invalid_shown = none_invalid;
                return Ok(object.into());
            }
        }
        let quote = chain_quote(&self.out, |column| unsafe {
            js_sys::Float64Array::view(column)
        });
        self.output_views = Some(Views::keep(quote.unchecked_ref(), "price"));
        self.none_invalid_shown = none_invalid;
        Ok(quote)
    }
}

/// Implied volatilities (fractions) of a chain in columns of undiscounted prices; NaN where no
/// volatility reproduces the price. Throws when the columns differ in length.
#[wasm_bindgen(js_name = impliedVols)]
pub fn implied_vols(
    price: &[f64],
    forward: &[f64],
    strike: &[f64],
    years: &[f64],
    is_call: &[u8],
) -> Result<js_sys::Float64Array, JsError> {
    let vols = crate::pricing::implied::implied_vols(price, forward, strike, years, is_call)
        .map_err(|e| JsError::new(&e))?;
    Ok(float64_array(&vols))
}

/// The crate version, for bug reports.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A request to `analyze`. Numbers in the API are fractions (0.65 = 65 %); IVs in pasted text are percent. */
export interface Request {
  /** Pasted text (CSV, TSV, semicolon-separated or a JSON array, header row first), an array of position objects, or a venue's positions response as an object (envelope included). Absent when `accounts` holds the positions. */
  positions?: string | PositionInput[] | object;
  /** Venue accounts, each margined and liquidated by its venue's own rules; without them the request is one account (Deribit's rules, or `margin.model`). */
  accounts?: AccountInput[];
  market: MarketInput;
  account?: {
    /** Units per currency: coins, or USD for USD/USDC/USDT. Coins are valued at their index. */
    collateral?: Record<string, number | null>;
    /** The venue's balance or account-summary response (Deribit get_account_summary, OKX account/balance, Bybit wallet-balance, Binance balance/account, Hyperliquid clearinghouseState, dYdX subaccount, Derive get_collaterals, ccxt fetchBalance), pasted or parsed: collateral for the currencies not typed (equity less the positions settled in it). */
    balance?: string | object;
  };
  /** VaR, ES and the probability of liquidation over a horizon; vol forecasts and a backtest from daily closes. */
  risk?: RiskRequest;
  /** The largest size of a proposed trade within caps: IM within available (always), a 1-day P&L vol target (delta-normal, USD), a 1-day 97.5 % ES budget (USD), a liquidation-distance floor (fraction), fractional Kelly (edge: annual fraction). */
  sizing?: { instrument: string; side?: "buy" | "sell"; /** In the instrument's price unit; default its mark. */ price?: number; /** Fraction. */ iv?: number;
    volTargetUsd?: number; esBudgetUsd?: number; liquidationDistance?: number; kelly?: { edge: number; /** Default 0.25. */ fraction?: number } };
  /** The cheapest trades that bring the account to its targets under its margin model, and Greek hedges. */
  rebalance?: RebalanceRequest;
  /** Where the P&L since an earlier snapshot came from: its market (and positions; default today's, held). */
  attribution?: { from: { market: MarketInput; positions?: string | PositionInput[] | object }; method?: "taylor" | "average-greeks" | "waterfall" };
  margin?: {
    /** "standard" (per position, Deribit's rules), "deribit-pm" (risk matrix) or "span" (SPAN-16). */
    model?: "standard" | "deribit-pm" | "span";
    /** Portfolio-margin pack overrides by underlying, on top of the published pack (BTC June 2024, ETH February 2026; others use ETH's). */
    packs?: Record<string, Partial<{ priceRange: number; volatilityRangeUp: number; volatilityRangeDown: number; shortTermVegaPower: number; longTermVegaPower: number; minVolatilityForShockUp: number; extendedTableFactor: number; extendedDampener: number; annualisedMoveRisk: number; minAnnualisedMove: number; maxDeltaShock: number; deltaTotalLiqShockThreshold: number; mInc: number; pnlOffset: number; mmFactor: number }>>;
    /** SPAN parameters: priceScanRange (fraction, 0.15), volScanRange (absolute, 0.10), extremeCover (0.35), shortOptionMinimum (fraction of index per short coin, 0.01), spreadCharge (USD per coin, 0), initialFactor (IM/MM, 1). */
    span?: Partial<{ priceScanRange: number; volScanRange: number; extremeCover: number; shortOptionMinimum: number; spreadCharge: number; initialFactor: number }>;
    /** Absolute vol shock of the vol-shocked distances to liquidation; default 0.1 (+10 vol points). */
    volShockUp?: number;
  };
  /** Hypothetical trades (same forms as positions): the report's whatIf shows the account before and after adding them. */
  whatIf?: string | PositionInput[];
  /** With accounts: the account (id) the what-if's trades go into; default the first. */
  whatIfAccount?: string;
  /** Scenario outputs for charts, computed only when asked. */
  scenarios?: {
    /** Price × vol grid per underlying: moves (fractions, default −30 %…+30 % by 5 %), volShifts (absolute, default ±10, ±20 points). */
    matrix?: { moves?: number[]; volShifts?: number[] };
    /** P&L against the index now, at +N days and at each expiry; equity and margin now. Defaults: from −0.5, to 0.5, 41 points, horizonDays [7]. */
    curves?: { from?: number; to?: number; points?: number; horizonDays?: number[] };
  };
  /** Stress tests: the historical library (default on) and user scenarios. */
  stress?: {
    library?: boolean;
    scenarios?: { name: string; /** Fractional index move by underlying. */ moves?: Record<string, number>; /** Relative implied-vol change by underlying (0.5 = × 1.5 at 30 days, tenor-scaled). */ volChange?: Record<string, number>; /** Fractional move of a stablecoin collateral's USD price (USDC: −0.12 = a depeg to 0.88). */ collateral?: Record<string, number> }[];
  };
  /** Venue for names several venues share; a row's venue column wins. Default "auto": decided per row from names, headers and prices. */
  venue?: "auto" | "deribit" | "okx" | "bybit" | "binance";
}

/** One venue account. */
export interface AccountInput {
  /** Default "<venue>-<n>". */
  id?: string;
  venue: "deribit" | "binance" | "okx" | "bybit" | "hyperliquid" | "dydx" | "derive";
  /** "cross" (default); "isolated" (every position on its own margin; not Deribit); Deribit's "segregated" (per currency) and "portfolio". */
  marginMode?: "cross" | "isolated" | "segregated" | "portfolio";
  /** Units per currency: coins, or USD for USD/USDC/USDT. */
  collateral?: Record<string, number | null>;
  /** The venue's own names: Hyperliquid's coin ("BTC" is its perpetual), dYdX's "ETH-USD". Rows may carry marginMode, isolatedMargin (USD) and leverage. */
  positions?: string | PositionInput[] | object;
  /** The venue's balance response: collateral for the currencies not typed (see Request.account.balance). */
  balance?: string | object;
  /** Overrides of the venue's pack: tier tables by underlying (USD floors ascending from 0; deductionUsd derived when absent), max leverage by underlying, default leverage. */
  params?: {
    maintenanceTiers?: Record<string, { floorUsd: number; rate: number; deductionUsd?: number; maxLeverage?: number }[]>;
    maxLeverage?: Record<string, number>;
    leverage?: number;
  };
}

/** One position given as an object. Keys are matched like pasted headers (case- and punctuation-insensitive, with aliases). */
export interface PositionInput {
  /** A Deribit, OKX, Bybit or Binance name (BTC-27NOV26-90000-C, BTC-USD-261225-100000-C, BTCUSDT, BTCUSD_PERP …) or a coin (BTC). */
  instrument: string;
  /** deribit, okx, bybit or binance: decides names several venues share. */
  venue?: string;
  /** Signed size: coins for inverse options, linear perpetuals and spot; USD notional for inverse futures/perpetuals; contracts for linear options. */
  size: number | string;
  /** "buy"/"long" or "sell"/"short"; with a side, size is unsigned. */
  side?: string;
  /** Entry price: coin for inverse options, USD otherwise. */
  entryPrice?: number | string | null;
  /** Venue mark price (same unit as entryPrice): implies the option's vol when no IV is given; a dated future's mark is the forward of its expiry. */
  markPrice?: number | string | null;
  /** Implied volatility, fraction (0.65). */
  iv?: number | string | null;
  /** Coins per contract (USD per contract for USD-sized instruments), overriding the venue's terms. */
  multiplier?: number | string | null;
  /** In a venue account: "cross" or "isolated". */
  marginMode?: string;
  /** In a venue account: USD allocated to an isolated position (default: its initial margin at entry). */
  isolatedMargin?: number | string | null;
  /** In a venue account: initial margin = notional / leverage (default: the tier's max leverage). */
  leverage?: number | string | null;
  [column: string]: unknown;
}

export interface MarketInput {
  /** ISO-8601 valuation instant, e.g. "2026-11-23T12:00:00Z". The core never reads a clock. */
  valuationTime: string;
  /** Continuously compounded rate, fraction; default 0 (venues mark on the forward with r = 0). */
  rate?: number | null;
  underlyings?: Record<string, UnderlyingInput>;
  /** Absolute shift of every option's vol (0.05 = +5 vol points); warned about. */
  volShift?: number;
  /** USD price of stablecoin collateral (USDC, USDT), default 1; off the peg by more than 2 % is warned about. */
  collateralPrices?: Record<string, number | null>;
  /** A venue's public market data (Deribit get_book_summary_by_currency or markprice.options, OKX opt-summary/mark-price, Bybit tickers, Binance eapi/v1/mark), pasted or parsed: fills the index, forwards and smiles not typed, each said in `warnings`. */
  snapshot?: string | object | object[];
}

/** `risk`: every field optional. */
export interface RiskRequest {
  /** Calendar days, default 1. */ horizonDays?: number;
  /** Fraction, default 0.99. */ confidence?: number;
  /** Default 10,000 (antithetic pairs). */ paths?: number;
  /** Default 1; the same seed gives the same figures to the bit. */ seed?: number;
  /** "full" (default: full revaluation at the horizon) or "delta-gamma" (the quadratic form, with Cornish–Fisher beside it). */
  method?: "full" | "delta-gamma";
  /** Annual vol of the vol level, fraction; default 1; 0 holds every vol fixed. */ volOfVol?: number;
  correlation?: { /** Between underlyings' index (and vol) moves; default 0.75. */ underlyings?: number; /** Between an index and its vol; default 0. */ spotVol?: number };
  /** Daily closes by underlying, oldest first (the same days; aligned on the most recent), at least 31. */
  history?: Record<string, number[]>;
  /** Each day's [high, low] by underlying, oldest first, aligned with the closes: Parkinson realised variance for HAR-RV. */
  ranges?: Record<string, [number, number][]>;
  /** With a history: "ewma" (default, λ = lambda), "garch" (GARCH(1,1) by maximum likelihood) or "har" (HAR-RV on the ranges) drives σ. */
  forecast?: "ewma" | "garch" | "har";
  /** "model" (default) or "historical" (filtered historical simulation; needs a history). */
  scenarios?: "model" | "historical";
  /** EWMA decay, default 0.94. */ lambda?: number;
}

/** P&L terms, USD: delta δ·ΔS, gamma ½Γ·ΔS², vega·Δσ, theta·Δt, vanna·ΔS·Δσ, ½volga·Δσ², rho·Δr; basis (futures' mark beyond the index; in a waterfall the last step); unexplained (the rest; 0 in a waterfall). */
export interface AttributionTerms { pnlUsd: number; deltaUsd: number; gammaUsd: number; vegaUsd: number; thetaUsd: number; vannaUsd: number; volgaUsd: number; rhoUsd: number; basisUsd: number; unexplainedUsd: number }

/** `report.risk`: USD amounts (losses positive), fractions for probabilities and vols. */
export interface RiskReport {
  method: "full" | "delta-gamma"; /** The model and every parameter, in one paragraph. */ model: string; scenarios: "model" | "historical";
  horizonDays: number; confidence: number; paths: number; seed: number;
  /** USD. */ varUsd: number; /** USD. */ esUsd: number;
  /** USD, batch means over 20 runs; null with too few paths. */ varStandardErrorUsd: number | null; esStandardErrorUsd: number | null;
  /** Share of paths liquidatable at the horizon; null for delta-gamma and for venue accounts. */ liquidationProbability: number | null; liquidationStandardError: number | null;
  /** USD; delta-gamma only. */ cornishFisherVarUsd: number | null;
  /** Paths revalued exactly; the largest table error among them, USD. */ verifiedPaths: number; tableErrorUsd: number | null;
  perUnderlying: { underlying: string; /** Annual, fraction. */ vol: number; volSource: "market" | "ewma" | "garch" | "har"; /** USD. */ varUsd: number; esUsd: number }[];
  /** P&L histogram: edges USD (bins + 1), path counts. */ distribution: { edgesUsd: number[]; counts: number[] };
  forecasts: { underlying: string; observations: number; /** Annualised fractions. */ realizedVol: number; ewmaVol: number; impliedVol: number | null;
    garch: { omega: number; alpha: number; beta: number; nextDayVol: number; horizonVol: number; longRunVol: number } | null;
    /** HAR-RV on Parkinson realised variance (with ranges). */ har: { beta0: number; betaD: number; betaW: number; betaM: number; days: number; nextDayVol: number } | null }[];
  backtest: { observations: number; confidence: number; exceptions: number; expectedExceptions: number; kupiecStatistic: number; kupiecPValue: number;
    zone: "green" | "yellow" | "red"; cumulativeProbability: number; plusFactor: number | null } | null;
  /** With venue accounts: each account's probability of being liquidatable at the horizon on its venue's rules (fractions). */
  perAccount: { account: string; venue: string; liquidationProbability: number; liquidationStandardError: number }[];
}

export interface UnderlyingInput {
  /** Index price, USD. */
  index?: number | null;
  /** Default volatility, fraction, for options with no IV, no mark price, no smile and no ATM vols. */
  vol?: number | null;
  /** Forward price in USD by expiry code ("25DEC26") or ISO date. */
  forwards?: Record<string, number | null>;
  /** Settlement price in USD by expiry, for instruments that have expired (default: the index). */
  settlements?: Record<string, number | null>;
  /** ATM volatility (fraction) by expiry: the term structure, interpolated in total variance. */
  atmVols?: Record<string, number | null>;
  /** Smile by expiry: [strike USD, IV fraction] points (linear in total variance vs ln(K/F), flat beyond), or raw SVI total-variance parameters. */
  smiles?: Record<string, { points: [number, number][] } | { svi: { a: number; b: number; rho: number; m: number; sigma: number } }>;
  /** Annual basis b for expiries without a forward: F = S·e^(bT); default 0. */
  basis?: number | null;
  /** Absolute vol shift by expiry code, on top of market.volShift. */
  volShifts?: Record<string, number | null>;
}

/** The result. Every number's unit is in `units` and in these comments. */
export interface Report {
  /** RFC 3339, UTC. */
  valuationTime: string;
  margin: { model: "standard" | "deribit-pm" | "span" | "venue accounts"; pack: string; marginBalanceRule: string; /** Absolute. */ volShockUp: number };
  positions: PositionReport[];
  underlyings: Record<string, UnderlyingReport>;
  /** The whole portfolio: the single account, or the USD sums of `accounts`. */
  account: AccountReport;
  /** Each venue account on its venue's rules (empty without request.accounts). */
  accounts: VenueAccountReport[];
  /** Rows that could not be used; all other rows are computed. */
  errors: RowError[];
  /** The effect of request.whatIf; null without one. */
  whatIf: {
    positions: PositionReport[];
    errors: RowError[];
    /** Premium the trades pay (positive) or receive, USD: options at their entry price, else their mark; taken from the collateral in `after`. */
    premiumUsd: number;
    /** How the margin model counts long options, where it matters (standard margin). */
    longOptionsRule: string | null;
    before: AccountSnapshot;
    after: AccountSnapshot;
  } | null;
  /** VaR, ES and the probability of liquidation, when request.risk asked; null otherwise. */
  risk: RiskReport | null;
  /** The sizing asked for; null otherwise. Sizes in `sizeUnit`. */
  sizing: { instrument: string; side: "buy" | "sell"; sizeUnit: "coin" | "USD" | "contracts"; maxSize: number; binding: string; searchedTo: number;
    caps: { cap: string; limit: number; unit: string; /** null: not reached within the search. */ maxSize: number | null; breachedNow: boolean }[]; notes: string[] } | null;
  /** The trades found, when request.rebalance asked; null otherwise (or a warning naming the field). */
  rebalance: RebalanceReport | null;
  /** P&L attribution, when request.attribution asked; null otherwise. Every term USD. */
  attribution: {
    method: "taylor" | "average-greeks" | "waterfall"; /** RFC 3339. */ from: string; to: string;
    total: AttributionTerms;
    positions: ({ line: number; instrument: string; underlying: string } & AttributionTerms)[];
    /** Coin collateral's own move: coins held × the index's move, USD. */ collateral: { currency: string; amount: number; pnlUsd: number }[];
    /** Today's instruments not in the earlier book: traded since, not attributed. */ newPositions: string[];
    notes: string[];
  } | null;
  /** Risk matrices and curves, when asked for. */
  scenarios: {
    matrix: { underlying: string; moves: number[]; volShifts: number[]; /** USD; rows = vol shifts, columns = moves. */ pnlUsd: number[][] }[];
    curves: {
      underlying: string; moves: number[]; /** USD. */ prices: number[];
      horizons: { /** "now", "+7d" or an expiry code. */ label: string; days: number; /** USD against today's equity. */ pnlUsd: number[] }[];
      /** Now, under the chosen margin model. */ equityUsd: number[]; maintenanceMarginUsd: number[]; mmUsage: (number | null)[];
    }[];
  };
  /** Stress scenarios, worst P&L first. */
  stress: {
    name: string; /** When it happened, or "user". */ date: string; source: string;
    /** Fractional index move applied per underlying. */ moves: Record<string, number>;
    /** Relative implied-vol change per underlying. */ volChange: Record<string, number>;
    /** Figures not in the source and how they were derived (e.g. SOL = BTC's move × 2). */ assumed: string[];
    /** Fractional move of each stablecoin's USD price (a depeg). */ collateralMoves: Record<string, number>;
    /** USD. */ pnlUsd: number; equityUsd: number; marginBalanceUsd: number; maintenanceMarginUsd: number;
    mmUsage: number | null; liquidatable: boolean;
  }[];
  /** Things that did not stop the computation: arbitrage in the vol surface ("BTC 25DEC26 smile: … butterfly arbitrage"), ignored fields. */
  warnings: string[];
  input: { format: "csv" | "tsv" | "semicolon" | "json" | "objects"; columns: { column: string; field: string | null }[]; rowsRead: number };
  /** Unit of each numeric field, by field name. */
  units: Record<string, string>;
}

export interface PositionReport {
  /** 1-based line in the pasted text (header = 1), or 1-based index in an array. */
  line: number;
  /** 1-based number of the row among the input's rows (tells apart JSON rows pasted on one line). */
  item: number;
  instrument: string;
  underlying: string;
  venue: "deribit" | "okx" | "bybit" | "binance" | "hyperliquid" | "dydx" | "derive";
  /** Why that venue: the row's venue column, the request's venue setting, the table's headers, the premium's or size's scale (names two venues share), the name alone, or the default. */
  venueSource: "column" | "setting" | "headers" | "premium" | "size" | "name" | "default";
  /** How the row was read, in words, e.g. "OKX coin-settled option: -120 contracts × 0.01 BTC = -1.2 BTC". */
  readAs: string;
  /** Assumptions made for this row. */
  notes: string[];
  kind: "option" | "future" | "perpetual" | "spot";
  /** inverse = coin-settled; linear = USD-settled. */
  settlement: "inverse" | "linear" | "spot";
  /** RFC 3339 expiry instant (08:00 UTC). */
  expiry: string | null;
  /** USD. */
  strike: number | null;
  optionType: "call" | "put" | null;
  /** Expired: settled at the index, no Greeks, no margin. */
  expired: boolean;
  /** Signed size as given, in sizeUnit. */
  size: number;
  sizeUnit: "coin" | "USD" | "contracts";
  /** Signed size in coins of the underlying. */
  quantity: number;
  /** USD. */
  index: number;
  /** Calendar years to expiry (days / 365). */
  years: number | null;
  /** USD. */
  forward: number | null;
  forwardSource: "market" | "future" | "basis" | null;
  /** Volatility used, fraction. */
  iv: number | null;
  /** The row's IV, implied from its mark, the expiry's smile, the ATM term structure, or the default vol. */
  ivSource: "row" | "mark" | "smile" | "term" | "default" | null;
  /** Model mark per coin, in priceUnit. */
  markPrice: number;
  /** Entry per coin as given, in priceUnit. */
  entryPrice: number | null;
  /** The coin for inverse options, else "USD". */
  priceUnit: string;
  /** Contribution to equity, USD. */
  valueUsd: number;
  /** Value in coins, coin-settled only. */
  valueCoin: number | null;
  /** Change against the entry price, USD; null without an entry. */
  pnlUsd: number | null;
  /** USD delta ∂V_usd/∂S, coins of the underlying. */
  delta: number;
  /** Coins per 1 USD move of the index. */
  gamma: number;
  /** Γ·S/100: coins of delta per 1 % move of the index. */
  gammaPct: number;
  /** USD per 1 vol point. */
  vega: number;
  /** Coins per 1 vol point (vega over the index). */
  vegaCoin: number;
  /** USD per calendar day. */
  theta: number;
  /** Coins per calendar day. */
  thetaCoin: number;
  /** USD per 1 percentage point of rate. */
  rho: number;
  /** Coins of delta per 1 vol point. */
  vanna: number;
  /** USD per (1 vol point)². */
  volga: number;
  /** Coins of delta per calendar day. */
  charm: number;
  /** Coin delta S·∂V_coin/∂S (Deribit's delta), coins; coin-settled only. */
  coinDelta: number | null;
  /** USD; standard margin only (null under portfolio models, where margin belongs to the portfolio). */
  initialMarginUsd: number | null;
  /** USD; standard margin only. */
  maintenanceMarginUsd: number | null;
  /** With accounts: the account's id, the pool it is margined in, and the index price (USD) at which that pool reaches maintenance margin (the nearer of down and up; null when none within −99 % … +1000 %). */
  account: string | null;
  marginPool: string | null;
  liquidationPrice: number | null;
  /** With accounts: the figures of the position's pool (its own when isolated): equity and MM (USD), MM usage (fraction). */
  poolEquityUsd: number | null; poolMaintenanceMarginUsd: number | null; poolMmUsage: number | null;
  /** The venue's own figures where a pasted API response states them: liquidation price (USD), maintenance and initial margin (the venue's unit), and Headroom's liquidation price over the venue's − 1 (with accounts). */
  venueReported: { liquidationPrice: number | null; maintenanceMargin: number | null; initialMargin: number | null; liquidationPriceDifference: number | null } | null;
}

export interface UnderlyingReport {
  /** USD; null when the market gives none (its rows are then in errors). */
  index: number | null;
  positions: number;
  valueUsd: number; pnlUsd: number;
  /** Coins. */ delta: number;
  /** Coins per USD. */ gamma: number;
  /** Coins of delta per 1 % move. */ gammaPct: number;
  /** USD per vol point. */ vega: number;
  /** Coins per vol point. */ vegaCoin: number;
  /** Σ vega × √(30 / days to expiry), USD per vol point. */ weightedVega: number;
  /** USD per day. */ theta: number;
  /** Coins per day. */ thetaCoin: number;
  /** USD per percentage point. */ rho: number;
  vanna: number; volga: number; charm: number;
  /** Sum of coin deltas of coin-settled positions, coins. */ coinDelta: number;
  /** Coins held as collateral. */ collateral: number;
  /** delta + collateral: coins to sell to flatten the account's USD value in this underlying. */ deltaWithCollateral: number;
  initialMarginUsd: number; maintenanceMarginUsd: number;
  expiries: {
    /** Venue code, e.g. "25DEC26". */ expiry: string;
    /** RFC 3339 (08:00 UTC). */ expiryTime: string;
    years: number;
    /** USD. */ forward: number | null;
    forwardSource: "market" | "future" | "basis" | null;
    /** F/S − 1. */ basis: number | null;
    /** ln(F/S)/T, per year. */ basisAnnualized: number | null;
    expired: boolean;
    /** USD, for an expired expiry. */ settlement: number | null;
    /** Positions of this underlying in this expiry. */ positions: number;
    /** Their value and P&L, USD. */ valueUsd: number; pnlUsd: number;
    /** USD delta, coins. */ delta: number;
    /** Coins per 1 USD move. */ gamma: number;
    /** USD per calendar day. */ theta: number;
    /** USD per vol point. */ vega: number;
    /** vega × √(30 / days to expiry). */ weightedVega: number;
  }[];
}

export interface AccountReport {
  /** All USD. */
  collateralUsd: number; equityUsd: number; marginBalanceUsd: number;
  initialMarginUsd: number; maintenanceMarginUsd: number;
  /** Margin balance − IM. */ availableUsd: number;
  /** Margin balance − MM: the room before liquidation. */ headroomUsd: number;
  /** IM / margin balance, fraction; null when the balance is not positive. */ imUsage: number | null;
  /** MM / margin balance, fraction; liquidation at 1. */ mmUsage: number | null;
  liquidatable: boolean;
  /** Per underlying, the smallest move of its index alone (signed fraction) at which MM usage reaches 100 %; null when none within −99 % … +1000 %. */
  liquidation: Record<string, Liquidation>;
  /** Every underlying's index moving together by the same fraction (prices are null here). */
  liquidationAll: Liquidation;
  /** Absolute vol shock used by downVolUp / upVolUp. */
  volShockUp: number;
  /** Why the requirement is what it is: one entry per pool (portfolio margin: an underlying's coin-settled or USD-settled instruments) or underlying (SPAN); empty under standard margin. */
  marginDetail: MarginDetail[];
  /** With accounts: the account and pool liquidated first when every index moves together (move: signed fraction). */
  firstToLiquidate: { down: LiquidationEvent | null; up: LiquidationEvent | null } | null;
  /** With two or more venue accounts: USD stablecoins moved between their cross pools to maximise the smallest distance to liquidation (fractions), verified by the liquidation search; transfers is empty when none helps. */
  collateralTransfer: {
    transfers: { from: string; to: string; /** USD. */ amountUsd: number }[];
    smallestDistanceBefore: number | null; accountBefore: string | null;
    smallestDistanceAfter: number | null; accountAfter: string | null;
    rule: string;
  } | null;
}

export interface LiquidationEvent { account: string; venue: string; pool: string; /** Signed fraction. */ move: number }

/** One venue account on its venue's rules. All figures USD unless noted. */
export interface VenueAccountReport {
  id: string; venue: string; marginMode: "cross" | "isolated" | "segregated" | "portfolio";
  /** The venue's parameter pack: name, date, source, and the rules the figures follow. */
  pack: { name: string; date: string; source: string; rules: string[] };
  /** Where a figure follows an approximation, not the venue's published rule, and how. */
  approximations: string[];
  positions: number;
  collateralUsd: number; equityUsd: number; marginBalanceUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number;
  availableUsd: number; headroomUsd: number; /** Fraction. */ mmUsage: number | null; liquidatable: boolean;
  liquidation: Record<string, Liquidation>;
  liquidationAll: Liquidation;
  /** Parts positions share, margined and liquidated together: "cross", "segregated BTC" (an isolated position's figures are on the position). */
  isolatedPositions: number;
  pools: { name: string; isolated: boolean; lines: number[]; equityUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number; headroomUsd: number; mmUsage: number | null; liquidatable: boolean; liquidation: Record<string, Liquidation>; liquidationAll: Liquidation }[];
  underlyings: Record<string, { down: number | null; up: number | null; /** Coins. */ delta: number; /** Coins per USD. */ gamma: number; /** USD per vol point. */ vega: number; /** USD per day. */ theta: number }>;
}

/** The figures a trade changes (USD unless noted). */
/** request.rebalance. Bands are `[low, high]`, keyed by underlying (`BTC`) or, for vega, an expiry bucket (`BTC-25DEC26`). */
export interface RebalanceRequest {
  targets?: {
    /** Margin balance − MM at least this, USD. */ headroomUsd?: number;
    /** Every underlying's distance to liquidation, down and up, at least this fraction. */ liquidationDistance?: number;
    /** MM / margin balance at most this fraction. */ maxMmUsage?: number;
    /** Coins, coin collateral included. */ delta?: Record<string, [number, number]>;
    /** Coins per USD. */ gamma?: Record<string, [number, number]>;
    /** USD per vol point. */ vega?: Record<string, [number, number]>;
    /** Coins per vol point. */ vanna?: Record<string, [number, number]>;
  };
  /** "auto" (default): the book's instruments, the perpetual, options at round strikes. */
  candidates?: "auto" | {
    instrument: string; /** Mid, in the instrument's price unit; default its mark. */ price?: number;
    /** In the price's unit. */ halfSpread?: number; /** Fraction. */ iv?: number;
    /** In the instrument's size unit. */ lot?: number; maxSize?: number; side?: "buy" | "sell" | "both";
  }[];
  /** Fractions; defaults: the deribit-taker-2026 pack. */
  costs?: { optionHalfSpread?: number; futureHalfSpread?: number; optionFee?: number; optionFeeCap?: number; futureFee?: number;
    /** A collateral move between venue accounts, fraction of the amount; default 0. */ transferFee?: number };
  /** Default 4. */
  maxTrades?: number;
  hedge?: { neutral?: ("delta" | "gamma" | "vega" | "vanna")[]; /** Per USD; default 1e-5. */ riskAversion?: number; /** Fraction of notional. */ costFraction?: number };
  /** With accounts: the account (id) to make safe; default the one nearest to liquidation. */
  account?: string;
  /** With accounts: whether USD stablecoin moves from the other accounts count; default true. */
  transfers?: boolean;
}

export interface RebalanceTrade {
  instrument: string; side: "buy" | "sell"; /** In sizeUnit. */ size: number; sizeUnit: "coin" | "USD" | "contracts";
  /** Per coin, in priceUnit. */ price: number; priceUnit: "coin" | "USD"; /** USD per coin. */ priceUsd: number;
  /** Half-spread and fee, USD. */ costUsd: number;
}

export interface RebalanceReport {
  trades: RebalanceTrade[];
  /** Half-spreads and fees, USD. */ costUsd: number;
  /** The trades as what-if lines (instrument,size,entry). */ whatIf: string;
  before: AccountSnapshot; after: AccountSnapshot;
  targets: { target: string; low: number | null; high: number | null; unit: string; before: number | null; after: number | null; met: boolean }[];
  binding: string[];
  /** The trades, re-valued as a what-if with their fees, met every target. */ verified: boolean;
  status: "met already" | "solved" | "not found" | "not verified";
  candidates: number; costPack: string; notes: string[]; rejected: string[];
  /** With accounts: the account made safe; null otherwise. */ account: string | null;
  /** With accounts: USD stablecoins moved in from the other accounts (USD). */ transfers: { from: string; to: string; amountUsd: number }[];
  hedges: {
    underlying: string; greeks: string[]; trades: RebalanceTrade[];
    /** delta coins, gamma coins per USD, vega USD per vol point. */ residual: Record<string, number>;
    /** USD. */ costUsd: number; /** Coins, coin collateral included. */ delta: number; /** Coins. */ minVarianceDelta: number | null;
    band: { /** Coins. */ halfWidth: number; /** Coins. */ hedgedDelta: number; inside: boolean; /** Coins. */ tradeCoins: number;
      /** USD a day. */ expectedCostUsdPerDay: number; costFraction: number; /** Per USD. */ riskAversion: number } | null;
    notes: string[];
  }[];
}

export interface AccountSnapshot {
  equityUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number; availableUsd: number; headroomUsd: number;
  /** Fraction. */ mmUsage: number | null;
  underlyings: Record<string, { /** Signed fractions. */ down: number | null; up: number | null; /** Coins. */ delta: number; /** Coins per USD. */ gamma: number; /** USD per vol point. */ vega: number; /** USD per day. */ theta: number }>;
}

export interface Liquidation {
  down: number | null; up: number | null;
  /** USD. */ downPrice: number | null; upPrice: number | null;
  /** The same with every option's vol shocked up by volShockUp. */
  downVolUp: number | null; upVolUp: number | null;
}

export interface MarginScenario {
  /** Fractional move of the index. */ move: number;
  vol: "up" | "unchanged" | "down";
  /** Extended-table (PM) or extreme (SPAN) move. */ extended: boolean;
  /** P&L in the detail's currency, after scaling and pnl offset. */ pnl: number;
}

export interface MarginDetail {
  underlying: string;
  /** Currency of worstCase, rollShock, deltaShock, initialMargin, maintenanceMargin and the scenario P&Ls: the coin for a coin-settled pool, else USD. */
  currency: string;
  /** Parameter pack or method. */ method: string;
  worstCase: number;
  worstScenario: MarginScenario | null;
  rollShock: number | null; deltaShock: number | null;
  /** SPAN only, USD. */ spreadCharge: number | null; shortOptionMinimum: number | null;
  initialMargin: number; maintenanceMargin: number;
  initialMarginUsd: number; maintenanceMarginUsd: number;
  scenarios: MarginScenario[];
}

/** Input of `priceOption`: Black-76 on a forward. */
export interface OptionQuoteRequest {
  /** Forward price of the expiry. */ forward: number;
  strike: number;
  /** Calendar years to expiry (days / 365). */ years: number;
  /** Volatility, fraction (0.65). */ vol: number;
  isCall: boolean;
  /** Continuously compounded rate, fraction; default 0. */ rate?: number;
}

/** Output of `priceOption`, per one unit of the underlying, in the report's units. */
export interface OptionQuote {
  /** Discounted price, in the forward's currency. */ price: number;
  /** ∂V/∂F. */ delta: number;
  /** ∂²V/∂F². */ gamma: number;
  /** Per 1 vol point. */ vega: number;
  /** Per calendar day (negative for a long option), forward fixed. */ theta: number;
  /** Per 1 percentage point of rate (−T·V/100). */ rho: number;
  /** Delta per 1 vol point. */ vanna: number;
  /** Per (1 vol point)². */ volga: number;
  /** Delta per calendar day. */ charm: number;
}

/** `priceChain`'s columns: one value per option, per unit of the underlying, NaN for the options in `invalid`. */
export interface ChainQuote {
  /** Discounted price, in the forward's currency. */ price: Float64Array;
  /** ∂V/∂F. */ delta: Float64Array;
  /** ∂²V/∂F². */ gamma: Float64Array;
  /** Per 1 vol point. */ vega: Float64Array;
  /** Per calendar day, forward fixed. */ theta: Float64Array;
  /** Per 1 percentage point of rate. */ rho: Float64Array;
  /** Indexes of options with a non-positive or non-finite forward, strike, years or vol, or inputs so extreme that a figure would overflow: NaN in every column. */ invalid: Uint32Array;
}

/** `ChainPricer.inputs()`: views of its input columns in the module's memory, one value per option. Take them again after any call into Headroom. */
export interface ChainInputViews {
  /** Forward, USD. */ forward: Float64Array;
  /** Strike, USD. */ strike: Float64Array;
  /** Years to expiry (calendar days / 365). */ years: Float64Array;
  /** Volatility, fraction (0.65 = 65 %). */ vol: Float64Array;
  /** 1 for a call, 0 for a put. */ isCall: Uint8Array;
}

/** Output of `analyzeColumnar`: the report without its positions, and the positions in columns. */
export interface ColumnarReport {
  /** `analyze`'s report; its `positions` is empty. */
  report: Report;
  positions: PositionColumns;
}

/** `PositionReport`'s fields in columns, row i of each being position i. Units as in `PositionReport`. */
export interface PositionColumns {
  count: number;
  /** Every numeric field of `PositionReport`; NaN where the report has `null`. */
  numbers: Record<"line" | "item" | "strike" | "size" | "quantity" | "index" | "years" | "forward" | "iv" | "markPrice" | "entryPrice" | "valueUsd" | "valueCoin" | "pnlUsd" | "delta" | "gamma" | "gammaPct" | "vega" | "vegaCoin" | "theta" | "thetaCoin" | "rho" | "vanna" | "volga" | "charm" | "coinDelta" | "initialMarginUsd" | "maintenanceMarginUsd" | "liquidationPrice" | "poolEquityUsd" | "poolMaintenanceMarginUsd" | "poolMmUsage" | "venueLiquidationPrice" | "venueMaintenanceMargin" | "venueInitialMargin" | "venueLiquidationPriceDifference", Float64Array>;
  /** 1 where the position has expired. */
  expired: Uint8Array;
  /** Every text field: the rows' strings one after another; `ends[i]` is where row i's ends, in UTF-16 units, or 4294967295 for `null`. */
  text: Record<"instrument" | "underlying" | "venue" | "venueSource" | "readAs" | "kind" | "settlement" | "expiry" | "optionType" | "sizeUnit" | "forwardSource" | "ivSource" | "priceUnit" | "account" | "marginPool", TextColumn>;
  /** Every row's notes, one after another; `count[i]` of them are row i's. */
  notes: TextColumn & { count: Uint32Array };
}

export interface TextColumn {
  text: string;
  ends: Uint32Array;
}

export interface RowError {
  /** With accounts: the account of the row. */
  account?: string;
  line: number;
  /** 1-based number of the row among the input's rows; 0 for the header or the whole text. */
  item: number;
  message: string;
  /** The row as given (shortened); show it as text, never as HTML. */
  text: string;
}
"#;
