//! The scenario engine's outputs: risk matrix and curves, checked against closed forms.

mod common;
use common::*;
use headroom::pricing::quote::{quote, QuoteRequest};
use serde_json::json;

#[test]
fn risk_matrix_of_a_future_and_an_option() {
    let report = run(json!({
        "positions": "instrument,size,entry,iv\nBTC_USDC-PERPETUAL,1,100000,\nETH-25DEC26-3000-C,2,,60",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {
            "BTC": {"index": 100000}, "ETH": {"index": 3000, "forwards": {"25DEC26": 3000}}}},
        "scenarios": {"matrix": {"moves": [-0.1, 0, 0.1], "volShifts": [-0.1, 0, 0.1]}}
    }));
    let btc = report
        .scenarios
        .matrix
        .iter()
        .find(|m| m.underlying == "BTC")
        .unwrap();
    for row in &btc.pnl_usd {
        for (pnl, m) in row.iter().zip(&btc.moves) {
            assert_close(
                *pnl + 1e-300,
                m * 100000.0 + 1e-300,
                1e-12,
                "perpetual P&L = m·S whatever the vol",
            );
        }
    }
    let eth = report
        .scenarios
        .matrix
        .iter()
        .find(|m| m.underlying == "ETH")
        .unwrap();
    let years = report.positions[1].years.unwrap();
    let price = |f: f64, vol: f64| {
        quote(&QuoteRequest {
            forward: f,
            strike: 3000.0,
            years,
            vol,
            is_call: true,
            rate: 0.0,
        })
        .unwrap()
        .price
    };
    let base = price(3000.0, 0.6);
    // Row 2 = vol +10 points, column 0 = −10 %.
    assert_close(
        eth.pnl_usd[2][0],
        2.0 * (price(2700.0, 0.7) - base),
        1e-12,
        "ETH −10 %, vol +10",
    );
    assert_close(
        eth.pnl_usd[0][1],
        2.0 * (price(3000.0, 0.5) - base),
        1e-12,
        "ETH vol −10",
    );
}

#[test]
fn curves_at_expiry_are_payoffs_and_margin_matches_the_account() {
    let report = run(json!({
        "positions": "instrument,size,iv\nBTC-25DEC26-100000-C,1,55",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000, "forwards": {"25DEC26": 100000}}}},
        "account": {"collateral": {"USDC": 20000}},
        "scenarios": {"curves": {"from": -0.3, "to": 0.3, "points": 13, "horizonDays": [7]}}
    }));
    let curve = &report.scenarios.curves[0];
    let labels: Vec<&str> = curve.horizons.iter().map(|h| h.label.as_str()).collect();
    assert_eq!(labels, vec!["now", "+7d", "25DEC26"]);
    let v0 = report.positions[0].value_usd;
    let at_expiry = &curve.horizons[2];
    for (pnl, price) in at_expiry.pnl_usd.iter().zip(&curve.prices) {
        let payoff = (price - 100000.0f64).max(0.0);
        assert_close(
            *pnl + 1e4,
            payoff - v0 + 1e4,
            1e-12,
            "payoff at expiry − today's value",
        );
    }
    assert!(
        curve.horizons[0].pnl_usd[6].abs() < 1e-9,
        "no move, no time: no P&L"
    );
    assert!(
        curve.horizons[1].pnl_usd[6] < 0.0,
        "a week of theta on a long call"
    );
    let now = &curve.mm_usage[6];
    assert_eq!(
        *now, report.account.mm_usage,
        "margin curve at 0 is the account"
    );
}

#[test]
fn bad_scenario_requests_are_refused() {
    let error = try_run(json!({
        "positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z"},
        "scenarios": {"curves": {"from": 0.5, "to": -0.5}}
    }))
    .unwrap_err();
    assert_eq!(error.field, "scenarios");
}

