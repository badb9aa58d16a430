//! P&L attribution between two snapshots: where the P&L of the positions held from `from` to
//! today came from — delta, gamma, vega, theta, vanna, volga, rho, the basis of futures and
//! perpetuals — and what those leave unexplained; the coin collateral's own move (collateral
//! beta) apart.
//!
//! Methods (`attribution.method`):
//! - `taylor` (default): each term from the Greeks at `from`: `δ·ΔS`, `½Γ·ΔS²`, `vega·Δσ`,
//!   `θ·Δt`, `vanna·ΔS·Δσ`, `½volga·Δσ²`, `ρ·Δr` (Δσ in vol points, Δt in days, Δr in percentage
//!   points);
//! - `average-greeks`: the first-order terms with the mean of the Greeks at `from` and today
//!   (the trapezoid rule: the second-order terms are then inside them, and reported as 0);
//! - `waterfall`: full revaluations in turn — the index moved (forwards with it), then the vols,
//!   then the time, the rest (forwards' basis, rate, marks) last; every step exact, the sum
//!   exactly the P&L.
//!
//! A future's or perpetual's P&L beyond `δ·ΔS` is its basis (its mark moving other than the
//! index). Positions only in today's book are new trades: listed, not attributed.

use crate::valuation::{Leg, LegGreeks, Model};
use serde::{Deserialize, Serialize};

/// `attribution` in a request.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionRequest {
    pub from: FromSnapshot,
    /// `taylor` (default), `average-greeks` or `waterfall`.
    #[serde(default)]
    pub method: Option<String>,
}

/// The earlier snapshot: its market, and the positions then (default: today's, held).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FromSnapshot {
    pub market: crate::request::MarketRequest,
    #[serde(default)]
    pub positions: Option<crate::input::PositionsInput>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Taylor,
    AverageGreeks,
    Waterfall,
}

impl Method {
    pub fn parse(text: Option<&str>) -> Result<Method, String> {
        match text.unwrap_or("taylor") {
            "taylor" => Ok(Method::Taylor),
            "average-greeks" => Ok(Method::AverageGreeks),
            "waterfall" => Ok(Method::Waterfall),
            other => Err(format!(
                "'{}' is not one of \"taylor\", \"average-greeks\", \"waterfall\"",
                crate::calendar::clip(other)
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Taylor => "taylor",
            Method::AverageGreeks => "average-greeks",
            Method::Waterfall => "waterfall",
        }
    }
}

/// The terms of one position's (or the book's) P&L, USD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Terms {
    pub pnl_usd: f64,
    pub delta_usd: f64,
    pub gamma_usd: f64,
    pub vega_usd: f64,
    pub theta_usd: f64,
    pub vanna_usd: f64,
    pub volga_usd: f64,
    pub rho_usd: f64,
    /// Futures and perpetuals: the mark's move beyond the index's (basis, funding premium); in
    /// a waterfall, everything after index, vols and time (forwards' basis, rate, marks).
    pub basis_usd: f64,
    /// The P&L the terms above leave (0 in a waterfall).
    pub unexplained_usd: f64,
}

impl Terms {
    pub fn add(&mut self, o: &Terms) {
        self.pnl_usd += o.pnl_usd;
        self.delta_usd += o.delta_usd;
        self.gamma_usd += o.gamma_usd;
        self.vega_usd += o.vega_usd;
        self.theta_usd += o.theta_usd;
        self.vanna_usd += o.vanna_usd;
        self.volga_usd += o.volga_usd;
        self.rho_usd += o.rho_usd;
        self.basis_usd += o.basis_usd;
        self.unexplained_usd += o.unexplained_usd;
    }

