//! Report figures defined from others (gamma per 1 %, coin vega and theta, time-weighted vega,
//! basis), settlement of expired legs at a given price, and the single-quote API.

mod common;
use common::*;
use headroom::pricing::quote::{quote, QuoteRequest};
use serde_json::json;

#[test]
fn derived_greeks_follow_their_definitions() {
    let report = run(json!({"positions": sample("deribit-desk.csv"), "market": sample_market()}));
    for p in &report.positions {
        assert_close(
            p.gamma_pct,
            p.gamma * p.index / 100.0,
            1e-15,
            "gamma per 1 %",
        );
        assert_close(p.vega_coin, p.vega / p.index, 1e-15, "vega in coin");
        assert_close(p.theta_coin, p.theta / p.index, 1e-15, "theta in coin");
    }
    let btc = &report.underlyings["BTC"];
    let dec = btc.expiries.iter().find(|e| e.expiry == "25DEC26").unwrap();
    assert_close(dec.basis.unwrap(), 91880.0 / 91250.5 - 1.0, 1e-13, "basis");
    assert_close(
        dec.basis_annualized.unwrap(),
        (91880.0f64 / 91250.5).ln() / dec.years,
        1e-13,
        "annualised basis",
    );
    // 25DEC26 holds two BTC options (lines 4 and 5): vega summed, and weighted by √(30/days).
    let vega: f64 = report
        .positions
        .iter()
        .filter(|p| p.underlying == "BTC" && p.expiry.as_deref() == Some(dec.expiry_time.as_str()))
        .map(|p| p.vega)
        .sum();
    assert_close(dec.vega, vega, 1e-14, "vega by expiry");
    assert_close(
        dec.weighted_vega,
        vega * (30.0 / (dec.years * 365.0)).sqrt(),
        1e-14,
        "weighted vega",
    );
    let total: f64 = btc.expiries.iter().map(|e| e.weighted_vega).sum();
    assert_close(btc.weighted_vega, total, 1e-14, "underlying weighted vega");
    // Per expiry, the positions' own figures add up; with the undated ones (perpetuals, coins),
    // to the underlying's.
    let in_dec: Vec<_> = report
        .positions
        .iter()
        .filter(|p| p.underlying == "BTC" && p.expiry.as_deref() == Some(dec.expiry_time.as_str()))
        .collect();
    assert_eq!(dec.positions, in_dec.len());
    let theta: f64 = in_dec.iter().map(|p| p.theta).sum();
    assert_close(dec.theta, theta, 1e-14, "theta by expiry");
    let undated = |f: fn(&headroom::report::PositionReport) -> f64| -> f64 {
        report
            .positions
            .iter()
            .filter(|p| p.underlying == "BTC" && p.expiry.is_none())
            .map(f)
            .sum()
    };
    let by_expiry =
        |f: fn(&headroom::report::ExpiryReport) -> f64| -> f64 { btc.expiries.iter().map(f).sum() };
    assert_close(
        by_expiry(|e| e.delta) + undated(|p| p.delta),
        btc.delta,
        1e-12,
        "delta",
    );
    assert_close(
        by_expiry(|e| e.gamma) + undated(|p| p.gamma),
        btc.gamma,
        1e-12,
        "gamma",
    );
    assert_close(
        by_expiry(|e| e.value_usd) + undated(|p| p.value_usd),
        btc.value_usd,
        1e-12,
        "value",
    );
}

/// Deribit settles an inverse option in coin at the delivery price: a call struck at 80,000
/// delivered at 95,000 pays (95,000 − 80,000)/95,000 BTC per coin, worth that times today's index.
#[test]
fn expired_legs_settle_at_the_given_price() {
    let report = run(json!({
        "positions": "instrument,size,entry\nBTC-27NOV26-80000-C,2,0.05\nBTC_USDC-PERPETUAL,1,90000\nBTC-27NOV26,10000,90000",
        "market": {"valuationTime": "2026-11-28T00:00:00Z", "underlyings": {"BTC": {"index": 100000, "settlements": {"27NOV26": 95000}}}}
    }));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let option = &report.positions[0];
    let coins = 2.0 * 15000.0 / 95000.0;
    assert_close(option.value_coin.unwrap(), coins, 1e-15, "settled coins");
    assert_close(
        option.value_usd,
        coins * 100000.0,
        1e-15,
        "worth at today's index",
    );
    let future = &report.positions[2];
    assert_close(
        future.value_coin.unwrap(),
        10000.0 * (1.0 / 90000.0 - 1.0 / 95000.0),
        1e-14,
        "future settled at 95,000",
    );
    let expiry = &report.underlyings["BTC"].expiries[0];
    assert_eq!((expiry.expired, expiry.settlement), (true, Some(95000.0)));
}

