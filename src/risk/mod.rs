//! Risk beyond the next move: value at risk and expected shortfall of the account over a
//! horizon, the probability that it is liquidatable at the horizon, vol forecasts from pasted
//! closes and a backtest of the VaR on them.
//!
//! The model (said in every report's `model`): each index moves as a martingale,
//! `S_h = S·exp(σ√h·z − σ²h/2)`, σ the underlying's vol (`market.underlyings.X.vol`, or the
//! forecast from `risk.history`), `h = horizonDays/365`; every option's vol is multiplied by a
//! lognormal martingale factor of annual vol `risk.volOfVol`; the factors are correlated by
//! `risk.correlation` ([`paths`]). Every position is revalued at the horizon, time decay
//! included, by full revaluation ([`grid`]); the losses that decide VaR, ES and liquidation are
//! revalued exactly. `delta-gamma` simulates the quadratic form from today's Greeks instead.

pub mod backtest;
pub mod forecast;
pub mod grid;
pub mod paths;
pub mod pools;
pub mod tail;

use crate::account::Account;
use crate::figure::Figure;
use crate::report::UnderlyingReport;
use crate::request::RequestError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `risk` in a request. Every field is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskRequest {
    /// Calendar days (default 1).
    #[serde(default)]
    pub horizon_days: Option<f64>,
    /// Fraction (default 0.99).
    #[serde(default)]
    pub confidence: Option<f64>,
    /// Default 10,000.
    #[serde(default)]
    pub paths: Option<usize>,
    /// Default 1: the same seed gives the same figures to the bit.
    #[serde(default)]
    pub seed: Option<u64>,
    /// `full` (default) or `delta-gamma`.
    #[serde(default)]
    pub method: Option<String>,
    /// Annual vol of the vol level (fraction; default 1.0; 0 holds every vol fixed).
    #[serde(default)]
    pub vol_of_vol: Option<f64>,
    #[serde(default)]
    pub correlation: CorrelationRequest,
    /// Daily closes by underlying, oldest first, the same days for every underlying (aligned on
    /// the most recent).
    #[serde(default)]
    pub history: BTreeMap<String, Vec<f64>>,
    /// Each day's high and low by underlying (`[high, low]` pairs, oldest first, aligned on the
    /// most recent with the closes): realised variance by Parkinson's range, for HAR-RV.
    #[serde(default)]
    pub ranges: BTreeMap<String, Vec<(f64, f64)>>,
    /// Where σ comes from when a history is given: `ewma` (default), `garch` or `har` (needs
    /// `ranges`).
    #[serde(default)]
    pub forecast: Option<String>,
    /// `model` (default) or `historical` (filtered historical simulation; needs a history).
    #[serde(default)]
    pub scenarios: Option<String>,
    /// EWMA decay (default 0.94, RiskMetrics' daily).
    #[serde(default)]
    pub lambda: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorrelationRequest {
    /// Between any two underlyings' index moves (and their vol moves); default 0.75.
    #[serde(default)]
    pub underlyings: Option<f64>,
    /// Between an underlying's index move and its vol move; default 0.
    #[serde(default)]
    pub spot_vol: Option<f64>,
}

/// `report.risk`: every amount in USD, losses positive; probabilities fractions.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskReport {
    pub method: &'static str,
    /// The model in one paragraph, with every parameter used.
    pub model: String,
    pub scenarios: &'static str,
    pub horizon_days: f64,
    pub confidence: f64,
    pub paths: usize,
    pub seed: u64,
    /// Loss not exceeded with probability `confidence`, USD.
    pub var_usd: f64,
    /// Mean loss beyond the VaR, USD.
    pub es_usd: f64,
    /// Monte Carlo standard errors (batch means over 20 runs), USD; `None` with too few paths.
    pub var_standard_error_usd: Option<f64>,
    pub es_standard_error_usd: Option<f64>,
    /// Share of paths in which the account is liquidatable at the horizon (margin balance at or
    /// below MM); `None` for `delta-gamma`, which has no margin.
    pub liquidation_probability: Option<f64>,
    pub liquidation_standard_error: Option<f64>,
    /// `delta-gamma` only: the Cornish–Fisher VaR from the simulated P&L's first four moments,
    /// USD, shown beside the simulated one (it misstates short-gamma tails).
    pub cornish_fisher_var_usd: Option<f64>,
    /// Paths revalued exactly (no table) and the largest table error among them, USD.
    pub verified_paths: usize,
    pub table_error_usd: Option<f64>,
    pub per_underlying: Vec<RiskUnderlying>,
    /// The P&L distribution: bin edges (USD, `bins + 1`) and path counts.
    pub distribution: Distribution,
    pub forecasts: Vec<ForecastReport>,
    pub backtest: Option<BacktestReport>,
    /// With venue accounts: each account's probability of being liquidatable at the horizon on
    /// its venue's rules (`liquidationProbability` is then that of any account).
    pub per_account: Vec<pools::AccountRisk>,
}

