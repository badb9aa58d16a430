//! The venues' published parameter packs, as data: each named, dated and sourced
//! (venue-margin.md). Where a venue's number for an underlying was not sourced, the pack says how
//! the figure is approximated, and the report repeats it.

use super::tiers::{TierBasis, TierTable};
use crate::margin::StandardMargin;
use std::collections::BTreeMap;

/// The price a position's maintenance margin is computed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarginPrice {
    /// The mark at the price being valued (Binance, OKX, Hyperliquid, dYdX's oracle price).
    Mark,
    /// The position's entry price, as Bybit's published liquidation-price formulas compute it.
    Entry,
}

/// How a venue margins short options.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionRule {
    /// The venue lists no options: an option row in its account is an error.
    NotListed,
    /// OKX "Option Margin" (venue-margin.md §2.2), per coin of underlying, USD:
    /// IM = max(a, b − OTM/F)·MF·S + mark; MM call = c·MF·S + mark; MM put = max(c·S, c·mark)·MF + mark.
    Okx {
        a: f64,
        b: f64,
        /// `c` by underlying; others use `c_default`.
        c: Vec<(&'static str, f64)>,
        c_default: f64,
        margin_factor: f64,
    },
    /// Bybit "Initial and Maintenance Margin Calculation (Options)" (venue-margin.md §3.3), per coin:
    /// MM = max(f·S, f·mark) + mark + liqFee·S; IM = max(max(hi·S − OTM, lo·S) + max(entry, mark), MM).
    Bybit {
        mm_factor: f64,
        liquidation_fee: f64,
        im_high: f64,
        im_low: f64,
    },
    /// Not sourced: Deribit's published standard option margin stands in, and the report says so.
    DeribitApproximation,
}

/// One venue's pack for perpetuals, futures and options.
#[derive(Clone, Debug)]
pub struct TieredPack {
    pub name: String,
    pub date: String,
    pub source: String,
    pub basis: TierBasis,
    pub margin_price: MarginPrice,
    /// Tier tables by underlying, USD.
    pub tiers: BTreeMap<String, TierTable>,
    /// Whether a table was given by the user (`params`) rather than published.
    pub overridden: Vec<String>,
    /// What stands in for an underlying the pack has no table for, and the sentence saying so.
    pub fallback: Fallback,
    pub options: OptionRule,
    /// Leverage of positions whose row gives none (`params.leverage`; default the tier's max).
    pub default_leverage: Option<f64>,
    /// Rules of this pack the report states (e.g. the price margin is computed at).
    pub notes: Vec<String>,
}

/// What a pack does for an underlying it has no table for.
#[derive(Clone, Debug)]
pub enum Fallback {
    /// Deribit's published futures margin (one tier: its maintenance rate, leverage 1/IM rate).
    DeribitFutures,
    /// A named table of the same venue (Hyperliquid's lowest tier set, dYdX's Small-Cap tier).
    Table(TierTable, &'static str),
}

impl TieredPack {
    /// The table of `underlying`: the pack's own, else its fallback.
    pub fn table(&self, underlying: &str) -> std::borrow::Cow<'_, TierTable> {
        use std::borrow::Cow;
        if let Some(t) = self.tiers.get(underlying) {
            return Cow::Borrowed(t);
        }
        match &self.fallback {
            Fallback::DeribitFutures => {
                let p = StandardMargin::deribit().futures_params(underlying);
                Cow::Owned(
                    TierTable::derived(&[(0.0, p.maintenance, 1.0 / p.initial)])
                        .unwrap_or_else(|_| unreachable_table()),
                )
            }
            Fallback::Table(t, _) => Cow::Borrowed(t),
        }
    }

    /// How `underlying`'s figures are approximated when the pack has no table of its own.
    pub fn approximation(&self, underlying: &str) -> Option<String> {
        if self.tiers.contains_key(underlying) {
            return None;
        }
        Some(match &self.fallback {
            Fallback::DeribitFutures => {
                let p = StandardMargin::deribit().futures_params(underlying);
                format!(
                    "{underlying}: {} has no published tiers in the pack ({}); approximated by \
                     Deribit's published futures margin (MM {} %, IM {} % of notional); give \
                     params.maintenanceTiers.{underlying} to use the venue's own",
                    self.name,
                    self.date,
                    crate::figure::Figure(p.maintenance * 100.0),
                    crate::figure::Figure(p.initial * 100.0)
                )
            }
            Fallback::Table(_, what) => format!(
                "{underlying}: not listed in {} ({}); approximated by {what}; give \
                 params.maintenanceTiers.{underlying} or params.maxLeverage.{underlying}",
                self.name, self.date
            ),
        })
    }
}

