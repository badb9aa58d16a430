//! The cheapest trades that restore headroom, and Greek hedges (issue "The cheapest trades that
//! restore headroom"): every answer is re-valued here through `analyze`'s own what-if (fees
//! recomputed from the published fee rule), the cost is recomputed from the marks, a brute-force
//! search over the candidates' lot grid bounds the cost from below, and the hedges are checked
//! against Hull's worked examples and a simulation of the no-trade band.

mod common;

use common::{assert_close, assert_solved_exactly, run};
use headroom::rebalance::hedge::{neutral, whalley_wilmott};
use serde_json::{json, Value};

const BOOK: &str = "instrument,size,entry,iv\nBTC-25DEC26-110000-C,-5,0.0062,52\n\
    BTC-25DEC26-75000-P,-5,0.0071,60.5\nBTC-PERPETUAL,12000,91000,";

fn request(collateral: f64, rebalance: Value) -> Value {
    json!({
        "positions": BOOK,
        "market": {"valuationTime": "2026-12-04T08:00:00Z", "underlyings": {"BTC": {"index": 91250, "vol": 0.55}}},
        "account": {"collateral": {"BTC": collateral}},
        "stress": {"library": false},
        "rebalance": rebalance,
    })
}

/// The fee of an option trade by Deribit's (and Bybit's) rule: 0.03 % of the underlying,
/// capped at 12.5 % of the premium, USD (venue-margin.md's Bybit example: 0.3 BTC at 3,500 USD,
/// index 42,000 → 3.78 USD).
fn option_fee(coins: f64, index: f64, price_usd: f64) -> f64 {
    (0.0003 * index * coins).min(0.125 * price_usd * coins)
}

#[test]
fn the_fee_rule_reproduces_the_published_example() {
    assert_close(option_fee(0.3, 42_000.0, 3_500.0), 3.78, 1e-12, "fee");
}

/// The report's trades, re-valued by `analyze` as a what-if with the fees taken.
fn revalue(base: &Value, what_if: &str, fees_usd: f64) -> headroom::report::Report {
    let mut r = base.clone();
    r.as_object_mut().unwrap().remove("rebalance");
    r["whatIf"] = json!(what_if);
    // The fees, paid as Deribit takes them on its coin-settled instruments: in BTC, from the
    // collateral (every candidate in these tests is coin-settled).
    let btc = r["account"]["collateral"]["BTC"].as_f64().unwrap();
    r["account"]["collateral"]["BTC"] = json!(btc - fees_usd / 91250.0);
    run(r)
}

#[test]
fn a_strangle_past_liquidation_is_brought_back_by_its_cheapest_trades() {
    let base = request(
        0.6,
        json!({"targets": {"headroomUsd": 20000, "liquidationDistance": 0.15}, "maxTrades": 3}),
    );
    let report = run(base.clone());
    assert!(
        report.account.liquidatable,
        "the account starts liquidatable"
    );
    let rb = report.rebalance.as_ref().unwrap();
    assert_eq!(rb.status, "solved", "{:?}", rb.notes);
    assert!(rb.verified);
    assert!(!rb.trades.is_empty() && rb.trades.len() <= 3);
    // Cost: half the spread (2 % of the mark) and the fee, recomputed from the book's marks.
    let marks: std::collections::HashMap<&str, f64> = report
        .positions
        .iter()
        .map(|p| (p.instrument.as_ref(), p.mark_price * p.index))
        .collect();
    let mut cost = 0.0;
    let mut fees = 0.0;
    for t in &rb.trades {
        let mark_usd = marks[t.instrument.as_str()];
        let fee = option_fee(t.size, 91250.0, t.price_usd);
        assert_close(
            t.price_usd,
            mark_usd * if t.side == "buy" { 1.02 } else { 0.98 },
            1e-12,
            "price",
        );
        fees += fee;
        cost += t.size * 0.02 * mark_usd + fee;
        // Lots of 0.1 BTC.
        assert!(
            (t.size * 10.0 - (t.size * 10.0).round()).abs() < 1e-9,
            "{}",
            t.size
        );
    }
    assert_close(rb.cost_usd, cost, 1e-9, "cost");
    // Re-valued independently: the targets hold.
    let after = revalue(&base, &rb.what_if, fees);
    let w = after.what_if.as_ref().unwrap();
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_close(
        w.after.headroom_usd,
        rb.after.headroom_usd,
        1e-9,
        "after headroom",
    );
    assert!(w.after.headroom_usd >= 20000.0, "{}", w.after.headroom_usd);
    let btc = &w.after.underlyings["BTC"];
    assert!(
        btc.down.is_none_or(|d| d <= -0.15) && btc.up.is_none_or(|u| u >= 0.15),
        "{btc:?}"
    );
}