/// A run: the report and the paths it drew (for the venue accounts' liquidation).
pub struct RiskRun {
    pub report: RiskReport,
    pub paths: paths::Paths,
    /// The underlyings of the paths' columns.
    pub names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskUnderlying {
    pub underlying: String,
    /// The annual vol σ the paths use (fraction) and where it came from.
    pub vol: f64,
    pub vol_source: &'static str,
    /// The underlying's own part alone (its legs and coin collateral), USD.
    pub var_usd: f64,
    pub es_usd: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Distribution {
    pub edges_usd: Vec<f64>,
    pub counts: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForecastReport {
    pub underlying: String,
    /// Daily returns the forecast used.
    pub observations: usize,
    /// Annualised (√365) next-day vols, fractions.
    pub realized_vol: f64,
    pub ewma_vol: f64,
    pub garch: Option<GarchReport>,
    /// HAR-RV on Parkinson's realised variance (with `risk.ranges`).
    pub har: Option<HarReport>,
    /// The underlying's vol as given (`market.underlyings.X.vol`), for comparison.
    pub implied_vol: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GarchReport {
    /// Daily variance units.
    pub omega: f64,
    pub alpha: f64,
    pub beta: f64,
    /// Annualised: the next day's, the mean over the horizon, the long run.
    pub next_day_vol: f64,
    pub horizon_vol: f64,
    pub long_run_vol: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarReport {
    /// Coefficients: β₀ in daily variance, the others unitless.
    pub beta0: f64,
    pub beta_d: f64,
    pub beta_w: f64,
    pub beta_m: f64,
    /// Days of realised variance fitted.
    pub days: usize,
    /// Annualised (√365) next-day vol, fraction.
    pub next_day_vol: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestReport {
    /// Days tested (the last up to 250 of the history) and the VaR's confidence (1-day).
    pub observations: usize,
    pub confidence: f64,
    pub exceptions: usize,
    pub expected_exceptions: f64,
    pub kupiec_statistic: f64,
    pub kupiec_p_value: f64,
    /// `green`, `yellow` or `red` (Basel 1996), and P(X ≤ exceptions).
    pub zone: &'static str,
    pub cumulative_probability: f64,
    pub plus_factor: Option<f64>,
}

/// Days per year (calendar: crypto trades every day).
const DAYS: f64 = 365.0;
/// Batches for the standard errors.
const BATCHES: usize = 20;
/// Bins of the distribution.
const BINS: usize = 40;

/// The request's `risk`, checked, with its defaults.
struct Settings {
    horizon_days: f64,
    confidence: f64,
    paths: usize,
    seed: u64,
    delta_gamma: bool,
    vol_of_vol: f64,
    rho: f64,
    spot_vol: f64,
    garch: bool,
    forecast: Forecast,
    historical: bool,
    lambda: f64,
}

/// Which forecast drives σ when a history is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Forecast {
    Ewma,
    Garch,
    Har,
}

/// Whether `value` is the second of two accepted words (the first is the default); any other word
/// is an error naming both.
fn second_of(value: &str, words: [&str; 2]) -> Result<bool, String> {
    match value {
        v if v == words[0] => Ok(false),
        v if v == words[1] => Ok(true),
        other => Err(format!(
            "'{}' is not one of \"{}\", \"{}\"",
            crate::calendar::clip(other),
            words[0],
            words[1]
        )),
    }
}

fn settings(r: &RiskRequest) -> Result<Settings, RequestError> {
    let bad = |field: &str, message: String| RequestError::new(format!("risk.{field}"), message);
    let horizon_days = r.horizon_days.unwrap_or(1.0);
    if !(horizon_days > 0.0 && horizon_days <= 365.0) {
        return Err(bad(
            "horizonDays",
            format!(
                "must be above 0 and at most 365 days, got {}",
                Figure(horizon_days)
            ),
        ));
    }
    let confidence = r.confidence.unwrap_or(0.99);
    if !(0.5..=0.9999).contains(&confidence) {
        return Err(bad(
            "confidence",
            format!(
                "must be a fraction from 0.5 to 0.9999, got {}",
                Figure(confidence)
            ),
        ));
    }
    let paths = r.paths.unwrap_or(10_000);
    if !(100..=1_000_000).contains(&paths) {
        return Err(bad(
            "paths",
            format!("must be from 100 to 1,000,000, got {paths}"),
        ));
    }
    let method = r.method.as_deref().unwrap_or("full");
    let delta_gamma = second_of(method, ["full", "delta-gamma"]).map_err(|m| bad("method", m))?;
    let vol_of_vol = r.vol_of_vol.unwrap_or(1.0);
    if !(0.0..=10.0).contains(&vol_of_vol) {
        return Err(bad(
            "volOfVol",
            format!(
                "must be an annual fraction from 0 to 10, got {}",
                Figure(vol_of_vol)
            ),
        ));
    }
    let rho = r.correlation.underlyings.unwrap_or(0.75);
    let spot_vol = r.correlation.spot_vol.unwrap_or(0.0);
    for (field, value) in [
        ("correlation.underlyings", rho),
        ("correlation.spotVol", spot_vol),
    ] {
        if !(value > -1.0 && value < 1.0) {
            return Err(bad(
                field,
                format!("must be strictly between −1 and 1, got {}", Figure(value)),
            ));
        }
    }
    let forecast = match r.forecast.as_deref().unwrap_or("ewma") {
        "ewma" => Forecast::Ewma,
        "garch" => Forecast::Garch,
        "har" => Forecast::Har,
        other => {
            return Err(bad(
                "forecast",
                format!(
                    "'{}' is not one of \"ewma\", \"garch\", \"har\"",
                    crate::calendar::clip(other)
                ),
            ))
        }
    };
    let garch = forecast == Forecast::Garch;
    let historical = second_of(
        r.scenarios.as_deref().unwrap_or("model"),
        ["model", "historical"],
    )
    .map_err(|m| bad("scenarios", m))?;
    let lambda = r.lambda.unwrap_or(0.94);
    if !(lambda > 0.0 && lambda < 1.0) {
        return Err(bad(
            "lambda",
            format!("must be strictly between 0 and 1, got {}", Figure(lambda)),
        ));
    }
    Ok(Settings {
        horizon_days,
        confidence,
        paths,
        seed: r.seed.unwrap_or(1),
        delta_gamma,
        vol_of_vol,
        rho,
        spot_vol,
        garch,
        forecast,
        historical,
        lambda,
    })
}

/// One underlying's history, read.
struct History {
    returns: Vec<f64>,
    /// EWMA variances: `[t]` before return `t`, the last the next day's.
    ewma: Vec<f64>,
    garch: Option<forecast::Garch>,
    /// Parkinson realised variances (aligned with `returns`) and the HAR-RV fitted on them.
    rv: Vec<f64>,
    har: Option<forecast::Har>,
}

fn histories(
    r: &RiskRequest,
    names: &[&str],
    lambda: f64,
    garch: bool,
) -> Result<BTreeMap<String, History>, RequestError> {
    let mut out = BTreeMap::new();
    let mut shortest = usize::MAX;
    for (symbol, closes) in &r.history {
        let key = symbol.trim().to_ascii_uppercase();
        if !names.contains(&key.as_str()) {
            continue;
        }
        if closes.len() < 31 {
            return Err(RequestError::new(
                format!("risk.history.{symbol}"),
                format!(
                    "needs at least 31 daily closes (30 returns), got {}",
                    closes.len()
                ),
            ));
        }
        if let Some(bad) = closes.iter().find(|c| !crate::market::is_price(**c)) {
            return Err(RequestError::new(
                format!("risk.history.{symbol}"),
                format!(
                    "every close must be a positive price in USD, got {}",
                    Figure(*bad)
                ),
            ));
        }
        shortest = shortest.min(closes.len());
        out.insert(key, closes.clone());
    }
    let mut result = BTreeMap::new();
    for (k, closes) in out {
        // Aligned on the most recent day.
        let returns = forecast::log_returns(&closes[closes.len() - shortest..]);
        let ewma = forecast::ewma_variances(&returns, lambda);
        let fitted = if garch {
            forecast::Garch::fit(&returns)
        } else {
            None
        };
        let range = r
            .ranges
            .iter()
            .find(|(symbol, _)| symbol.trim().to_ascii_uppercase() == k)
            .map(|(_, v)| v);
        let mut rv = Vec::new();
        if let Some(pairs) = range {
            if let Some((h, l)) = pairs.iter().find(|(h, l)| {
                !(crate::market::is_price(*h) && crate::market::is_price(*l) && h >= l)
            }) {
                return Err(RequestError::new(
                    format!("risk.ranges.{k}"),
                    format!(
                        "each day is [high, low], positive prices with high ≥ low; got [{}, {}]",
                        Figure(*h),
                        Figure(*l)
                    ),
                ));
            }
            let n = returns.len().min(pairs.len());
            rv = pairs[pairs.len() - n..]
                .iter()
                .map(|(h, l)| forecast::parkinson(*h, *l))
                .collect();
        }
        let har = forecast::Har::fit(&rv);
        result.insert(
            k,
            History {
                returns,
                ewma,
                garch: fitted,
                rv,
                har,
            },
        );
    }
    Ok(result)
}

/// `report.risk` for `account` (today's), whose underlyings' Greeks are `underlyings`.
pub fn risk_report(
    request: &RiskRequest,
    account: &Account,
    underlyings: &BTreeMap<String, UnderlyingReport>,
    vol_of: impl Fn(&str) -> Option<f64>,
) -> Result<RiskReport, RequestError> {
    risk_run(request, account, underlyings, vol_of).map(|run| run.report)
}

/// [`risk_report`], with the paths it drew.
pub fn risk_run(
    request: &RiskRequest,
    account: &Account,
    underlyings: &BTreeMap<String, UnderlyingReport>,
    vol_of: impl Fn(&str) -> Option<f64>,
) -> Result<RiskRun, RequestError> {
    let s = settings(request)?;
    let names: Vec<&str> = account.group_names();
    let history = histories(request, &names, s.lambda, s.garch)?;
    let years = s.horizon_days / DAYS;

    // σ per underlying: the forecast where a history drives it, else the vol given.
    let mut sigmas = Vec::new();
    let mut sources = Vec::new();
    for name in &names {
        let from_history = history.get(*name).map(|h| {
            let next = *h.ewma.last().unwrap_or(&0.0);
            if let (Some(har), Forecast::Har) = (&h.har, s.forecast) {
                return ((har.forecast(&h.rv) * DAYS).sqrt(), "har");
            }
            match (&h.garch, s.garch) {
                (Some(g), true) => {
                    let first = *g.variances(&h.returns).last().unwrap_or(&next);
                    (
                        (g.mean_variance(first, s.horizon_days) * DAYS).sqrt(),
                        "garch",
                    )
                }
                _ => ((next * DAYS).sqrt(), "ewma"),
            }
        });
        let (sigma, source) = match (from_history, vol_of(name)) {
            (Some(found), _) => found,
            (None, Some(v)) => (v, "market"),
            (None, None) => {
                return Err(RequestError::new(
                    format!("market.underlyings.{name}.vol"),
                    format!(
                        "risk needs {name}'s vol (an annual fraction, e.g. 0.55) or its daily \
                         closes in risk.history.{name}"
                    ),
                ))
            }
        };
        sigmas.push(sigma);
        sources.push(source);
    }
    if s.historical && (names.is_empty() || names.iter().any(|n| !history.contains_key(*n))) {
        return Err(RequestError::new(
            "risk.scenarios",
            "historical scenarios need the daily closes of every underlying in risk.history",
        ));
    }

    let paths = if s.historical {
        historical_scenarios(&s, &names, &history, years)
    } else {
        paths::model_paths(
            &sigmas,
            years,
            s.vol_of_vol,
            s.rho,
            s.spot_vol,
            s.paths,
            s.seed,
        )
        .ok_or_else(|| {
            RequestError::new(
                "risk.correlation",
                "these correlations do not make a valid (positive definite) correlation matrix",
            )
        })?
    };

    let forecasts = forecast_reports(&names, &history, s.horizon_days, &vol_of);
    let today = account.state().equity;
    let model = model_text(&s, &names, &sigmas, &sources);
    let owned: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    if s.delta_gamma {
        let report = delta_gamma(
            &s,
            model,
            &names,
            &sigmas,
            &sources,
            &paths,
            underlyings,
            forecasts,
        );
        return Ok(RiskRun {
            report,
            paths,
            names: owned,
        });
    }

    let aged = account.aged(s.horizon_days);
    let ranges = |values: &dyn Fn(usize, usize) -> f64, pad: f64| -> Vec<(f64, f64)> {
        (0..names.len())
            .map(|i| {
                let (lo, hi) = (0..paths.spot.len())
                    .map(|p| values(p, i))
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        (lo.min(v), hi.max(v))
                    });
                (lo - pad, hi + pad)
            })
            .collect()
    };
    let spot_range = ranges(&|p, i| paths.spot[p][i], 1e-3);
    let vol_range = ranges(&|p, i| paths.vol[p][i].ln(), 0.0);
    let grids = grid::Grids::new(&aged, &spot_range, &vol_range);

    let states: Vec<crate::account::AccountState> = (0..paths.spot.len())
        .map(|p| grids.state(&paths.spot[p], &paths.vol[p]))
        .collect();
    let mut losses: Vec<f64> = states.iter().map(|st| today - st.equity).collect();

    // The tail, revalued exactly: the worst paths by the tables, three times the tail's count.
    let rank = tail::tail_rank(losses.len(), s.confidence);
    let tail_count = losses.len() - rank;
    let mut order: Vec<usize> = (0..losses.len()).collect();
    order.sort_by(|a, b| losses[*b].total_cmp(&losses[*a]));
    let mut verified = vec![false; losses.len()];
    let mut table_error: f64 = 0.0;
    let mut liquidatable: Vec<bool> = states.iter().map(|st| st.is_liquidatable()).collect();
    let exact_at = |p: usize| grid::Grids::exact(&aged, &paths.spot[p], &paths.vol[p]);
    for &p in order
        .iter()
        .take((3 * tail_count).max(50).min(losses.len()))
    {
        let exact = exact_at(p);
        table_error = table_error.max((exact.equity - states[p].equity).abs());
        losses[p] = today - exact.equity;
        liquidatable[p] = exact.is_liquidatable();
        verified[p] = true;
    }
    // Paths whose margin gap the tables put within reach of zero, revalued exactly too.
    let band = 4.0 * table_error + 1e-9 * today.abs().max(1.0);
    for p in 0..states.len() {
        if verified[p] {
            continue;
        }
        let gap = states[p].balance - states[p].maintenance;
        if gap.abs() <= band || states[p].balance.abs() <= band {
            let exact = exact_at(p);
            table_error = table_error.max((exact.equity - states[p].equity).abs());
            losses[p] = today - exact.equity;
            liquidatable[p] = exact.is_liquidatable();
            verified[p] = true;
        }
    }
    let verified_paths = verified.iter().filter(|v| **v).count();
    let t = tail::Tail::of(&losses, s.confidence);
    let errors = tail::batch_errors(&losses, s.confidence, BATCHES);
    let n = losses.len() as f64;
    let p_liq = liquidatable.iter().filter(|l| **l).count() as f64 / n;

    let per_underlying = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let now = account.part_at(i, 1.0).equity;
            let part: Vec<f64> = (0..paths.spot.len())
                .map(|p| now - grids.part(i, paths.spot[p][i], paths.vol[p][i]).equity)
                .collect();
            let tail = tail::Tail::of(&part, s.confidence);
            RiskUnderlying {
                underlying: name.to_string(),
                vol: sigmas[i],
                vol_source: sources[i],
                var_usd: tail.var,
                es_usd: tail.es,
            }
        })
        .collect();
    let pnl: Vec<f64> = losses.iter().map(|l| -l).collect();
    let (edges_usd, counts) = tail::histogram(&pnl, BINS);
    let backtest = backtest_report(&s, &names, &history, account, today);
    let report = RiskReport {
        method: "full",
        model,
        scenarios: if s.historical { "historical" } else { "model" },
        horizon_days: s.horizon_days,
        confidence: s.confidence,
        paths: losses.len(),
        seed: s.seed,
        var_usd: t.var,
        es_usd: t.es,
        var_standard_error_usd: errors.map(|e| e.0),
        es_standard_error_usd: errors.map(|e| e.1),
        liquidation_probability: Some(p_liq),
        liquidation_standard_error: Some((p_liq * (1.0 - p_liq) / n).sqrt()),
        cornish_fisher_var_usd: None,
        verified_paths,
        table_error_usd: Some(table_error),
        per_underlying,
        distribution: Distribution { edges_usd, counts },
        forecasts,
        backtest,
        per_account: Vec::new(),
    };
    Ok(RiskRun {
        report,
        paths,
        names: owned,
    })
}

/// Filtered historical scenarios: returns standardised by their EWMA vol, rescaled by the
/// forecast (the next day's EWMA vol, or the GARCH horizon mean when asked), `d` days each.
fn historical_scenarios(
    s: &Settings,
    names: &[&str],
    history: &BTreeMap<String, History>,
    years: f64,
) -> paths::Paths {
    let series: Vec<&History> = names.iter().map(|n| &history[*n]).collect();
    let days = series[0].returns.len();
    let standardised: Vec<Vec<f64>> = (0..days)
        .map(|t| {
            series
                .iter()
                .map(|h| h.returns[t] / h.ewma[t].sqrt())
                .collect()
        })
        .collect();
    let forecast: Vec<f64> = series
        .iter()
        .map(|h| {
            let next = *h.ewma.last().unwrap_or(&0.0);
            match (&h.garch, s.garch) {
                (Some(g), true) => g
                    .mean_variance(
                        *g.variances(&h.returns).last().unwrap_or(&next),
                        s.horizon_days,
                    )
                    .sqrt(),
                _ => next.sqrt(),
            }
        })
        .collect();
    let nu = s.vol_of_vol;
    let n = names.len();
    paths::historical_paths(
        &standardised,
        &forecast,
        s.horizon_days.round().max(1.0) as usize,
        move |rng| {
            use rand::RngExt;
            let w: f64 = rng.sample(rand_distr::StandardNormal);
            let m = (nu * years.sqrt() * w - 0.5 * nu * nu * years).exp();
            vec![m; n]
        },
        s.paths,
        s.seed,
    )
}

#[allow(clippy::too_many_arguments)]
fn delta_gamma(
    s: &Settings,
    model: String,
    names: &[&str],
    sigmas: &[f64],
    sources: &[&'static str],
    paths: &paths::Paths,
    underlyings: &BTreeMap<String, UnderlyingReport>,
    forecasts: Vec<ForecastReport>,
) -> RiskReport {
    // Per underlying: δ·S (USD per unit return), Γ·S² (USD per unit return²), vega (USD per
    // vol point), θ (USD per day), σ.
    let terms: Vec<(f64, f64, f64, f64, f64)> = names
        .iter()
        .zip(sigmas)
        .map(|(n, sigma)| {
            match (
                underlyings.get(*n),
                underlyings.get(*n).and_then(|u| u.index),
            ) {
                (Some(u), Some(index)) => (
                    u.delta_with_collateral * index,
                    u.gamma * index * index,
                    u.vega,
                    u.theta,
                    *sigma,
                ),
                _ => (0.0, 0.0, 0.0, 0.0, *sigma),
            }
        })
        .collect();
    let pnl_of = |p: usize, only: Option<usize>| -> f64 {
        terms
            .iter()
            .enumerate()
            .filter(|(i, _)| only.is_none_or(|o| o == *i))
            .map(|(i, (d, g, vega, theta, sigma))| {
                // The quadratic form in the return (its martingale drift added back: a normal
                // return of variance σ²h).
                let r = paths.spot[p][i] + 0.5 * sigma * sigma * s.horizon_days / DAYS;
                let dvol = sigma * (paths.vol[p][i] - 1.0) * 100.0;
                d * r + 0.5 * g * r * r + vega * dvol + theta * s.horizon_days
            })
            .sum()
    };
    let pnl: Vec<f64> = (0..paths.spot.len()).map(|p| pnl_of(p, None)).collect();
    let losses: Vec<f64> = pnl.iter().map(|x| -x).collect();
    let t = tail::Tail::of(&losses, s.confidence);
    let errors = tail::batch_errors(&losses, s.confidence, BATCHES);
    let cornish_fisher = cornish_fisher_var(&pnl, s.confidence);
    let per_underlying = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let part: Vec<f64> = (0..paths.spot.len()).map(|p| -pnl_of(p, Some(i))).collect();
            let tail = tail::Tail::of(&part, s.confidence);
            RiskUnderlying {
                underlying: name.to_string(),
                vol: sigmas[i],
                vol_source: sources[i],
                var_usd: tail.var,
                es_usd: tail.es,
            }
        })
        .collect();
    let (edges_usd, counts) = tail::histogram(&pnl, BINS);
    RiskReport {
        method: "delta-gamma",
        model,
        scenarios: if s.historical { "historical" } else { "model" },
        horizon_days: s.horizon_days,
        confidence: s.confidence,
        paths: losses.len(),
        seed: s.seed,
        var_usd: t.var,
        es_usd: t.es,
        var_standard_error_usd: errors.map(|e| e.0),
        es_standard_error_usd: errors.map(|e| e.1),
        liquidation_probability: None,
        liquidation_standard_error: None,
        cornish_fisher_var_usd: Some(cornish_fisher),
        verified_paths: 0,
        table_error_usd: None,
        per_underlying,
        distribution: Distribution { edges_usd, counts },
        forecasts,
        backtest: None,
        per_account: Vec::new(),
    }
}