#[test]
fn single_quotes_in_report_units() {
    let q = quote(&QuoteRequest {
        forward: 60000.0,
        strike: 65000.0,
        years: 30.0 / 365.0,
        vol: 0.65,
        is_call: true,
        rate: 0.0,
    })
    .unwrap();
    assert_matches_published(q.price, "2559.74182777", "price");
    assert_matches_published(q.delta, "0.368301172826", "delta");
    assert_close(q.vega, 6484.97736973 * 0.01, 1e-11, "vega per point");
    assert_close(q.theta, -25642.6813495 / 365.0, 1e-11, "theta per day");
    assert_close(q.charm, -1.19878568611 / 365.0, 1e-10, "charm per day");
    let bad = quote(&QuoteRequest {
        forward: 60000.0,
        strike: 65000.0,
        years: -1.0,
        vol: 0.65,
        is_call: true,
        rate: 0.0,
    })
    .unwrap_err();
    assert_eq!(bad.field, "years");
    // Each input in its range, together too extreme for a finite gamma: an error, not NaN.
    let extreme = quote(&QuoteRequest {
        forward: 1e-300,
        strike: 1e-300,
        years: 100.0,
        vol: 1e-300,
        is_call: true,
        rate: 0.0,
    })
    .unwrap_err();
    assert!(
        extreme.message.contains("too extreme together"),
        "{extreme}"
    );
}

#[test]
fn options_take_their_vol_from_the_smile_then_the_term_structure() {
    let market = json!({
        "valuationTime": "2026-11-23T12:00:00Z",
        "underlyings": {"BTC": {
            "index": 91250.5, "vol": 0.55,
            "forwards": {"25DEC26": 91880, "26MAR27": 93410.5, "25JUN27": 95120},
            "smiles": {
                "25DEC26": {"points": [[80000, 0.62], [90000, 0.52], [100000, 0.50], [120000, 0.56]]},
                "26MAR27": {"svi": {"a": 0.04, "b": 0.12, "rho": -0.3, "m": 0.0, "sigma": 0.25}}
            },
            "atmVols": {"27NOV26": 0.45, "25JUN27": 0.58}
        }}
    });
    let report = run(json!({
        "positions": "instrument,size,iv\nBTC-25DEC26-90000-C,1,\nBTC-25DEC26-95000-C,1,\nBTC-26MAR27-93410.5-P,1,\nBTC-27NOV26-91000-C,1,\nBTC-27NOV26-91000-P,1,40",
        "market": market,
    }));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let [at_point, between, svi, term, row] = &report.positions[..] else {
        panic!()
    };
    assert_eq!(
        (at_point.iv_source, at_point.iv),
        (Some("smile"), Some(0.52))
    );
    // Between 90,000 and 100,000: total variance linear in ln(K/F).
    let (f, t) = (91880.0f64, between.years.unwrap());
    let (k0, k1, k) = ((90000.0 / f).ln(), (100000.0 / f).ln(), (95000.0 / f).ln());
    let w = 0.52f64.powi(2) * t + (0.50f64.powi(2) - 0.52f64.powi(2)) * t * (k - k0) / (k1 - k0);
    assert_close(
        between.iv.unwrap(),
        (w / t).sqrt(),
        1e-14,
        "interpolated smile vol",
    );
    // SVI at the money (k = ln(93410.5/93410.5) = 0): w = a + b·sigma.
    let t = svi.years.unwrap();
    assert_close(
        svi.iv.unwrap(),
        ((0.04 + 0.12 * 0.25) / t).sqrt(),
        1e-14,
        "SVI vol",
    );
    assert_eq!(svi.iv_source, Some("smile"));
    assert_eq!(
        (term.iv_source, term.iv),
        (Some("term"), Some(0.45)),
        "the 27NOV26 ATM vol"
    );
    assert_eq!(row.iv_source, Some("row"), "a row's IV wins");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn contradictory_vols_warn_and_bad_svi_is_refused() {
    let report = run(json!({
        "positions": "",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {
            "index": 100000,
            "smiles": {"25DEC26": {"points": [[90000, 0.40], [100000, 0.52], [110000, 0.40]]}},
            "atmVols": {"26MAR27": 0.20}
        }}}
    }));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("BTC 25DEC26 smile:") && w.contains("butterfly")),
        "{:?}",
        report.warnings
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("calendar arbitrage")),
        "{:?}",
        report.warnings
    );
    let error = try_run(json!({
        "positions": "",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000,
            "smiles": {"25DEC26": {"svi": {"a": -0.5, "b": 0.1, "rho": 0.0, "m": 0.0, "sigma": 0.1}}}}}}
    }))
    .unwrap_err();
    assert_eq!(error.field, "market.underlyings.BTC.smiles.25DEC26");
    assert!(error.message.contains("falls to"), "{error}");
}