#[test]
fn no_cheaper_lot_combination_meets_the_target() {
    // Two candidates, buying back each short option: every combination of lots up to the book's
    // size, re-valued by the what-if; the cheapest meeting the target is what the search may not
    // beat by more than the rounding to lots (one lot of each).
    let candidates = json!([
        {"instrument": "BTC-25DEC26-110000-C", "iv": 0.52, "side": "buy", "maxSize": 5},
        {"instrument": "BTC-25DEC26-75000-P", "iv": 0.605, "side": "buy", "maxSize": 5},
    ]);
    let base = request(
        0.6,
        json!({"targets": {"headroomUsd": 5000}, "candidates": candidates}),
    );
    let report = run(base.clone());
    let rb = report.rebalance.as_ref().unwrap();
    assert_eq!(rb.status, "solved", "{:?}", rb.notes);
    let marks: std::collections::HashMap<&str, f64> = report
        .positions
        .iter()
        .map(|p| (p.instrument.as_ref(), p.mark_price * p.index))
        .collect();
    let call = marks["BTC-25DEC26-110000-C"];
    let put = marks["BTC-25DEC26-75000-P"];
    let unit_cost = |mark: f64| 0.02 * mark + option_fee(1.0, 91250.0, 1.02 * mark);
    let mut best = f64::INFINITY;
    for c in 0..=50 {
        for p in 0..=50 {
            let (qc, qp) = (c as f64 / 10.0, p as f64 / 10.0);
            let cost = qc * unit_cost(call) + qp * unit_cost(put);
            if cost >= best {
                continue;
            }
            let mut lines = String::from("instrument,size,entry,iv");
            if c > 0 {
                lines.push_str(&format!(
                    "\nBTC-25DEC26-110000-C,{qc},{},52",
                    1.02 * call / 91250.0
                ));
            }
            if p > 0 {
                lines.push_str(&format!(
                    "\nBTC-25DEC26-75000-P,{qp},{},60.5",
                    1.02 * put / 91250.0
                ));
            }
            let fees = qc * option_fee(1.0, 91250.0, 1.02 * call)
                + qp * option_fee(1.0, 91250.0, 1.02 * put);
            let r = revalue(&base, &lines, fees);
            if r.what_if.unwrap().after.headroom_usd >= 5000.0 {
                best = cost;
            }
        }
    }
    assert!(best.is_finite());
    let one_lot_each = 0.1 * (unit_cost(call) + unit_cost(put));
    assert!(
        rb.cost_usd >= best - 1e-9,
        "the search beat the grid: {} < {best}",
        rb.cost_usd
    );
    assert!(
        rb.cost_usd <= best + one_lot_each,
        "the search cost {} against the grid's best {best}",
        rb.cost_usd
    );
}

/// The strangle under a scenario model (`deribit-pm`, `span`).
fn scenario_request(model: &str, rebalance: Value) -> Value {
    let mut r = request(0.6, rebalance);
    r["margin"] = json!({"model": model});
    r
}

#[test]
fn under_portfolio_margin_no_buy_back_is_cheaper_than_the_exact_programs() {
    no_buy_back_is_cheaper_than_the_exact_programs("deribit-pm", 12_000.0);
}

#[test]
fn under_span_no_buy_back_is_cheaper_than_the_exact_programs() {
    no_buy_back_is_cheaper_than_the_exact_programs("span", 10_000.0);
}