/// A table that cannot fail to build (constant, checked by the tests below).
fn unreachable_table() -> TierTable {
    TierTable::new(vec![super::tiers::Tier {
        floor: 0.0,
        rate: 0.5,
        deduction: 0.0,
        max_leverage: 1.0,
    }])
    .unwrap_or_else(|_| unreachable!("a constant table is valid"))
}

fn derived(rows: &[(f64, f64, f64)]) -> TierTable {
    TierTable::derived(rows).unwrap_or_else(|_| unreachable_table())
}

/// Hyperliquid's tiers: `(lower bound, max leverage)` → MM rate 1/(2·maxLeverage).
fn leverage_tiers(rows: &[(f64, f64)]) -> TierTable {
    let rows: Vec<(f64, f64, f64)> = rows.iter().map(|&(f, l)| (f, 0.5 / l, l)).collect();
    derived(&rows)
}

/// Binance USDⓈ-M (venue-margin.md §1.1): the FAQ-era BTCUSDT brackets; max leverage
/// 1/(2·MMR), which gives the 125x/100x/50x/20x/10x of that table.
pub fn binance() -> TieredPack {
    let btc = derived(&[
        (0.0, 0.004, 125.0),
        (50_000.0, 0.005, 100.0),
        (250_000.0, 0.01, 50.0),
        (1_000_000.0, 0.025, 20.0),
        (10_000_000.0, 0.05, 10.0),
    ]);
    TieredPack {
        name: "binance-usdm-brackets-faq".into(),
        date: "2021 (the FAQ's BTCUSDT brackets; live brackets: GET /fapi/v1/leverageBracket)".into(),
        source: "Binance FAQ \"How to Calculate Liquidation Price of USDⓈ-M Futures Contracts\"".into(),
        basis: TierBasis::Notional,
        margin_price: MarginPrice::Mark,
        tiers: BTreeMap::from([("BTC".to_string(), btc)]),
        overridden: Vec::new(),
        default_leverage: None,
        fallback: Fallback::DeribitFutures,
        options: OptionRule::DeribitApproximation,
        notes: vec![
            "maintenance = notional × MMR − maintenance amount of the bracket the notional falls in \
             at the price valued, so the bracket at the liquidation price decides".into(),
            "COIN-M contracts use the same USD table on their USD face (COIN-M brackets are in \
             coin and not in the pack)".into(),
        ],
    }
}

/// OKX (venue-margin.md §2): tiers by position size; no table for BTC or ETH was sourced.
pub fn okx() -> TieredPack {
    TieredPack {
        name: "okx-option-margin".into(),
        date: "2024-04-12 (Option Margin); swap tiers: GET /api/v5/public/position-tiers".into(),
        source: "OKX help \"Option Margin\" and \"Tiered maintenance margin ratio rules\"".into(),
        basis: TierBasis::Quantity,
        margin_price: MarginPrice::Mark,
        tiers: BTreeMap::new(),
        overridden: Vec::new(),
        default_leverage: None,
        fallback: Fallback::DeribitFutures,
        options: OptionRule::Okx {
            a: 0.10,
            b: 0.15,
            c: vec![("BTC", 0.03), ("ETH", 0.05)],
            c_default: 0.05,
            margin_factor: 1.0,
        },
        notes: vec![
            "a tier is chosen by position size (coins; USD face for inverse contracts) and its \
             MMR applies to the whole notional"
                .into(),
            "the seller's margin factor (by position tier) is taken as 1".into(),
        ],
    }
}

/// Bybit (venue-margin.md §3): the help center's worked examples' MMR (0.5 %) for BTC; the
/// liquidation formulas compute maintenance at the entry price.
pub fn bybit() -> TieredPack {
    TieredPack {
        name: "bybit-help-center-examples".into(),
        date: "2023-12-04 (options article); linear examples undated; live tiers: GET /v5/market/risk-limit".into(),
        source: "Bybit help center: \"Liquidation Price (USDT Contract)\", \"Liquidation Price \
                 Calculation under Isolated Mode (UTA)\", \"Initial and Maintenance Margin \
                 Calculation (Options)\""
            .into(),
        basis: TierBasis::Notional,
        margin_price: MarginPrice::Entry,
        tiers: BTreeMap::from([("BTC".to_string(), derived(&[(0.0, 0.005, 100.0)]))]),
        overridden: Vec::new(),
        default_leverage: None,
        fallback: Fallback::DeribitFutures,
        options: OptionRule::Bybit {
            mm_factor: 0.03,
            liquidation_fee: 0.002,
            im_high: 0.15,
            im_low: 0.10,
        },
        notes: vec![
            "maintenance of perpetuals and futures is computed on the position value at entry, as \
             Bybit's published liquidation-price formulas do".into(),
            "BTC: one tier, MMR 0.5 % (the examples'); higher risk-limit tiers are not in the pack"
                .into(),
            "options IM: the 2022 help text (15 %/10 % of index); MM: the 2023 article".into(),
        ],
    }
}

