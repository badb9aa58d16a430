//! VaR and ES, the probability of liquidation, vol forecasts and backtests (issue "Risk beyond
//! the next move"), each against an independent reference: Hull's linear VaR example, an exact
//! one-factor quantile (a closed-form Black price at the quantile of the index), the normal
//! probability of crossing a liquidation price, Jorion's Kupiec table, the Basel traffic-light
//! table, Hull's EWMA example, GARCH(1,1) parameter recovery, and a Gamma quantile for the
//! Cornish–Fisher expansion.

mod common;

use common::{assert_close, run};
use headroom::risk::{backtest, forecast};
use rand::SeedableRng;
use rand_distr::Distribution;
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, Gamma, Normal};

fn market(vol: f64) -> Value {
    json!({"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000, "vol": vol}}})
}

fn phi_inv(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Hull (Options, Futures and Other Derivatives, "Value at Risk": $10 million in one stock,
/// daily volatility 2 %): 1-day 99 % VaR 2.326 × $200,000 = $465,300, 10-day $1,471,300. Here 100
/// BTC of a linear perpetual at 100,000 USD with σ = 2 % a day (annual 2 %·√365), by the
/// delta-gamma method (a normal return of variance σ²h).
#[test]
fn hull_linear_var() {
    let daily = 0.02;
    for (days, hull) in [(1.0f64, 465_300.0), (10.0, 1_471_300.0)] {
        let r = run(json!({
            "positions": "instrument,size,venue\nBTCUSDT,100,binance",
            "market": market(daily * 365f64.sqrt()),
            "account": {"collateral": {"USDT": 1000000}},
            "stress": {"library": false},
            "risk": {"method": "delta-gamma", "horizonDays": days, "volOfVol": 0, "paths": 100000},
        }));
        let risk = r.risk.unwrap();
        let exact = -phi_inv(0.01) * daily * days.sqrt() * 10_000_000.0;
        let se = risk.var_standard_error_usd.unwrap();
        assert!(
            (risk.var_usd - exact).abs() < 4.0 * se,
            "{} vs {exact} (SE {se})",
            risk.var_usd
        );
        // Hull prints 465,300 and 1,471,300 (z = 2.326 rounded): within 0.1 %.
        assert!((exact / hull - 1.0).abs() < 1e-3);
        // A normal P&L has ES = σ φ(z)/(1 − α).
        let es = daily * days.sqrt() * 10_000_000.0 * (-0.5 * phi_inv(0.01).powi(2)).exp()
            / (2.0 * std::f64::consts::PI).sqrt()
            / 0.01;
        let es_se = risk.es_standard_error_usd.unwrap();
        assert!(
            (risk.es_usd - es).abs() < 4.0 * es_se,
            "{} vs {es}",
            risk.es_usd
        );
        // Its P&L is normal: Cornish–Fisher adds nothing.
        assert!((risk.cornish_fisher_var_usd.unwrap() / exact - 1.0).abs() < 0.01);
    }
}

/// Black's put, undiscounted (rate 0), for the independent exact quantile.
fn black_put(f: f64, k: f64, t: f64, vol: f64) -> f64 {
    let n = Normal::standard();
    let s = vol * t.sqrt();
    let d1 = ((f / k).ln() + 0.5 * s * s) / s;
    let d2 = d1 - s;
    k * n.cdf(-d2) - f * n.cdf(-d1)
}

/// A one-factor book (a short linear put, vols fixed): its loss falls as the index rises, so the
/// exact 99 % VaR is the loss at the index's 1 % quantile, `S·exp(σ√h z₀.₀₁ − σ²h/2)`, with the
/// put repriced (closed form, here) a day nearer expiry. Full revaluation by Monte Carlo agrees
/// within 4 of its reported standard errors; the same seed gives the same bits.
#[test]
fn full_revaluation_converges_to_the_exact_one_factor_quantile() {
    let request = json!({
        "positions": "instrument,size,iv,venue\nBTC-25DEC26-90000-P,-10,60,bybit",
        "market": market(0.5),
        "account": {"collateral": {"USDC": 500000}},
        "stress": {"library": false},
        "risk": {"horizonDays": 1, "volOfVol": 0, "paths": 20000, "seed": 42},
    });
    let r = run(request.clone());
    let risk = r.risk.unwrap();
    let t0 = (32.0 - 4.0 / 24.0) / 365.0;
    let h: f64 = 1.0 / 365.0;
    let x = 0.5 * h.sqrt() * phi_inv(0.01) - 0.5 * 0.25 * h;
    let exact = 10.0
        * (black_put(100000.0 * x.exp(), 90000.0, t0 - h, 0.6)
            - black_put(100000.0, 90000.0, t0, 0.6));
    let se = risk.var_standard_error_usd.unwrap();
    assert!(
        (risk.var_usd - exact).abs() < 4.0 * se,
        "{} vs {exact} (SE {se})",
        risk.var_usd
    );
    assert!(risk.verified_paths >= 600, "{}", risk.verified_paths);
    assert!(
        risk.table_error_usd.unwrap() < 1e-3 * se,
        "{:?}",
        risk.table_error_usd
    );
    let again = run(request.clone()).risk.unwrap();
    assert_eq!(again.var_usd.to_bits(), risk.var_usd.to_bits());
    assert_eq!(again.es_usd.to_bits(), risk.es_usd.to_bits());
    let mut other = request;
    other["risk"]["seed"] = json!(43);
    assert_ne!(run(other).risk.unwrap().var_usd, risk.var_usd);
    assert!(risk.es_usd > risk.var_usd);
    assert_eq!(
        risk.distribution.counts.iter().sum::<u32>() as usize,
        risk.paths
    );
}

/// A linear long is liquidatable at the horizon when the index is at or below its liquidation
/// price: P = Φ((ln(1 + d) + σ²h/2)/(σ√h)), d the report's own liquidation distance. The
/// simulated share agrees within 4 standard errors.
#[test]
fn liquidation_probability_is_the_normal_crossing_probability() {
    let r = run(json!({
        "positions": "instrument,size,entry,venue\nBTCUSDT,10,100000,binance",
        "market": market(0.8),
        "account": {"collateral": {"USDT": 250000}},
        "stress": {"library": false},
        "risk": {"horizonDays": 7, "volOfVol": 0, "paths": 20000},
    }));
    let d = r.account.liquidation["BTC"].down.unwrap();
    let h: f64 = 7.0 / 365.0;
    let s = 0.8 * h.sqrt();
    let exact = Normal::standard().cdf(((1.0 + d).ln() + 0.5 * s * s) / s);
    let risk = r.risk.unwrap();
    let p = risk.liquidation_probability.unwrap();
    let se = risk.liquidation_standard_error.unwrap();
    assert!(exact > 0.005 && exact < 0.2, "{exact}");
    assert!((p - exact).abs() < 4.0 * se, "{p} vs {exact} (SE {se})");
}

/// Jorion (Value at Risk, "Backtesting VaR": the nonrejection regions of Kupiec's test at 95 %
/// test confidence). Every cell but one is reproduced exactly; for p = 1 % and 252 days the table
/// prints "N < 7" while the likelihood ratio also rejects N = 0 (5.07 > 3.84).
#[test]
fn kupiec_nonrejection_regions_match_jorion() {
    let table = [
        (0.01, [(252, 1, 6), (510, 2, 10), (1000, 5, 16)]),
        (0.025, [(252, 3, 11), (510, 7, 20), (1000, 16, 35)]),
        (0.05, [(252, 7, 19), (510, 17, 35), (1000, 38, 64)]),
        (0.075, [(252, 12, 27), (510, 28, 50), (1000, 60, 91)]),
        (0.10, [(252, 17, 35), (510, 39, 64), (1000, 82, 119)]),
    ];
    for (p, cells) in table {
        for (days, low, high) in cells {
            let accepted: Vec<usize> = (0..=days)
                .filter(|x| backtest::kupiec(days, *x, p).p_value > 0.05)
                .collect();
            assert_eq!(
                (accepted[0], *accepted.last().unwrap()),
                (low, high),
                "p {p}, {days} days"
            );
        }
    }
    assert!((backtest::kupiec(252, 0, 0.01).statistic - 5.0653).abs() < 1e-3);
}

/// The Basel Committee's 1996 table for 250 days at 99 %: cumulative probabilities, zones and
/// plus factors.
#[test]
fn basel_traffic_light_table() {
    let cumulative = [
        8.11, 28.58, 54.32, 75.81, 89.22, 95.88, 98.63, 99.60, 99.89, 99.97, 99.99,
    ];
    let plus = [0.0, 0.0, 0.0, 0.0, 0.0, 0.40, 0.50, 0.65, 0.75, 0.85, 1.00];
    for x in 0..=10 {
        let light = backtest::traffic_light(250, x, 0.01);
        assert!(
            (light.cumulative_probability * 100.0 - cumulative[x]).abs() < 0.005,
            "{x}"
        );
        let zone = match x {
            0..=4 => "green",
            5..=9 => "yellow",
            _ => "red",
        };
        assert_eq!(light.zone.name(), zone, "{x}");
        assert_eq!(light.plus_factor, Some(plus[x]));
    }
}

/// GARCH(1,1) fitted by maximum likelihood recovers the parameters of 6,000 seeded simulated
/// days within a few standard errors, and its likelihood is at least the true parameters'.
#[test]
fn garch_recovers_simulated_parameters() {
    let truth = forecast::Garch {
        omega: 2e-5,
        alpha: 0.10,
        beta: 0.85,
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut variance = truth.long_run_variance();
    let returns: Vec<f64> = (0..6000)
        .map(|_| {
            let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
            let r = variance.sqrt() * z;
            variance = truth.omega + truth.alpha * r * r + truth.beta * variance;
            r
        })
        .collect();
    let fit = forecast::Garch::fit(&returns).unwrap();
    assert!((fit.alpha - truth.alpha).abs() < 0.03, "{fit:?}");
    assert!((fit.beta - truth.beta).abs() < 0.04, "{fit:?}");
    assert!(
        (fit.long_run_variance() / truth.long_run_variance() - 1.0).abs() < 0.15,
        "{fit:?}"
    );
    assert!(fit.log_likelihood(&returns) >= truth.log_likelihood(&returns));
}

/// Cornish–Fisher on a near-normal distribution with a known quantile (Gamma of shape 400:
/// skewness 0.1, excess kurtosis 0.015): the expansion's 1 % quantile is within 2e-4 standard
/// deviations of the exact one, where the normal quantile misses by 0.04.
#[test]
fn cornish_fisher_corrects_a_skewed_quantile() {
    let shape = 400.0;
    let gamma = Gamma::new(shape, 1.0).unwrap();
    let exact = gamma.inverse_cdf(0.01);
    let sd = shape.sqrt();
    // A sample with exactly the Gamma's moments is not needed: draw many and compare in
    // standard deviations, where sampling error in the moments is below the tolerance.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let dist = rand_distr::Gamma::new(shape, 1.0).unwrap();
    let sample: Vec<f64> = (0..2_000_000).map(|_| dist.sample(&mut rng)).collect();
    let var = headroom::risk::cornish_fisher_var(&sample, 0.99);
    let normal = -(shape + sd * phi_inv(0.01));
    assert!(
        ((-var - exact) / sd).abs() < 2e-3,
        "CF {} exact {exact}",
        -var
    );
    assert!(((-normal - exact) / sd).abs() > 0.03);
}

/// A pasted history drives σ (EWMA by default), gives the forecasts and a backtest of the 1-day
/// VaR; a history too short is a request error naming the field.
#[test]
fn history_drives_the_forecast_and_the_backtest() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut price = 100000.0;
    let closes: Vec<f64> = (0..301)
        .map(|_| {
            let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
            price *= (0.03 * z).exp();
            price
        })
        .collect();
    let r = run(json!({
        "positions": "instrument,size,venue\nBTCUSDT,1,binance",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
        "account": {"collateral": {"USDT": 100000}},
        "stress": {"library": false},
        "risk": {"history": {"BTC": closes}, "forecast": "garch", "paths": 2000},
    }));
    let risk = r.risk.unwrap();
    assert_eq!(risk.per_underlying[0].vol_source, "garch");
    let f = &risk.forecasts[0];
    assert_eq!(f.observations, 300);
    // The simulated daily vol is 3 %: every estimate near 3 %·√365 ≈ 57 %.
    for v in [
        f.realized_vol,
        f.ewma_vol,
        f.garch.as_ref().unwrap().long_run_vol,
    ] {
        assert!((v / (0.03 * 365f64.sqrt()) - 1.0).abs() < 0.25, "{v}");
    }
    let b = risk.backtest.unwrap();
    assert_eq!(b.observations, 250);
    assert!(b.exceptions <= 9, "{b:?}");
    // A history too short: the risk section is not computed, a warning names the field, and the
    // rest of the report stands.
    let short = run(json!({
        "positions": "instrument,size\nBTC-PERPETUAL,1000",
        "market": market(0.5),
        "risk": {"history": {"BTC": [1, 2, 3]}},
    }));
    assert!(short.risk.is_none());
    assert_eq!(short.positions.len(), 1);
    assert!(
        short
            .warnings
            .iter()
            .any(|w| w.starts_with("risk.history.BTC: needs at least 31")),
        "{:?}",
        short.warnings
    );
    // An empty book with a history and historical scenarios: refused in words, no panic.
    let empty = run(json!({
        "positions": "",
        "market": market(0.5),
        "risk": {"history": {"BTC": (0..40).map(|i| 100.0 + i as f64).collect::<Vec<f64>>()}, "scenarios": "historical"},
    }));
    assert!(empty.risk.is_none());
    assert!(
        empty
            .warnings
            .iter()
            .any(|w| w.starts_with("risk.scenarios")),
        "{:?}",
        empty.warnings
    );
}

/// Venue accounts: each account's probability of being liquidatable at the horizon on its own
/// venue's rules. Two BTC longs (Binance cross, Hyperliquid isolated) are liquidatable below
/// their own liquidation prices L (the report's): P = Φ((ln(L/S) + σ²h/2)/(σ√h)) each, and the
/// portfolio's "any account" is the higher L's.
#[test]
fn venue_accounts_liquidation_probability_per_account() {
    let r = run(json!({
        "market": market(0.7),
        "stress": {"library": false},
        "accounts": [
            {"id": "bn", "venue": "binance", "collateral": {"USDT": 15000}, "positions": "instrument,size,entry\nBTCUSDT,1,100000"},
            {"id": "hl", "venue": "hyperliquid", "marginMode": "isolated",
             "positions": [{"instrument": "BTC", "size": 2, "entryPrice": 100000, "isolatedMargin": 22000}]},
        ],
        "risk": {"horizonDays": 5, "volOfVol": 0, "paths": 20000},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let risk = r.risk.unwrap();
    let h = 5.0 / 365.0;
    let s = 0.7 * f64::sqrt(h);
    let prob = |l: f64| Normal::standard().cdf(((l / 100000.0f64).ln() + 0.5 * s * s) / s);
    let price = |id: &str| {
        r.positions
            .iter()
            .find(|p| p.account.as_deref() == Some(id))
            .unwrap()
            .liquidation_price
            .unwrap()
    };
    let (l_bn, l_hl) = (price("bn"), price("hl"));
    assert_eq!(risk.per_account.len(), 2);
    for (a, l) in risk.per_account.iter().zip([l_bn, l_hl]) {
        let exact = prob(l);
        assert!(exact > 0.005, "{} {exact}", a.account);
        assert!(
            (a.liquidation_probability - exact).abs() < 4.0 * a.liquidation_standard_error,
            "{}: {} vs {exact}",
            a.account,
            a.liquidation_probability
        );
    }
    let any = prob(l_bn.max(l_hl));
    let p = risk.liquidation_probability.unwrap();
    assert!(
        (p - any).abs() < 4.0 * risk.liquidation_standard_error.unwrap(),
        "{p} vs {any}"
    );
}

/// HAR-RV (Corsi 2009) by least squares recovers the coefficients of a seeded simulated series
/// of 6,000 days (noise multiplicative, mean one), and drives σ when asked, from pasted
/// high/low ranges through Parkinson's estimator.
#[test]
fn har_rv_recovers_simulated_coefficients_and_drives_sigma() {
    let truth = forecast::Har {
        beta0: 2e-5,
        beta_d: 0.35,
        beta_w: 0.30,
        beta_m: 0.25,
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let mut rv: Vec<f64> = vec![4e-4; 22];
    for _ in 0..6000 {
        let t = rv.len() - 1;
        let mean = |n: usize| rv[t + 1 - n..=t].iter().sum::<f64>() / n as f64;
        let expected =
            truth.beta0 + truth.beta_d * rv[t] + truth.beta_w * mean(5) + truth.beta_m * mean(22);
        let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
        rv.push(expected * (0.3 * z - 0.045).exp());
    }
    let fit = forecast::Har::fit(&rv).unwrap();
    for (got, want, name) in [
        (fit.beta_d, truth.beta_d, "daily"),
        (fit.beta_w, truth.beta_w, "weekly"),
        (fit.beta_m, truth.beta_m, "monthly"),
    ] {
        assert!((got - want).abs() < 0.06, "{name}: {got} vs {want}");
    }
    // From a request: daily ranges of 2–4 % around the closes: HAR's next-day vol drives σ, near
    // the ranges' own Parkinson level.
    let closes: Vec<f64> = (0..120)
        .map(|i| 100000.0 * (1.0 + 0.001 * (i % 3) as f64))
        .collect();
    let ranges: Vec<[f64; 2]> = closes
        .iter()
        .map(|c| {
            let u: f64 = rand_distr::StandardNormal.sample(&mut rng);
            let half = 0.015 * (0.2 * u).exp();
            [c * (1.0 + half), c * (1.0 - half)]
        })
        .collect();
    let r = run(json!({
        "positions": "instrument,size,venue\nBTCUSDT,1,binance",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
        "account": {"collateral": {"USDT": 100000}},
        "stress": {"library": false},
        "risk": {"history": {"BTC": closes}, "ranges": {"BTC": ranges}, "forecast": "har", "paths": 1000},
    }));
    let risk = r.risk.unwrap();
    assert_eq!(risk.per_underlying[0].vol_source, "har");
    let har = risk.forecasts[0].har.as_ref().unwrap();
    assert_eq!(har.days, 119);
    assert_close(
        risk.per_underlying[0].vol,
        har.next_day_vol,
        1e-12,
        "σ is HAR's next day",
    );
    let level = (forecast::parkinson(1.015, 0.985) * 365.0).sqrt();
    assert!(
        (har.next_day_vol / level - 1.0).abs() < 0.3,
        "{} vs {level}",
        har.next_day_vol
    );
}