/// What-if: "after" is the same as analysing the book with the trade in it and its premium paid
/// (here at the put's mark, in BTC, from the BTC collateral). A protective put pushes the
/// downside liquidation away under portfolio margin; under standard margin it costs its premium
/// of margin balance, since long options are neither collateral nor margined there.
#[test]
fn what_if_equals_the_combined_book() {
    let market = json!({"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 91000, "vol": 0.55, "forwards": {"25DEC26": 91500}}}});
    let book = "instrument,size\nBTC-25DEC26-85000-P,-5\nBTC-PERPETUAL,20000";
    let trade = "instrument,size\nBTC-25DEC26-80000-P,5";
    let collateral = json!({"collateral": {"BTC": 0.8}});
    for model in ["standard", "deribit-pm"] {
        let with = run(
            json!({"positions": book, "whatIf": trade, "market": market, "account": collateral, "margin": {"model": model}}),
        );
        let what_if = with.what_if.as_ref().unwrap();
        assert_eq!(what_if.positions.len(), 1);
        // The premium at the mark is the put's value.
        assert_close(
            what_if.premium_usd,
            what_if.positions[0].value_usd,
            1e-12,
            "premium",
        );
        let paid = json!({"collateral": {"BTC": 0.8 - what_if.premium_usd / 91000.0}});
        let combined = run(
            json!({"positions": format!("{book}\nBTC-25DEC26-80000-P,5"), "market": market, "account": paid, "margin": {"model": model}}),
        );
        // Bought at its mark, the put leaves equity where it was.
        assert_close(
            what_if.after.equity_usd,
            what_if.before.equity_usd,
            1e-12,
            "equity after",
        );
        let after = &what_if.after;
        assert_close(
            after.maintenance_margin_usd,
            combined.account.maintenance_margin_usd,
            1e-12,
            "MM after",
        );
        assert_close(
            after.headroom_usd,
            combined.account.headroom_usd,
            1e-12,
            "headroom after",
        );
        assert_eq!(
            after.underlyings["BTC"].down, combined.account.liquidation["BTC"].down,
            "{model}"
        );
        assert_close(
            after.underlyings["BTC"].vega,
            combined.underlyings["BTC"].vega,
            1e-12,
            "vega after",
        );
        assert_close(
            what_if.before.maintenance_margin_usd,
            with.account.maintenance_margin_usd,
            1e-12,
            "before = the book",
        );
        let (before_down, after_down) = (
            what_if.before.underlyings["BTC"].down.unwrap(),
            after.underlyings["BTC"].down.unwrap(),
        );
        if model == "standard" {
            // The premium left the margin balance and the put does not count: liquidation nearer.
            assert!(
                after_down > before_down,
                "standard margin: {before_down} → {after_down}"
            );
            assert!(what_if.long_options_rule.is_some());
        } else {
            assert!(
                after_down < before_down,
                "{model}: the put hedge moves liquidation from {before_down} to {after_down}"
            );
        }
    }
}

/// The page splits a request across two workers: `analyze` without scenarios and
/// `analyze_scenarios`. The second must give exactly (to the bit) what `analyze` reports.
#[test]
fn scenarios_alone_are_the_reports_scenarios_to_the_bit() {
    let mut checked = 0;
    for (file, collateral) in [
        (
            "deribit-desk.csv",
            json!({"BTC": 1.2, "ETH": 12, "USDC": 5000}),
        ),
        ("btc-market-maker.csv", json!({"BTC": 25})),
        ("basis-trade.csv", json!({"BTC": 2.5, "USDC": 20000})),
        ("okx-book.csv", json!({"BTC": 1, "USDT": 20000})),
    ] {
        for model in ["standard", "deribit-pm", "span"] {
            let request = json!({
                "positions": sample(file),
                "market": sample_market(),
                "account": {"collateral": collateral},
                "margin": {"model": model},
                "scenarios": {
                    "matrix": {"moves": [-0.3, -0.1, 0, 0.1, 0.3], "volShifts": [-0.1, 0, 0.1]},
                    "curves": {"from": -0.5, "to": 0.5, "points": 21, "horizonDays": [7]}
                }
            });
            let request: headroom::Request = serde_json::from_value(request).unwrap();
            let whole = headroom::analyze(&request).unwrap();
            let alone = headroom::analyze::analyze_scenarios(&request).unwrap();
            assert!(!alone.curves.is_empty(), "{file} {model}");
            assert_eq!(alone, whole.scenarios, "{file} {model}");
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

/// Curves age the account's kernels instead of re-building the account from aged legs; both
/// must give the same account, its margin included, before and past expiries.
#[test]
fn an_aged_account_is_the_account_of_aged_legs() {
    use headroom::account::Account;
    use headroom::margin::portfolio::PmPack;
    use headroom::margin::{MarginModel, StandardMargin};
    let models = [
        MarginModel::Standard(StandardMargin::deribit()),
        MarginModel::DeribitPm(
            ["BTC", "ETH"]
                .iter()
                .map(|u| (u.to_string(), PmPack::published(u)))
                .collect(),
        ),
    ];
    let mut checked = 0;
    for file in [
        "deribit-desk.csv",
        "basis-trade.csv",
        "btc-market-maker.csv",
        "okx-book.csv",
    ] {
        let legs = sample_legs(&sample(file));
        assert!(legs.len() >= 3, "{file}");
        for model in &models {
            let account = Account::new(&legs, &[], model);
            for days in [1.0, 3.9, 7.0, 32.0, 125.0, 400.0] {
                let aged_legs: Vec<_> = legs.iter().map(|l| l.aged(days)).collect();
                let expected = Account::new(&aged_legs, &[], model);
                let aged = account.aged(days);
                for m in [-0.5, -0.1, 0.0, 0.2, 1.0] {
                    let (a, b) = (
                        aged.state_with(|_| 1.0 + m),
                        expected.state_with(|_| 1.0 + m),
                    );
                    let what = format!("{file} {} +{days}d {m:+}", model.name());
                    let scale = 1.0 + a.equity.abs().max(a.maintenance);
                    assert!(
                        (a.equity - b.equity).abs() <= 1e-12 * scale,
                        "{what}: {a:?} {b:?}"
                    );
                    assert!((a.balance - b.balance).abs() <= 1e-12 * scale, "{what}");
                    assert!((a.initial - b.initial).abs() <= 1e-12 * scale, "{what}");
                    assert!(
                        (a.maintenance - b.maintenance).abs() <= 1e-12 * scale,
                        "{what}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 6 * 5);
}
