//! The request, as plain data (the same shape from JavaScript and from JSON), and its checks. A
//! malformed request is a [`RequestError`] naming the field; malformed rows are not request errors.

use crate::calendar::{parse_expiry_key, parse_instant};
use crate::figure::Figure;
use crate::input::{Loose, PositionsInput};
use crate::market::{is_price, Market, UnderlyingMarket};
use crate::volatility::{SmileSpec, Svi};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// A request that cannot be computed at all, with the field at fault.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestError {
    /// Dotted path of the field, e.g. `market.underlyings.BTC.index`.
    pub field: String,
    pub message: String,
}

impl RequestError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        RequestError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.field.is_empty() || self.field == "." {
            write!(f, "request: {}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for RequestError {}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The book of the single account (absent when `accounts` holds the positions).
    #[serde(default)]
    pub positions: PositionsInput,
    /// Venue accounts, each on its venue's own rules; without them the request is one account.
    #[serde(default)]
    pub accounts: Option<Vec<AccountInput>>,
    pub market: MarketRequest,
    #[serde(default)]
    pub account: AccountRequest,
    #[serde(default)]
    pub margin: MarginRequest,
    /// The venue for names several venues share (`deribit`, `okx`, `bybit`, `binance`); a row's
    /// venue column wins over it. Default: decided per row from the names, headers and prices.
    #[serde(default)]
    pub venue: Option<String>,
    /// Hypothetical trades (same forms as `positions`): the report shows the account before and
    /// after adding them.
    #[serde(default)]
    pub what_if: Option<PositionsInput>,
    /// With venue accounts: the account (id) the what-if's trades go into (default: the first).
    #[serde(default)]
    pub what_if_account: Option<String>,
    /// VaR and ES, the probability of liquidation, vol forecasts and a backtest over a horizon.
    #[serde(default)]
    pub risk: Option<crate::risk::RiskRequest>,
    /// P&L attribution since an earlier snapshot (`from: { market, positions? }`, `method`).
    #[serde(default)]
    pub attribution: Option<crate::attribution::AttributionRequest>,
    /// The largest size of a proposed trade within caps (IM, vol target, ES budget, liquidation
    /// distance, fractional Kelly).
    #[serde(default)]
    pub sizing: Option<crate::analyze::SizingRequest>,
    /// The cheapest trades that reach the targets, and Greek hedges.
    #[serde(default)]
    pub rebalance: Option<crate::rebalance::RebalanceRequest>,
    /// Scenario outputs for charts: risk matrix and curves (computed only when asked).
    #[serde(default)]
    pub scenarios: Option<crate::scenarios::ScenarioRequest>,
    /// Stress tests: the historical library (on unless `library: false`) and user scenarios.
    #[serde(default)]
    pub stress: StressRequest,
    /// Paths of fields the request carried that Headroom does not read (reported as warnings).
    #[serde(skip)]
    pub unknown_fields: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketRequest {
    /// ISO-8601 valuation instant; the core never reads a clock.
    pub valuation_time: String,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub underlyings: BTreeMap<String, UnderlyingRequest>,
    /// A venue's public market data, pasted or passed whole (Deribit
    /// `get_book_summary_by_currency`, OKX `opt-summary`/`mark-price`, Bybit tickers, Binance
    /// `eapi` mark): fills the index, forwards and smiles the user did not type.
    #[serde(default)]
    pub snapshot: Option<PositionsInput>,
    /// USD price of each stablecoin collateral (default 1): USDC, USDT.
    #[serde(default)]
    pub collateral_prices: BTreeMap<String, Option<f64>>,
    /// Absolute shift of every option's vol (fraction: 0.05 = +5 vol points): "what if vols rise".
    #[serde(default)]
    pub vol_shift: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnderlyingRequest {
    #[serde(default)]
    pub index: Option<f64>,
    #[serde(default)]
    pub vol: Option<f64>,
    #[serde(default)]
    pub forwards: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    pub basis: Option<f64>,
    /// Settlement price in USD by expiry, for instruments that have expired (default: the index).
    #[serde(default)]
    pub settlements: BTreeMap<String, Option<f64>>,
    /// ATM volatility (fraction) by expiry: the term structure.
    #[serde(default)]
    pub atm_vols: BTreeMap<String, Option<f64>>,
    /// Smile by expiry: strike → IV points, or raw SVI parameters.
    #[serde(default)]
    pub smiles: BTreeMap<String, SmileRequest>,
    /// Absolute vol shift (fraction) by expiry, on top of `market.volShift`.
    #[serde(default)]
    pub vol_shifts: BTreeMap<String, Option<f64>>,
}

/// One expiry's smile: exactly one of `points` ([strike USD, IV fraction] pairs) or `svi`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmileRequest {
    #[serde(default)]
    pub points: Option<Vec<(f64, f64)>>,
    #[serde(default)]
    pub svi: Option<Svi>,
}

impl SmileRequest {
    fn validate(&self) -> Result<SmileSpec, String> {
        match (&self.points, self.svi) {
            (Some(points), None) => {
                if points.is_empty() {
                    return Err("points is empty: give [strike, iv] pairs".into());
                }
                let mut sorted = points.clone();
                for &(strike, iv) in &sorted {
                    if !is_price(strike) {
                        return Err(format!(
                            "strike {} must be a positive price in USD",
                            Figure(strike)
                        ));
                    }
                    if !(iv.is_finite() && iv > 0.0 && iv <= MAX_VOL) {
                        return Err(format!(
                            "IV {} at strike {} must be a fraction above 0 and at most 20",
                            Figure(iv),
                            Figure(strike)
                        ));
                    }
                }
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
                if let Some(pair) = sorted.windows(2).find(|p| p[0].0 == p[1].0) {
                    return Err(format!("strike {} appears twice", Figure(pair[0].0)));
                }
                Ok(SmileSpec::Points(sorted))
            }
            (None, Some(svi)) => svi.validate().map(|_| SmileSpec::Svi(svi)),
            _ => Err("give either points or svi".into()),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StressRequest {
    /// Run the historical library (default true).
    #[serde(default)]
    pub library: Option<bool>,
    #[serde(default)]
    pub scenarios: Vec<crate::stress::UserScenario>,
}

/// One venue account: its venue, margin mode, collateral, positions (the venue's names) and
/// overrides of the venue's parameter pack.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInput {
    #[serde(default)]
    pub id: Option<String>,
    /// `deribit`, `binance`, `okx`, `bybit`, `hyperliquid`, `dydx` (`derive` is not modelled yet).
    pub venue: String,
    /// `cross` (default), `isolated`, `segregated` (Deribit), `portfolio` (Deribit).
    #[serde(default)]
    pub margin_mode: Option<String>,
    /// Amount per currency (coins, or USD for USD, USDC, USDT).
    #[serde(default)]
    pub collateral: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    pub positions: PositionsInput,
    /// The venue's balance or account-summary response: collateral for the currencies not typed.
    #[serde(default)]
    pub balance: Option<PositionsInput>,
    #[serde(default)]
    pub params: crate::venue::VenueParams,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRequest {
    /// Amount per currency (coins, or USD for USD, USDC, USDT).
    #[serde(default)]
    pub collateral: BTreeMap<String, Option<f64>>,
    /// The venue's balance or account-summary response: collateral for the currencies not typed.
    #[serde(default)]
    pub balance: Option<PositionsInput>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarginRequest {
    /// "standard", "deribit-pm" or "span".
    #[serde(default = "standard")]
    pub model: String,
    /// Portfolio-margin parameter overrides by underlying (on top of the published pack).
    #[serde(default)]
    pub packs: BTreeMap<String, crate::margin::portfolio::PmPackOverride>,
    /// SPAN parameters (defaults when absent).
    #[serde(default)]
    pub span: Option<crate::margin::span::SpanParams>,
    /// Volatility shock (absolute, 0.1 = +10 vol points) for the vol-shocked distance to liquidation.
    #[serde(default)]
    pub vol_shock_up: Option<f64>,
}

impl Default for MarginRequest {
    fn default() -> Self {
        MarginRequest {
            model: standard(),
            packs: BTreeMap::new(),
            span: None,
            vol_shock_up: None,
        }
    }
}

fn standard() -> String {
    "standard".into()
}

/// Highest default volatility accepted (2000 %).
const MAX_VOL: f64 = 20.0;

impl Request {
    /// The venue setting, checked.
    pub fn venue_setting(&self) -> Result<Option<crate::instrument::Venue>, RequestError> {
        match self.venue.as_deref().map(str::trim) {
            None | Some("") | Some("auto") => Ok(None),
            Some(text) => crate::instrument::Venue::parse(text)
                .map(Some)
                .ok_or_else(|| {
                    RequestError::new(
                        "venue",
                        format!(
                            "'{text}' is not one of deribit, okx, bybit, binance, hyperliquid, \
                             dydx, derive, auto"
                        ),
                    )
                }),
        }
    }
}

impl MarketRequest {
    /// Checks every number and date; forwards from the book are added later.
    pub fn validate(&self) -> Result<Market, RequestError> {
        let valuation = parse_instant(&self.valuation_time)
            .map_err(|m| RequestError::new("market.valuationTime", m))?;
        let rate = self.rate.unwrap_or(0.0);
        if !(rate.is_finite() && rate.abs() <= 1.0) {
            return Err(RequestError::new(
                "market.rate",
                format!(
                    "must be a fraction between −1 and 1 (0.05 = 5 %), got {}",
                    Figure(rate)
                ),
            ));
        }
        let mut underlyings = BTreeMap::new();
        for (symbol, u) in &self.underlyings {
            let key = symbol.trim().to_ascii_uppercase();
            let field = |name: &str| format!("market.underlyings.{symbol}.{name}");
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(RequestError::new(
                    format!("market.underlyings.{symbol}"),
                    "an underlying is a coin symbol such as BTC",
                ));
            }
            if let Some(index) = u.index {
                if !is_price(index) {
                    return Err(RequestError::new(
                        field("index"),
                        format!(
                            "must be a positive price in USD (1e-8 to 1e12), got {}",
                            Figure(index)
                        ),
                    ));
                }
            }
            if let Some(vol) = u.vol {
                if !(vol.is_finite() && vol > 0.0 && vol <= MAX_VOL) {
                    return Err(RequestError::new(
                        field("vol"),
                        format!(
                            "must be a fraction above 0 and at most 20 (0.65 = 65 %), got {}",
                            Figure(vol)
                        ),
                    ));
                }
            }
            let basis = u.basis.unwrap_or(0.0);
            if !(basis.is_finite() && basis.abs() <= 5.0) {
                return Err(RequestError::new(
                    field("basis"),
                    format!(
                        "must be an annual fraction between −5 and 5, got {}",
                        Figure(basis)
                    ),
                ));
            }
            let mut forwards = BTreeMap::new();
            for (code, forward) in &u.forwards {
                let date =
                    parse_expiry_key(code).map_err(|m| RequestError::new(field("forwards"), m))?;
                match forward {
                    None => {}
                    Some(f) if is_price(*f) => {
                        forwards.insert(date, *f);
                    }
                    Some(f) => {
                        return Err(RequestError::new(
                            format!("{}.{code}", field("forwards")),
                            format!(
                                "must be a positive price in USD (1e-8 to 1e12), got {}",
                                Figure(*f)
                            ),
                        ))
                    }
                }
            }
            let mut settlements = BTreeMap::new();
            for (code, price) in &u.settlements {
                let date = parse_expiry_key(code)
                    .map_err(|m| RequestError::new(field("settlements"), m))?;
                match price {
                    None => {}
                    Some(f) if is_price(*f) => {
                        settlements.insert(date, *f);
                    }
                    Some(f) => {
                        return Err(RequestError::new(
                            format!("{}.{code}", field("settlements")),
                            format!(
                                "must be a positive price in USD (1e-8 to 1e12), got {}",
                                Figure(*f)
                            ),
                        ))
                    }
                }
            }
            let mut atm_vols = BTreeMap::new();
            for (code, vol) in &u.atm_vols {
                let date =
                    parse_expiry_key(code).map_err(|m| RequestError::new(field("atmVols"), m))?;
                match vol {
                    None => {}
                    Some(v) if v.is_finite() && *v > 0.0 && *v <= MAX_VOL => {
                        atm_vols.insert(date, *v);
                    }
                    Some(v) => {
                        return Err(RequestError::new(
                            format!("{}.{code}", field("atmVols")),
                            format!(
                                "must be a fraction above 0 and at most 20 (0.65 = 65 %), got {}",
                                Figure(*v)
                            ),
                        ))
                    }
                }
            }
            let mut smiles = BTreeMap::new();
            for (code, smile) in &u.smiles {
                let date =
                    parse_expiry_key(code).map_err(|m| RequestError::new(field("smiles"), m))?;
                let spec = smile
                    .validate()
                    .map_err(|m| RequestError::new(format!("{}.{code}", field("smiles")), m))?;
                smiles.insert(date, spec);
            }
            underlyings.insert(
                key,
                UnderlyingMarket {
                    index: u.index,
                    vol: u.vol,
                    forwards,
                    basis,
                    settlements,
                    atm_vols,
                    smiles,
                },
            );
        }
        let vol_shift = self.vol_shift.unwrap_or(0.0);
        if !(vol_shift.is_finite() && vol_shift.abs() <= 5.0) {
            return Err(RequestError::new(
                "market.volShift",
                format!(
                    "must be an absolute vol change from −5 to 5 (0.05 = +5 vol points), got {}",
                    Figure(vol_shift)
                ),
            ));
        }
        let mut expiry_vol_shifts = BTreeMap::new();
        for (symbol, u) in &self.underlyings {
            let key = symbol.trim().to_ascii_uppercase();
            for (code, shift) in &u.vol_shifts {
                let field = format!("market.underlyings.{symbol}.volShifts.{code}");
                let date = parse_expiry_key(code).map_err(|m| RequestError::new(&field, m))?;
                let Some(shift) = *shift else { continue };
                if !(shift.is_finite() && shift.abs() <= 5.0) {
                    return Err(RequestError::new(
                        field,
                        format!(
                            "must be an absolute vol change from −5 to 5, got {}",
                            Figure(shift)
                        ),
                    ));
                }
                expiry_vol_shifts.insert((key.clone(), date), shift);
            }
        }
        let mut collateral_prices = BTreeMap::new();
        for (code, price) in &self.collateral_prices {
            let key = code.trim().to_ascii_uppercase();
            let Some(price) = *price else { continue };
            if !crate::instrument::USD_LIKE.contains(&key.as_str()) || key == "USD" {
                return Err(RequestError::new(
                    format!("market.collateralPrices.{code}"),
                    "prices are for the USD stablecoins USDC and USDT; a coin is priced by its index",
                ));
            }
            if !(price.is_finite() && price > 0.0 && price <= 2.0) {
                return Err(RequestError::new(
                    format!("market.collateralPrices.{code}"),
                    format!(
                        "must be a USD price above 0 and at most 2, got {}",
                        Figure(price)
                    ),
                ));
            }
            collateral_prices.insert(key, price);
        }
        Ok(Market {
            valuation,
            rate,
            underlyings,
            book_forwards: BTreeMap::new(),
            collateral_prices,
            vol_shift,
            expiry_vol_shifts,
        })
    }
}

impl<'de> Deserialize<'de> for PositionsInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PositionsVisitor)
    }
}

struct PositionsVisitor;

impl<'de> Visitor<'de> for PositionsVisitor {
    type Value = PositionsInput;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("pasted text (CSV, TSV or JSON), an array of position objects or a venue's response object")
    }
    fn visit_str<E>(self, v: &str) -> Result<PositionsInput, E> {
        Ok(PositionsInput::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<PositionsInput, E> {
        Ok(PositionsInput::Text(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PositionsInput, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Loose>()? {
            items.push(item);
        }
        Ok(PositionsInput::Objects(items))
    }
    /// A venue's response passed whole as an object: its envelope is read as pasted JSON is.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PositionsInput, A::Error> {
        let value =
            serde_json::Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(PositionsInput::Response(value.to_string()))
    }
}

/// Deserialises a request from any serde source, naming the field of the first error. Unknown
/// fields are not errors (a newer front end may send more); their paths are kept in
/// `unknown_fields` and reported as warnings.
pub fn from_deserializer<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Request, RequestError> {
    let mut unknown = Vec::new();
    let mut record = |path: serde_ignored::Path| unknown.push(path.to_string());
    let tracking = serde_ignored::Deserializer::new(deserializer, &mut record);
    let result: Result<Request, _> = serde_path_to_error::deserialize(tracking);
    let mut request = result.map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let message = message
            .strip_prefix("Error: ")
            .unwrap_or(&message)
            .to_string();
        RequestError::new(if path == "." { String::new() } else { path }, message)
    })?;
    request.unknown_fields = unknown;
    Ok(request)
}