/// With one lot of a thousandth, so that rounding is negligible: the exact program's answer for
/// `more` USD of headroom, against a brute-force search on the what-if that uses nothing of it.
fn no_buy_back_is_cheaper_than_the_exact_programs(model: &str, more: f64) {
    let candidates = json!([
        {"instrument": "BTC-25DEC26-110000-C", "iv": 0.52, "side": "buy", "maxSize": 5, "lot": 0.001},
        {"instrument": "BTC-25DEC26-75000-P", "iv": 0.605, "side": "buy", "maxSize": 5, "lot": 0.001},
    ]);
    let mut plain = scenario_request(model, json!(null));
    plain.as_object_mut().unwrap().remove("rebalance");
    let target = (run(plain).account.headroom_usd + more).round();
    let base = scenario_request(
        model,
        json!({"targets": {"headroomUsd": target}, "candidates": candidates}),
    );
    let report = run(base.clone());
    assert!(report.account.headroom_usd < target);
    let rb = report.rebalance.as_ref().unwrap();
    assert_solved_exactly(rb);
    let marks: std::collections::HashMap<&str, f64> = report
        .positions
        .iter()
        .map(|p| (p.instrument.as_ref(), p.mark_price * p.index))
        .collect();
    let (call, put) = (marks["BTC-25DEC26-110000-C"], marks["BTC-25DEC26-75000-P"]);
    let unit_cost = |mark: f64| 0.02 * mark + option_fee(1.0, 91250.0, 1.02 * mark);
    // Headroom with qc calls and qp puts bought back, re-valued by the what-if (fees recomputed).
    let headroom = |qc: f64, qp: f64| {
        let mut lines = String::from("instrument,size,entry,iv");
        for (q, name, mark, iv) in [
            (qc, "BTC-25DEC26-110000-C", call, 52.0),
            (qp, "BTC-25DEC26-75000-P", put, 60.5),
        ] {
            if q > 0.0 {
                lines += &format!("\n{name},{q},{},{iv}", 1.02 * mark / 91250.0);
            }
        }
        let fees = option_fee(qc, 91250.0, 1.02 * call) + option_fee(qp, 91250.0, 1.02 * put);
        revalue(&base, &lines, fees)
            .what_if
            .unwrap()
            .after
            .headroom_usd
    };
    // Headroom is concave in the sizes under a scenario model (a maximum of linear losses), so
    // for each call size the puts that meet the target are an interval (narrow: the cheapest
    // point sits where a down and an up scenario bind together): its peak by golden-section
    // search, then its lower end by bisection.
    let mut best = f64::INFINITY;
    for c in 0..=25 {
        let qc = 0.2 * c as f64;
        let (mut a, mut b) = (0.0, 5.0);
        let ratio = 0.5 * (5f64.sqrt() - 1.0);
        let (mut x, mut y) = (b - ratio * (b - a), a + ratio * (b - a));
        let (mut hx, mut hy) = (headroom(qc, x), headroom(qc, y));
        for _ in 0..26 {
            if hx >= hy {
                (b, y, hy) = (y, x, hx);
                x = b - ratio * (b - a);
                hx = headroom(qc, x);
            } else {
                (a, x, hx) = (x, y, hy);
                y = a + ratio * (b - a);
                hy = headroom(qc, y);
            }
        }
        let peak = 0.5 * (a + b);
        if headroom(qc, peak) < target {
            continue;
        }
        let (mut lo, mut hi) = (0.0, peak);
        if headroom(qc, 0.0) >= target {
            hi = 0.0;
        }
        for _ in 0..16 {
            let mid = 0.5 * (lo + hi);
            if headroom(qc, mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        best = best.min(qc * unit_cost(call) + hi * unit_cost(put));
    }
    assert!(best.is_finite());
    // The answer is rounded up to lots of 0.001; the bisection is 5/2^16 from its point.
    let rounding = 0.001 * (unit_cost(call) + unit_cost(put)) + 5.0 / 65536.0 * unit_cost(put);
    assert!(
        rb.cost_usd <= best + rounding,
        "the grid found {best} USD against the exact program's {}",
        rb.cost_usd
    );
    // And the grid, 0.2 BTC of calls apart, comes within a step of it.
    assert!(
        rb.cost_usd >= best - 0.2 * unit_cost(call),
        "{} against {best}",
        rb.cost_usd
    );
    // Re-valued independently, the target holds.
    let (qc, qp) = rb.trades.iter().fold((0.0, 0.0), |(c, p), t| {
        if t.instrument.contains("-C") {
            (c + t.size, p)
        } else {
            (c, p + t.size)
        }
    });
    assert!(headroom(qc, qp) >= target);
}

/// A distance to liquidation asks the requirement at a moved index: the exact program builds
/// it there too, and its answer, re-valued, keeps the account that far from liquidation.
#[test]
fn under_portfolio_margin_a_liquidation_distance_is_met_exactly() {
    let base = scenario_request(
        "deribit-pm",
        json!({"targets": {"liquidationDistance": 0.3}}),
    );
    let report = run(base.clone());
    let rb = report.rebalance.as_ref().unwrap();
    assert_solved_exactly(rb);
    let fees: f64 = rb
        .trades
        .iter()
        .map(|t| {
            if t.instrument.ends_with("-C") || t.instrument.ends_with("-P") {
                option_fee(t.size, 91250.0, t.price_usd)
            } else {
                0.0005 * t.size
            }
        })
        .sum();
    let after = revalue(&base, &rb.what_if, fees);
    let btc = &after.what_if.as_ref().unwrap().after.underlyings["BTC"];
    assert!(
        btc.down.is_none_or(|d| d <= -0.3) && btc.up.is_none_or(|u| u >= 0.3),
        "{btc:?}"
    );
}

#[test]
fn an_account_meeting_its_targets_needs_no_trade() {
    let r = run(request(3.0, json!({"targets": {"headroomUsd": 1000}})));
    let rb = r.rebalance.unwrap();
    assert_eq!(rb.status, "met already");
    assert!(rb.trades.is_empty() && rb.verified);
}

#[test]
fn a_bad_target_is_a_warning_naming_the_field_and_the_rest_stands() {
    let r = run(request(0.6, json!({"targets": {"maxMmUsage": 1.5}})));
    assert!(r.rebalance.is_none());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("rebalance.targets.maxMmUsage")),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.positions.len(), 3);
    let r = run(request(0.6, json!({})));
    assert!(
        r.warnings.iter().any(|w| w.contains("rebalance.targets")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn greek_bands_alone_are_met_exactly_with_the_perpetual() {
    // Delta with the coin collateral into [-0.05, 0.05] BTC: one perpetual trade, verified.
    let r = run(request(
        3.0,
        json!({"targets": {"delta": {"BTC": [-0.05, 0.05]}}, "candidates": [{"instrument": "BTC-PERPETUAL"}]}),
    ));
    let rb = r.rebalance.unwrap();
    assert_eq!(rb.status, "solved", "{:?}", rb.notes);
    assert!(rb.verified);
    let t = &rb.targets[0];
    assert!(t.after.unwrap().abs() <= 0.05 + 1e-9, "{t:?}");
    assert_eq!(rb.trades.len(), 1);
    assert_eq!(rb.trades[0].side, "sell");
}

#[test]
fn hull_delta_gamma_hedge() {
    // Hull, Options, Futures, and Other Derivatives (10th ed.), Example 19.4: a delta-neutral
    // portfolio with gamma −3,000; a traded option with delta 0.62 and gamma 1.5: buy 2,000
    // options, then sell 1,240 of the asset.
    let h = neutral(
        &[0.0, -3000.0],
        &[vec![0.62, 1.5], vec![1.0, 0.0]],
        &[0.01, 0.001],
    )
    .unwrap();
    assert_close(h.sizes[0], 2000.0, 1e-9, "options");
    assert_close(h.sizes[1], -1240.0, 1e-9, "asset");
    assert!(h.residual.iter().all(|r| r.abs() < 1e-6));
}

#[test]
fn the_no_trade_band_costs_what_a_simulated_reflected_walk_trades() {
    // The delta wanders as Γ·dS; kept within ±h by trading at the edges. A seeded walk of 2e6
    // steps over 20 years: the traded amount a year against v/(2h).
    let (gamma, spot, vol) = (0.0004, 90_000.0, 0.6);
    let band = whalley_wilmott(gamma, spot, vol, 0.0005, 1e-5, 0.0, 0.0).unwrap();
    let v = (gamma * spot * vol).powi(2);
    let (years, steps) = (20.0, 2_000_000usize);
    let dt = years / steps as f64;
    let mut state = 0x9E3779B97F4A7C15u64;
    let mut normal = || {
        // Box–Muller on a 64-bit LCG (the test's own generator).
        let mut u = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let (a, b) = (u(), u());
        (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
    };
    let (mut x, mut traded) = (0.0f64, 0.0);
    for _ in 0..steps {
        x += (v * dt).sqrt() * normal();
        if x.abs() > band.half_width {
            traded += x.abs() - band.half_width;
            x = x.signum() * band.half_width;
        }
    }
    // A walk watched at discrete steps overshoots the band before it is traded back: the
    // continuous band's equivalent is ≈ h + 0.5826·√(v·dt) (Broadie, Glasserman and Kou 1997).
    let watched = v / (2.0 * (band.half_width + 0.5826 * (v * dt).sqrt()));
    assert_close(
        band.traded_per_year,
        v / (2.0 * band.half_width),
        1e-12,
        "v/(2h)",
    );
    assert_close(traded / years, watched, 0.01, "traded a year");
    assert_close(
        band.cost_per_year,
        0.0005 * spot * band.traded_per_year,
        1e-12,
        "cost",
    );
}

#[test]
fn hedges_report_the_book_greeks_and_the_trades_that_flatten_them() {
    let r = run(request(
        3.0,
        json!({"hedge": {"neutral": ["delta", "gamma"]}, "candidates": [
            {"instrument": "BTC-PERPETUAL"}, {"instrument": "BTC-25DEC26-90000-C"}]}),
    ));
    let rb = r.rebalance.unwrap();
    let h = &rb.hedges[0];
    assert_eq!(h.underlying, "BTC");
    // Neutral up to the lots: |delta| below a perpetual lot's coins plus the call's lot delta,
    // gamma below a 0.1-BTC lot's.
    assert!(h.residual["delta"].abs() < 0.06, "{h:?}");
    assert!(h.residual["gamma"].abs() < 0.1 * 2e-5, "{h:?}");
    assert!(h.band.is_some());
}

#[cfg(not(target_arch = "wasm32"))]
mod random_accounts {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Random short-option books under each scenario and per-position model: whatever is
        /// shown as solved re-values, through `analyze`'s what-if with its fees taken, to an
        /// account meeting every target.
        #[test]
        fn every_trade_list_shown_meets_its_targets(
            calls in 0.5f64..8.0,
            puts in 0.5f64..8.0,
            collateral in 0.2f64..3.0,
            model in prop::sample::select(vec!["standard", "deribit-pm", "span"]),
            headroom in 0.0f64..30000.0,
            distance in prop::option::of(0.05f64..0.2),
        ) {
            let book = format!("instrument,size,iv\\nBTC-25DEC26-110000-C,-{calls},52\\nBTC-25DEC26-75000-P,-{puts},60.5\\nBTC-PERPETUAL,12000,");
            let mut targets = json!({"headroomUsd": headroom});
            if let Some(d) = distance {
                targets["liquidationDistance"] = json!(d);
            }
            let mut base = request(collateral, json!({}));
            base["positions"] = json!(book.replace("\\n", "\n"));
            base["margin"] = json!({"model": model});
            let mut asked = base.clone();
            asked["rebalance"] = json!({"targets": targets});
            let report = run(asked);
            let rb = report.rebalance.unwrap();
            if rb.status == "solved" {
                prop_assert!(rb.verified);
                // Fees by the published rules: options 0.03 % of the underlying capped at
                // 12.5 % of the premium, the perpetual (sized in USD) 0.05 % of its notional.
                let fees: f64 = rb
                    .trades
                    .iter()
                    .map(|t| {
                        if t.instrument.ends_with("PERPETUAL") {
                            0.0005 * t.size
                        } else {
                            option_fee(t.size, 91250.0, t.price_usd)
                        }
                    })
                    .sum();
                let w = revalue(&base, &rb.what_if, fees).what_if.unwrap();
                prop_assert!(w.after.headroom_usd >= headroom - 1e-6, "{} < {headroom}", w.after.headroom_usd);
                if let Some(d) = distance {
                    for u in w.after.underlyings.values() {
                        prop_assert!(u.down.is_none_or(|x| x <= -d + 1e-9) && u.up.is_none_or(|x| x >= d - 1e-9), "{u:?}");
                    }
                }
            }
        }
    }
}