/// The Cornish–Fisher VaR of a P&L sample: `−(μ + σ·w)`, `w = z + (z² − 1)ξ/6 + (z³ − 3z)κ/24 −
/// (2z³ − 5z)ξ²/36`, z the normal quantile of 1 − confidence, ξ the skewness and κ the excess
/// kurtosis.
pub fn cornish_fisher_var(pnl: &[f64], confidence: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let n = pnl.len() as f64;
    let mean = pnl.iter().sum::<f64>() / n;
    let moment = |k: i32| pnl.iter().map(|x| (x - mean).powi(k)).sum::<f64>() / n;
    let sd = moment(2).sqrt();
    if sd == 0.0 {
        return -mean;
    }
    let skew = moment(3) / sd.powi(3);
    let kurt = moment(4) / sd.powi(4) - 3.0;
    let z = Normal::standard().inverse_cdf(1.0 - confidence);
    let w = z + (z * z - 1.0) * skew / 6.0 + (z.powi(3) - 3.0 * z) * kurt / 24.0
        - (2.0 * z.powi(3) - 5.0 * z) * skew * skew / 36.0;
    -(mean + sd * w)
}

fn forecast_reports(
    names: &[&str],
    history: &BTreeMap<String, History>,
    horizon_days: f64,
    vol_of: &impl Fn(&str) -> Option<f64>,
) -> Vec<ForecastReport> {
    names
        .iter()
        .filter_map(|name| {
            let h = history.get(*name)?;
            let annual = |daily_variance: f64| (daily_variance * DAYS).sqrt();
            let garch = h.garch.map(|g| {
                let next = *g.variances(&h.returns).last().unwrap_or(&0.0);
                GarchReport {
                    omega: g.omega,
                    alpha: g.alpha,
                    beta: g.beta,
                    next_day_vol: annual(next),
                    horizon_vol: annual(g.mean_variance(next, horizon_days)),
                    long_run_vol: annual(g.long_run_variance()),
                }
            });
            let har = h.har.map(|m| HarReport {
                beta0: m.beta0,
                beta_d: m.beta_d,
                beta_w: m.beta_w,
                beta_m: m.beta_m,
                days: h.rv.len(),
                next_day_vol: annual(m.forecast(&h.rv)),
            });
            Some(ForecastReport {
                har,
                underlying: name.to_string(),
                observations: h.returns.len(),
                realized_vol: annual(forecast::second_moment(&h.returns)),
                ewma_vol: annual(*h.ewma.last().unwrap_or(&0.0)),
                garch,
                implied_vol: vol_of(name),
            })
        })
        .collect()
}

