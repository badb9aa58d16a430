//! The scenario engine's outputs for the page: a price × vol risk matrix of P&L, P&L against the
//! index at several horizons, and equity and margin against the index. Full revaluation, every
//! point through the same account machinery as the report (margin under the chosen model).

use crate::account::Account;
use crate::calendar::expiry_code;
use crate::figure::Figure;
use crate::valuation::Leg;
use serde::{Deserialize, Serialize};

/// What the caller wants computed (all optional; absent = not computed).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioRequest {
    /// Price × vol grid per underlying.
    #[serde(default)]
    pub matrix: Option<MatrixRequest>,
    /// P&L, equity and margin against the index per underlying.
    #[serde(default)]
    pub curves: Option<CurveRequest>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatrixRequest {
    /// Fractional index moves (default −30 % … +30 % in 5 % steps).
    #[serde(default)]
    pub moves: Option<Vec<f64>>,
    /// Absolute vol shifts (default −20, −10, 0, +10, +20 points).
    #[serde(default)]
    pub vol_shifts: Option<Vec<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CurveRequest {
    /// Lowest and highest fractional move (default −50 % and +50 %).
    #[serde(default)]
    pub from: Option<f64>,
    #[serde(default)]
    pub to: Option<f64>,
    /// Points on each curve (default 41, at most 401).
    #[serde(default)]
    pub points: Option<usize>,
    /// Horizons in days from the valuation besides "now" (default [7]); each live expiry is added.
    #[serde(default)]
    pub horizon_days: Option<Vec<f64>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MatrixReport {
    pub underlying: String,
    pub moves: Vec<f64>,
    pub vol_shifts: Vec<f64>,
    /// P&L in USD; one row per vol shift, one column per move.
    pub pnl_usd: Vec<Vec<f64>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CurveReport {
    pub underlying: String,
    pub moves: Vec<f64>,
    /// Index at each move, USD.
    pub prices: Vec<f64>,
    pub horizons: Vec<HorizonReport>,
    /// Now, under the chosen margin model: USD, USD, fraction (null when the balance is ≤ 0).
    pub equity_usd: Vec<f64>,
    pub maintenance_margin_usd: Vec<f64>,
    pub mm_usage: Vec<Option<f64>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HorizonReport {
    /// "now", "+7d" or an expiry code.
    pub label: String,
    pub days: f64,
    /// P&L against today's equity, USD, at each move.
    pub pnl_usd: Vec<f64>,
}

impl ScenarioRequest {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(m) = &self.matrix {
            let moves_ok = m.moves.as_ref().is_none_or(|v| {
                !v.is_empty()
                    && v.len() <= 101
                    && v.iter().all(|x| x.is_finite() && *x > -1.0 && *x <= 10.0)
            });
            let vols_ok = m.vol_shifts.as_ref().is_none_or(|v| {
                !v.is_empty() && v.len() <= 41 && v.iter().all(|x| x.is_finite() && x.abs() <= 5.0)
            });
            if !moves_ok || !vols_ok {
                return Err(
                    "matrix: 1–101 moves above −1 and at most 10, 1–41 vol shifts within ±5".into(),
                );
            }
        }
        if let Some(c) = &self.curves {
            let (from, to) = (c.from.unwrap_or(-0.5), c.to.unwrap_or(0.5));
            let points = c.points.unwrap_or(41);
            let days_ok = c.horizon_days.as_ref().is_none_or(|d| {
                d.len() <= 12 && d.iter().all(|x| x.is_finite() && *x >= 0.0 && *x <= 3650.0)
            });
            if !(from.is_finite()
                && to.is_finite()
                && from > -1.0
                && to <= 10.0
                && from < to
                && (2..=401).contains(&points)
                && days_ok)
            {
                return Err(
                    "curves: −1 < from < to ≤ 10, 2–401 points, up to 12 horizons of 0–3650 days"
                        .into(),
                );
            }
        }
        Ok(())
    }
}

/// The risk matrix of each underlying (that underlying alone moving); P&L against `before`, the
/// account's equity at the valuation.
pub fn matrices(
    r: &MatrixRequest,
    account: &Account,
    underlyings: &[String],
    before: f64,
) -> Vec<MatrixReport> {
    let moves = r
        .moves
        .clone()
        .unwrap_or_else(|| (-6..=6).map(|i| i as f64 * 0.05).collect());
    let vol_shifts = r
        .vol_shifts
        .clone()
        .unwrap_or_else(|| vec![-0.2, -0.1, 0.0, 0.1, 0.2]);
    underlyings
        .iter()
        .map(|u| {
            let pnl_usd = vol_shifts
                .iter()
                .map(|shift| {
                    let shifted = account.with_vols(|v, _| {
                        let shift = if v == u { *shift } else { 0.0 };
                        move |vol| vol + shift
                    });
                    moves
                        .iter()
                        .map(|m| {
                            shifted.equity_with(|v| if v == u { 1.0 + m } else { 1.0 }) - before
                        })
                        .collect()
                })
                .collect();
            MatrixReport {
                underlying: u.clone(),
                moves: moves.clone(),
                vol_shifts: vol_shifts.clone(),
                pnl_usd,
            }
        })
        .collect()
}

/// P&L curves at each horizon and the margin curve now, per underlying; `now` is the account at
/// the valuation and `before` its equity.
pub fn curves(
    r: &CurveRequest,
    now: &Account,
    before: f64,
    underlyings: &[(String, f64)],
    expiries: &[(String, String, f64)],
) -> Vec<CurveReport> {
    let (from, to, points) = (
        r.from.unwrap_or(-0.5),
        r.to.unwrap_or(0.5),
        r.points.unwrap_or(41),
    );
    let moves: Vec<f64> = (0..points)
        .map(|i| from + (to - from) * i as f64 / (points - 1) as f64)
        .collect();
    let horizons_of = |u: &str| {
        let mut horizons: Vec<(String, f64)> = vec![("now".into(), 0.0)];
        for d in r.horizon_days.clone().unwrap_or_else(|| vec![7.0]) {
            if d > 0.0 {
                horizons.push((format!("+{}d", Figure(d)), d));
            }
        }
        for (symbol, code, days) in expiries {
            if symbol == u && *days > 0.0 {
                horizons.push((code.clone(), *days));
            }
        }
        horizons.sort_by(|a, b| a.1.total_cmp(&b.1));
        horizons.dedup_by(|a, b| a.1 == b.1);
        horizons
    };
    let horizons: Vec<Vec<(String, f64)>> =
        underlyings.iter().map(|(u, _)| horizons_of(u)).collect();
    // The book aged once per distinct horizon (underlyings share expiry dates); "now" is `now`.
    let mut days: Vec<f64> = horizons
        .iter()
        .flatten()
        .map(|(_, d)| *d)
        .filter(|d| *d > 0.0)
        .collect();
    days.sort_by(f64::total_cmp);
    days.dedup();
    let aged_accounts: Vec<Account> = days.iter().map(|d| now.aged(*d)).collect();
    let account_at = |d: f64| {
        days.iter()
            .position(|x| *x == d)
            .map_or(now, |i| &aged_accounts[i])
    };
    underlyings
        .iter()
        .zip(horizons)
        .map(|((u, index), horizons)| {
            let horizon_reports = horizons
                .into_iter()
                .map(|(label, days)| {
                    let account = account_at(days);
                    let pnl_usd = moves
                        .iter()
                        .map(|m| {
                            account.equity_with(|v| if v == u { 1.0 + m } else { 1.0 }) - before
                        })
                        .collect();
                    HorizonReport {
                        label,
                        days,
                        pnl_usd,
                    }
                })
                .collect();
            let states: Vec<_> = moves
                .iter()
                .map(|m| now.state_with(|v| if v == u { 1.0 + m } else { 1.0 }))
                .collect();
            CurveReport {
                underlying: u.clone(),
                moves: moves.clone(),
                prices: moves.iter().map(|m| index * (1.0 + m)).collect(),
                horizons: horizon_reports,
                equity_usd: states.iter().map(|s| s.equity).collect(),
                maintenance_margin_usd: states.iter().map(|s| s.maintenance).collect(),
                mm_usage: states.iter().map(|s| s.mm_usage()).collect(),
            }
        })
        .collect()
}

/// (underlying, expiry code, days to expiry) of every live dated leg.
pub fn live_expiries(legs: &[Leg], valuation: time::OffsetDateTime) -> Vec<(String, String, f64)> {
    let mut out: Vec<(String, String, f64)> = Vec::new();
    for leg in legs {
        if let Some(years) = leg.years().filter(|t| *t > 0.0) {
            let date = (valuation
                + time::Duration::seconds_f64(years * crate::calendar::SECONDS_PER_YEAR))
            .date();
            let code = expiry_code(date);
            if !out
                .iter()
                .any(|(u, c, _)| *u == leg.underlying && *c == code)
            {
                out.push((leg.underlying.clone(), code, years * 365.0));
            }
        }
    }
    out
}
