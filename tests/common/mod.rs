//! Helpers shared by the integration tests.
#![allow(dead_code)]

use headroom::report::Report;
use serde_json::Value;

/// Runs `analyze` on a JSON request, exactly as the JSON/JS boundary would.
pub fn run(request: Value) -> Report {
    try_run(request).unwrap_or_else(|e| panic!("request failed: {e}"))
}

pub fn try_run(request: Value) -> Result<Report, headroom::RequestError> {
    let request = headroom::request::from_deserializer(request)?;
    headroom::analyze(&request)
}

/// `actual` agrees with a published decimal to the precision it was printed with (half a unit
/// of its last digit, plus rounding slack of the computation).
pub fn assert_matches_published(actual: f64, published: &str, what: &str) {
    let expected: f64 = published.parse().unwrap();
    let decimals = published
        .split('.')
        .nth(1)
        .map_or(0, |d| d.trim_start_matches('-').len()) as i32;
    let tolerance = 0.5 * 10f64.powi(-decimals) + 4.0 * f64::EPSILON * expected.abs();
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual:.15e}, published {published} (tolerance {tolerance:.1e})"
    );
}

pub fn assert_close(actual: f64, expected: f64, relative: f64, what: &str) {
    let scale = expected.abs().max(1e-300);
    assert!(
        ((actual - expected) / scale).abs() <= relative,
        "{what}: got {actual:.15e}, expected {expected:.15e} (relative {relative:.0e})"
    );
}

/// A sample book shipped with the page.
pub fn sample(name: &str) -> String {
    let path = format!("{}/www/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The legs of a pasted book valued against [`sample_market`]; rows that cannot be resolved are
/// left out.
pub fn sample_legs(text: &str) -> Vec<headroom::valuation::Leg> {
    let request: headroom::Request = serde_json::from_value(serde_json::json!({
        "positions": text,
        "market": sample_market(),
    }))
    .unwrap();
    let market = request.market.validate().unwrap();
    let book = headroom::input::read_book(&request.positions, None);
    book.rows
        .iter()
        .filter_map(|row| headroom::valuation::resolve(row, &market).ok())
        .collect()
}

/// The market that goes with the sample books (www/samples/README.md).
pub fn sample_market() -> Value {
    serde_json::json!({
        "valuationTime": "2026-11-23T12:00:00Z",
        "rate": 0,
        "underlyings": {
            "BTC": {"index": 91250.5, "vol": 0.55, "forwards": {"27NOV26": 91340, "25DEC26": 91880, "26MAR27": 93410.5, "25JUN27": 95120}},
            "ETH": {"index": 3120.75, "vol": 0.65, "forwards": {"27NOV26": 3122.1, "25DEC26": 3131.9, "26MAR27": 3170, "25JUN27": 3211.4}},
            "SOL": {"index": 142.3, "vol": 0.8}
        }
    })
}

/// The market with one underlying's index and forwards moved by `factor`.
pub fn moved_market(market: &Value, symbol: &str, factor: f64) -> Value {
    let mut market = market.clone();
    let u = &mut market["underlyings"][symbol];
    u["index"] = serde_json::json!(u["index"].as_f64().unwrap() * factor);
    if let Some(forwards) = u["forwards"].as_object_mut() {
        for f in forwards.values_mut() {
            *f = serde_json::json!(f.as_f64().unwrap() * factor);
        }
    }
    market
}

/// Property-test settings: a fixed seed so CI runs are reproducible (widen locally with
/// PROPTEST_CASES), no failure files written.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261123),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// A rebalance solved, verified, by the exact program (one linear program over the scenarios).
pub fn assert_solved_exactly(rb: &headroom::rebalance::RebalanceReport) {
    assert_eq!(
        (rb.status, rb.method, rb.verified),
        ("solved", Some("exact"), true),
        "{:?}",
        rb.notes
    );
}