/// The 1-day VaR backtested on the history with today's book held fixed: each of the last
/// (up to) 250 days, the VaR forecast from that day's EWMA vols (model paths, vols held, the same
/// correlation), against the P&L the day's actual returns would have made.
fn backtest_report(
    s: &Settings,
    names: &[&str],
    history: &BTreeMap<String, History>,
    account: &Account,
    today: f64,
) -> Option<BacktestReport> {
    if names.is_empty() || names.iter().any(|n| !history.contains_key(*n)) {
        return None;
    }
    let series: Vec<&History> = names.iter().map(|n| &history[*n]).collect();
    let days = series[0].returns.len();
    let tested = days.min(250);
    let first = days - tested;
    // One day on: the book aged a day, vols held; the grid covers every day's return and the
    // simulated ones (six daily vols).
    let aged = account.aged(1.0);
    let spot_range: Vec<(f64, f64)> = series
        .iter()
        .map(|h| {
            let worst = h.returns[first..]
                .iter()
                .fold(0.0f64, |m, r| m.max(r.abs()));
            let vol = h.ewma[first..days]
                .iter()
                .fold(0.0f64, |m, v| m.max(v.sqrt()));
            let reach = worst.max(6.0 * vol) + 1e-3;
            (-reach, reach)
        })
        .collect();
    let grids = grid::Grids::new(&aged, &spot_range, &vec![(0.0, 0.0); names.len()]);
    let ones = vec![1.0; names.len()];
    let mut exceptions = 0;
    const DRAWS: usize = 2000;
    for t in first..days {
        let sigmas: Vec<f64> = series.iter().map(|h| (h.ewma[t] * DAYS).sqrt()).collect();
        let draws = paths::model_paths(
            &sigmas,
            1.0 / DAYS,
            0.0,
            s.rho,
            0.0,
            DRAWS,
            s.seed ^ (t as u64 + 1),
        )?;
        let losses: Vec<f64> = draws
            .spot
            .iter()
            .map(|x| today - grids.state(x, &ones).equity)
            .collect();
        let var = tail::Tail::of(&losses, s.confidence).var;
        let actual: Vec<f64> = series.iter().map(|h| h.returns[t]).collect();
        if today - grids.state(&actual, &ones).equity > var {
            exceptions += 1;
        }
    }
    let p = 1.0 - s.confidence;
    let k = backtest::kupiec(tested, exceptions, p);
    let light = backtest::traffic_light(tested, exceptions, p);
    Some(BacktestReport {
        observations: tested,
        confidence: s.confidence,
        exceptions,
        expected_exceptions: tested as f64 * p,
        kupiec_statistic: k.statistic,
        kupiec_p_value: k.p_value,
        zone: light.zone.name(),
        cumulative_probability: light.cumulative_probability,
        plus_factor: light.plus_factor,
    })
}