    fn explained(&self) -> f64 {
        self.delta_usd
            + self.gamma_usd
            + self.vega_usd
            + self.theta_usd
            + self.vanna_usd
            + self.volga_usd
            + self.rho_usd
            + self.basis_usd
    }
}

/// What changed between the two snapshots for one position.
pub struct Change {
    /// Index at `from` and today, USD.
    pub index: (f64, f64),
    /// Days between the two valuations.
    pub days: f64,
    /// The rate at each, fraction.
    pub rate: (f64, f64),
}

/// The value the terms measure: the position's contribution to equity, USD.
fn value(leg: &Leg) -> f64 {
    leg.state(1.0, &crate::margin::StandardMargin::deribit())
        .value_usd
}

fn vol(leg: &Leg) -> Option<f64> {
    leg.option().map(|o| o.vol)
}

fn is_linear_future(leg: &Leg) -> bool {
    matches!(
        leg.model,
        Model::InverseFuture { .. } | Model::LinearFuture { .. }
    )
}

/// One position's terms: `then` its leg at `from`, `now` the same position today.
pub fn terms(then: &Leg, now: &Leg, change: &Change, method: Method) -> Terms {
    let pnl = value(now) - value(then);
    let ds = change.index.1 - change.index.0;
    let dvol = match (vol(then), vol(now)) {
        (Some(a), Some(b)) => (b - a) * 100.0,
        _ => 0.0,
    };
    let drate = (change.rate.1 - change.rate.0) * 100.0;
    let mut t = Terms {
        pnl_usd: pnl,
        ..Terms::default()
    };
    match method {
        Method::Waterfall => {
            let factor = change.index.1 / change.index.0;
            let margin = crate::margin::StandardMargin::deribit();
            let at = |leg: &Leg| leg.state(factor, &margin).value_usd;
            let moved = at(then);
            let mut revolved = then.clone();
            if let (Model::Option(o), Some(v)) = (&mut revolved.model, vol(now)) {
                o.vol = v;
            }
            let with_vol = at(&revolved);
            let aged = at(&revolved.aged(change.days));
            t.delta_usd = moved - value(then);
            t.vega_usd = with_vol - moved;
            t.theta_usd = aged - with_vol;
            t.basis_usd = pnl - (aged - value(then));
        }
        Method::Taylor | Method::AverageGreeks => {
            let g0 = then.greeks();
            let g = if method == Method::Taylor {
                g0
            } else {
                mean(&g0, &now.greeks())
            };
            t.delta_usd = g.delta * ds;
            t.vega_usd = g.vega * dvol;
            t.theta_usd = g.theta * change.days;
            t.rho_usd = g.rho * drate;
            if method == Method::Taylor {
                t.gamma_usd = 0.5 * g.gamma * ds * ds;
                t.vanna_usd = g.vanna * ds * dvol;
                t.volga_usd = 0.5 * g.volga * dvol * dvol;
            }
            if is_linear_future(then) {
                t.basis_usd = pnl - t.delta_usd;
            }
            t.unexplained_usd = pnl - t.explained();
        }
    }
    t
}

fn mean(a: &LegGreeks, b: &LegGreeks) -> LegGreeks {
    LegGreeks {
        delta: 0.5 * (a.delta + b.delta),
        gamma: 0.5 * (a.gamma + b.gamma),
        vega: 0.5 * (a.vega + b.vega),
        theta: 0.5 * (a.theta + b.theta),
        rho: 0.5 * (a.rho + b.rho),
        vanna: 0.5 * (a.vanna + b.vanna),
        volga: 0.5 * (a.volga + b.volga),
        charm: 0.5 * (a.charm + b.charm),
        coin_delta: None,
    }
}

/// `report.attribution`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionReport {
    pub method: &'static str,
    /// RFC 3339: the earlier snapshot's valuation and today's.
    pub from: String,
    pub to: String,
    /// The book's terms, USD (positions held over the period).
    pub total: Terms,
    pub positions: Vec<PositionAttribution>,
    /// Coin collateral's own move per underlying: coins held × the index's move, USD (in coin
    /// it is unchanged).
    pub collateral: Vec<CollateralBeta>,
    /// Today's positions not in the earlier book (traded since): not attributed.
    pub new_positions: Vec<String>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionAttribution {
    pub line: usize,
    pub instrument: String,
    pub underlying: String,
    #[serde(flatten)]
    pub terms: Terms,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollateralBeta {
    pub currency: String,
    /// Coins.
    pub amount: f64,
    /// USD.
    pub pnl_usd: f64,
}
