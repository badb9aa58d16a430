//! Instruments: what a contract is, how it settles and how its size is counted. Reading venue
//! names into instruments is `symbology`'s job.

use crate::pricing::black::OptionKind;
use time::OffsetDateTime;

/// A trading venue whose names and contract terms Headroom knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Venue {
    Deribit,
    Okx,
    Bybit,
    Binance,
    /// Hyperliquid: USDC perpetuals named by their coin (`BTC`), sized in coins.
    Hyperliquid,
    /// dYdX v4: USDC perpetuals `ETH-USD`, sized in coins.
    Dydx,
    /// Derive (ex-Lyra v2): `ETH-PERP`, options `ETH-20260130-2000-C`, sized in coins.
    Derive,
}

impl Venue {
    pub const ALL: [Venue; 7] = [
        Venue::Deribit,
        Venue::Okx,
        Venue::Binance,
        Venue::Bybit,
        Venue::Hyperliquid,
        Venue::Dydx,
        Venue::Derive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Venue::Deribit => "deribit",
            Venue::Okx => "okx",
            Venue::Bybit => "bybit",
            Venue::Binance => "binance",
            Venue::Hyperliquid => "hyperliquid",
            Venue::Dydx => "dydx",
            Venue::Derive => "derive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Venue::Deribit => "Deribit",
            Venue::Okx => "OKX",
            Venue::Bybit => "Bybit",
            Venue::Binance => "Binance",
            Venue::Hyperliquid => "Hyperliquid",
            Venue::Dydx => "dYdX",
            Venue::Derive => "Derive",
        }
    }

    /// `"Deribit"`, `"okx"`, `" BYBIT "` → the venue.
    pub fn parse(text: &str) -> Option<Venue> {
        let t = text.trim();
        Venue::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(t))
    }
}

/// How an instrument's value and P&L are paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Coin-settled (Deribit BTC and ETH options and futures): valued in the underlying coin.
    Inverse,
    /// Settled in a USD stablecoin: valued in USD.
    Linear,
    /// A coin held outright.
    Spot,
}

/// What kind of contract an instrument is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Option {
        expiry: OffsetDateTime,
        strike: f64,
        option: OptionKind,
    },
    Future {
        expiry: OffsetDateTime,
    },
    Perpetual,
    Spot,
}

/// The unit a position's pasted size is counted in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizeUnit {
    /// Coins of the underlying.
    Coin,
    /// USD notional (inverse futures and perpetuals).
    Usd,
    /// Contracts of `coins` coins each.
    Contracts { coins: f64 },
    /// Contracts of `usd` USD notional each (inverse futures on OKX and Binance).
    UsdContracts { usd: f64 },
}

/// One tradable instrument.
#[derive(Clone, Debug, PartialEq)]
pub struct Instrument {
    /// The canonical name, upper case (`BTC-27NOV26-90000-C`).
    pub name: String,
    /// The underlying coin (`BTC`).
    pub underlying: String,
    pub venue: Venue,
    pub settlement: Settlement,
    pub kind: Kind,
    pub size_unit: SizeUnit,
    /// A caveat on the contract terms assumed (e.g. an unconfirmed contract size).
    pub terms_note: Option<String>,
}

impl Instrument {
    pub fn expiry(&self) -> Option<OffsetDateTime> {
        match self.kind {
            Kind::Option { expiry, .. } | Kind::Future { expiry } => Some(expiry),
            Kind::Perpetual | Kind::Spot => None,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Option { .. } => "option",
            Kind::Future { .. } => "future",
            Kind::Perpetual => "perpetual",
            Kind::Spot => "spot",
        }
    }

    pub fn settlement_name(&self) -> &'static str {
        match self.settlement {
            Settlement::Inverse => "inverse",
            Settlement::Linear => "linear",
            Settlement::Spot => "spot",
        }
    }

    pub fn size_unit_name(&self) -> &'static str {
        match self.size_unit {
            SizeUnit::Coin => "coin",
            SizeUnit::Usd => "USD",
            SizeUnit::Contracts { .. } | SizeUnit::UsdContracts { .. } => "contracts",
        }
    }
}

/// USD stablecoins valued at 1 USD (as collateral and as the quote of linear instruments).
pub const USD_LIKE: [&str; 3] = ["USD", "USDC", "USDT"];