fn model_text(s: &Settings, names: &[&str], sigmas: &[f64], sources: &[&str]) -> String {
    let vols: Vec<String> = names
        .iter()
        .zip(sigmas)
        .zip(sources)
        .map(|((n, v), src)| format!("{n} {} % ({src})", crate::figure::Fixed(v * 100.0, 1)))
        .collect();
    let scenarios = if s.historical {
        format!(
            "filtered historical simulation: the pasted daily returns over their EWMA vol \
             (λ {}), {} days drawn with replacement per path, rescaled by today's forecast",
            Figure(s.lambda),
            s.horizon_days.round().max(1.0)
        )
    } else {
        format!(
            "each index a martingale S·exp(σ√h·z − σ²h/2), h = {} days / 365, σ: {}; index moves \
             correlated {} across underlyings",
            Figure(s.horizon_days),
            vols.join(", "),
            Figure(s.rho)
        )
    };
    let method = if s.delta_gamma {
        "P&L by today's delta, gamma, vega and theta (the quadratic form), simulated".to_string()
    } else {
        "every position revalued at the horizon (time decay included) from tables of full \
         revaluations, the tail and the paths near liquidation revalued exactly; liquidatable \
         means margin balance at or below MM at the horizon (not monitored in between)"
            .to_string()
    };
    format!(
        "{scenarios}; every option's vol times a lognormal martingale factor of annual vol {} \
         (correlation with its index {}); {method}; {} paths{}, seed {}.",
        Figure(s.vol_of_vol),
        Figure(s.spot_vol),
        s.paths,
        if s.historical {
            ""
        } else {
            " in antithetic pairs"
        },
        s.seed
    )
}
