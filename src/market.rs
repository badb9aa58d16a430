//! Market data as the user gives it: valuation time, rate, and per underlying an index, a default
//! volatility and forwards by expiry. Checked once; every number in here is finite and in range.

use crate::calendar::{at_expiry_hour, year_fraction};
use crate::volatility::{atm_term_vol, SmileSpec, VolSource};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// Prices Headroom accepts, in USD: wide enough for any coin (PEPE trades near 1e-5), narrow
/// enough that no product of a price, a size and a contract term overflows a double.
pub const PRICE_RANGE: std::ops::RangeInclusive<f64> = 1e-8..=1e12;
/// Largest size or collateral amount accepted, in its own unit.
pub const MAX_AMOUNT: f64 = 1e15;

/// Whether `x` is an acceptable price (finite and within [`PRICE_RANGE`]).
pub fn is_price(x: f64) -> bool {
    PRICE_RANGE.contains(&x)
}

/// Market data for one underlying.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnderlyingMarket {
    /// Index price in USD.
    pub index: Option<f64>,
    /// Default volatility (fraction) for options with neither an IV nor a mark price.
    pub vol: Option<f64>,
    /// Forward price in USD by expiry date.
    pub forwards: BTreeMap<Date, f64>,
    /// Annual basis b for expiries without a forward: F = S·e^(bT).
    pub basis: f64,
    /// Settlement (delivery) price in USD by expiry date, for expired instruments.
    pub settlements: BTreeMap<Date, f64>,
    /// ATM volatility by expiry date (the term structure).
    pub atm_vols: BTreeMap<Date, f64>,
    /// Smiles by expiry date.
    pub smiles: BTreeMap<Date, SmileSpec>,
}

/// Where an expiry's forward came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForwardSource {
    /// `market.underlyings.X.forwards`.
    Market,
    /// The mark price of a dated future on the same expiry, in the book or a market snapshot.
    Future,
    /// The forward a venue quoted for the expiry with a pasted row or snapshot (Deribit's
    /// `underlying_price`, OKX's `fwdPx`, Bybit's `underlyingPrice`).
    Quoted,
    /// The index carried at the basis: S·e^(bT) (b = 0 unless given).
    Basis,
}

impl ForwardSource {
    pub fn name(self) -> &'static str {
        match self {
            ForwardSource::Market => "market",
            ForwardSource::Future => "future",
            ForwardSource::Quoted => "quoted",
            ForwardSource::Basis => "basis",
        }
    }
}

/// All market data of a request.
#[derive(Clone, Debug)]
pub struct Market {
    pub valuation: OffsetDateTime,
    /// Continuously compounded rate for discounting (fraction); crypto venues use 0.
    pub rate: f64,
    pub underlyings: BTreeMap<String, UnderlyingMarket>,
    /// Forwards read from the pasted rows and snapshot (dated futures' marks, the venues' quoted
    /// forwards), by underlying and expiry date, with where each came from.
    pub book_forwards: BTreeMap<(String, Date), (f64, ForwardSource)>,
    /// USD price of stablecoin collateral by currency (`USDC`, `USDT`); absent is 1.
    pub collateral_prices: BTreeMap<String, f64>,
    /// Absolute shift of every option's vol (fraction: 0.05 = +5 vol points).
    pub vol_shift: f64,
    /// Absolute vol shift by underlying and expiry date, on top of `vol_shift`.
    pub expiry_vol_shifts: BTreeMap<(String, Date), f64>,
}

impl Market {
    pub fn underlying(&self, symbol: &str) -> Option<&UnderlyingMarket> {
        self.underlyings.get(symbol)
    }

    /// The vol shift of an option of `symbol` expiring at `expiry` (absolute fraction).
    pub fn vol_shift(&self, symbol: &str, expiry: OffsetDateTime) -> f64 {
        self.vol_shift
            + self
                .expiry_vol_shifts
                .get(&(symbol.to_string(), expiry.date()))
                .copied()
                .unwrap_or(0.0)
    }

    /// The USD price of a stablecoin (1 unless given).
    pub fn stablecoin_price(&self, currency: &str) -> f64 {
        self.collateral_prices.get(currency).copied().unwrap_or(1.0)
    }

    /// The index of an underlying, if the user gave one.
    pub fn index(&self, symbol: &str) -> Option<f64> {
        self.underlying(symbol).and_then(|u| u.index)
    }

    /// Volatility from the surface: the smile of the expiry, else the ATM term structure.
    pub fn surface_vol(
        &self,
        symbol: &str,
        expiry: OffsetDateTime,
        strike: f64,
        forward: f64,
        years: f64,
    ) -> Option<(f64, VolSource)> {
        let underlying = self.underlying(symbol)?;
        if let Some(smile) = underlying.smiles.get(&expiry.date()) {
            return Some((smile.vol(forward, years, strike), VolSource::Smile));
        }
        let term = self.atm_term(symbol);
        atm_term_vol(&term, years).map(|v| (v, VolSource::Term))
    }

    /// The ATM vols given for live expiries, as (years, vol), shortest first.
    pub fn atm_term(&self, symbol: &str) -> Vec<(f64, f64)> {
        let Some(underlying) = self.underlying(symbol) else {
            return Vec::new();
        };
        underlying
            .atm_vols
            .iter()
            .map(|(date, vol)| (year_fraction(self.valuation, at_expiry_hour(*date)), *vol))
            .filter(|(years, _)| *years > 0.0)
            .collect()
    }

    /// The price an expired instrument settled at: the one given for its expiry, else the index.
    pub fn settlement(&self, symbol: &str, expiry: OffsetDateTime) -> Option<f64> {
        let underlying = self.underlying(symbol)?;
        underlying
            .settlements
            .get(&expiry.date())
            .copied()
            .or(underlying.index)
    }

    /// The forward of an expiry, in order of preference: the market input, a dated future in the
    /// book, the index carried at the basis. `None` only without an index.
    pub fn forward(&self, symbol: &str, expiry: OffsetDateTime) -> Option<(f64, ForwardSource)> {
        let underlying = self.underlying(symbol)?;
        let index = underlying.index?;
        let date = expiry.date();
        if let Some(f) = underlying.forwards.get(&date) {
            return Some((*f, ForwardSource::Market));
        }
        if let Some(found) = self.book_forwards.get(&(symbol.to_string(), date)) {
            return Some(*found);
        }
        let years = year_fraction(self.valuation, expiry).max(0.0);
        Some((
            index * (underlying.basis * years).exp(),
            ForwardSource::Basis,
        ))
    }
}