/// Hyperliquid (venue-margin.md §4): mainnet margin tiers, MM = notional/(2·maxLeverage) − deduction.
pub fn hyperliquid() -> TieredPack {
    let ten_twenty = [(0.0, 10.0), (20e6, 5.0)];
    let ten_three = [(0.0, 10.0), (3e6, 5.0)];
    let mut tiers = BTreeMap::from([
        (
            "BTC".to_string(),
            leverage_tiers(&[(0.0, 40.0), (150e6, 20.0)]),
        ),
        (
            "ETH".to_string(),
            leverage_tiers(&[(0.0, 25.0), (100e6, 15.0)]),
        ),
        (
            "SOL".to_string(),
            leverage_tiers(&[(0.0, 20.0), (70e6, 10.0)]),
        ),
        (
            "XRP".to_string(),
            leverage_tiers(&[(0.0, 20.0), (40e6, 10.0)]),
        ),
    ]);
    for coin in [
        "DOGE", "KPEPE", "SUI", "WLD", "TRUMP", "LTC", "ENA", "POPCAT", "WIF", "AAVE", "KBONK",
        "LINK", "CRV", "AVAX", "ADA", "UNI", "NEAR", "TIA", "APT", "BCH", "HYPE", "FARTCOIN",
    ] {
        tiers.insert(coin.to_string(), leverage_tiers(&ten_twenty));
    }
    for coin in [
        "OP", "ARB", "LDO", "TON", "MKR", "ONDO", "JUP", "INJ", "KSHIB", "SEI", "TRX", "BNB", "DOT",
    ] {
        tiers.insert(coin.to_string(), leverage_tiers(&ten_three));
    }
    TieredPack {
        name: "hyperliquid-margin-tiers".into(),
        date: "gitbook snapshot, undated (live: the info endpoint's meta and marginTables)".into(),
        source: "Hyperliquid docs: trading/margin-tiers, trading/liquidations".into(),
        basis: TierBasis::Notional,
        margin_price: MarginPrice::Mark,
        tiers,
        overridden: Vec::new(),
        default_leverage: None,
        fallback: Fallback::Table(
            leverage_tiers(&ten_three),
            "the pack's lowest tier set (10x to 3M USD, 5x above)",
        ),
        options: OptionRule::NotListed,
        notes: vec![
            "maintenance margin is half the initial margin at the tier's max leverage, on the mark price"
                .into(),
        ],
    }
}

/// dYdX v4 (venue-margin.md §5): IMF and MMF per liquidity tier, on the oracle price.
pub fn dydx() -> TieredPack {
    // Large-Cap: IMF 5 %, maintenance fraction 0.6 → MMF 3 %.
    let large = derived(&[(0.0, 0.03, 20.0)]);
    TieredPack {
        name: "dydx-v4-liquidity-tiers-sample-genesis".into(),
        date: "v4-chain sample genesis (mainnet is governance-set: /dydxprotocol/perpetuals/liquidity_tiers)"
            .into(),
        source: "dydxprotocol/v4-documentation margin.mdx, liquidations.mdx; v4-chain liquidity_tier.go"
            .into(),
        basis: TierBasis::Notional,
        margin_price: MarginPrice::Mark,
        tiers: BTreeMap::from([("BTC".to_string(), large.clone()), ("ETH".to_string(), large)]),
        overridden: Vec::new(),
        default_leverage: None,
        // Small-Cap: IMF 10 %, fraction 0.5 → MMF 5 %.
        fallback: Fallback::Table(derived(&[(0.0, 0.05, 10.0)]), "the Small-Cap tier (IMF 10 %, MMF 5 %)"),
        options: OptionRule::NotListed,
        notes: vec![
            "liquidatable when equity < Σ |size|·oracle·MMF; initial margin |size|·oracle·IMF (open-interest IMF scaling not modelled)"
                .into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pack_is_named_dated_and_sourced() {
        for pack in [binance(), okx(), bybit(), hyperliquid(), dydx()] {
            assert!(!pack.name.is_empty() && !pack.date.is_empty() && !pack.source.is_empty());
            for table in pack.tiers.values() {
                assert!(!table.tiers().is_empty());
            }
            assert!(pack
                .approximation("NOSUCHCOIN")
                .unwrap()
                .contains("approximated"));
        }
        // The unreachable fallback is never what a pack holds.
        assert_ne!(*binance().table("BTC"), unreachable_table());
    }
}