/// A vol shift for the whole book and per expiry (issue 23, item 7): every option is valued at
/// its vol plus the shifts, the value the closed-form Black price at that vol, with a warning.
#[test]
fn vol_shift_for_the_book_and_per_expiry() {
    let request = |shift: serde_json::Value, per: serde_json::Value| {
        serde_json::json!({
            "positions": "instrument,size,iv,venue\nBTC-25DEC26-100000-C,1,50,bybit\nBTC-26MAR27-100000-C,1,50,bybit",
            "market": {"valuationTime": "2026-11-23T12:00:00Z", "volShift": shift,
                       "underlyings": {"BTC": {"index": 100000, "volShifts": per}}},
            "stress": {"library": false},
        })
    };
    let r = run(request(
        serde_json::json!(0.05),
        serde_json::json!({"26MAR27": -0.02}),
    ));
    assert_close(r.positions[0].iv.unwrap(), 0.55, 1e-15, "all options +5");
    assert_close(
        r.positions[1].iv.unwrap(),
        0.53,
        1e-15,
        "+5 then −2 for 26MAR27",
    );
    let years = (32.0 - 4.0 / 24.0) / 365.0;
    let expected = headroom::pricing::black::undiscounted_black(
        headroom::pricing::black::OptionKind::Call,
        100000.0,
        100000.0,
        years,
        0.55,
    );
    assert_close(r.positions[0].value_usd, expected, 1e-12, "Black at 55 %");
    assert!(r
        .warnings
        .iter()
        .any(|w| w.starts_with("vols shifted by +5.0 vol points")));
    let refused = try_run(request(serde_json::json!(9), serde_json::json!({})));
    assert!(refused
        .unwrap_err()
        .to_string()
        .starts_with("market.volShift"));
}

/// A vol shift does not make a row's mark and IV look in disagreement: the note compares the
/// mark's own IV, before the shift.
#[test]
fn a_vol_shift_does_not_fake_a_mark_iv_disagreement() {
    let market = |shift: f64| {
        serde_json::json!({"valuationTime": "2026-11-23T12:00:00Z", "volShift": shift,
                           "underlyings": {"BTC": {"index": 91250.5, "forwards": {"25DEC26": 91250.5}}}})
    };
    let plain = run(
        serde_json::json!({"positions": "instrument,size,mark\nBTC-25DEC26-100000-C,1,0.0198",
        "market": market(0.0), "stress": {"library": false}}),
    );
    let iv = plain.positions[0].iv.unwrap() * 100.0;
    let shifted = run(
        serde_json::json!({"positions": format!("instrument,size,mark,iv\nBTC-25DEC26-100000-C,1,0.0198,{iv}"),
        "market": market(0.05), "stress": {"library": false}}),
    );
    assert_close(
        shifted.positions[0].iv.unwrap(),
        iv / 100.0 + 0.05,
        1e-12,
        "shifted vol",
    );
    assert!(
        !shifted.positions[0]
            .notes
            .iter()
            .any(|n| n.contains("implies IV")),
        "{:?}",
        shifted.positions[0].notes
    );
}
