//! Pricing against the published vectors of test-vectors.md (Haug, Hull, QuantLib's suite), each
//! re-checked there at 60 digits; and N(x) in the far tail against mpmath at 50 digits.
//!
//! Black-76 cases run through `analyze` as one-coin option positions with the index equal to the
//! forward, so the figures checked are the report's own, in its units: vega per vol point, theta
//! per calendar day, rho per percentage point.

mod common;
use common::*;
use headroom::pricing::black::{price_and_greeks, OptionInputs, OptionKind};
use headroom::pricing::{implied_black_vol, normal};
use serde_json::json;
use time::{format_description::well_known::Rfc3339, Duration};

const EXPIRY: &str = "27NOV26";

/// A valuation time `years` before the 27NOV26 08:00 UTC expiry.
fn valuation_before_expiry(years: f64) -> String {
    let expiry = headroom::calendar::parse_expiry_code(EXPIRY).unwrap();
    let seconds = (years * headroom::calendar::SECONDS_PER_YEAR).round() as i64;
    (expiry - Duration::seconds(seconds))
        .format(&Rfc3339)
        .unwrap()
}

/// The report's position for one coin of a Black-76 option on forward `f`.
fn black76_position(
    f: f64,
    k: f64,
    r: f64,
    t: f64,
    vol: f64,
    kind: &str,
) -> headroom::report::PositionReport<'static> {
    let instrument = format!("BTC-{EXPIRY}-{k}-{kind}");
    let report = run(json!({
        "positions": [{"instrument": instrument, "size": 1, "iv": vol}],
        "market": {
            "valuationTime": valuation_before_expiry(t),
            "rate": r,
            "underlyings": {"BTC": {"index": f, "forwards": {EXPIRY: f}}}
        }
    }));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.positions.into_iter().next().unwrap()
}

#[test]
fn black76_prices_through_the_report() {
    let cases = [
        (19.0, 19.0, 0.10, 0.75, 0.28, "C", "1.70105073"),
        (19.0, 19.0, 0.10, 0.75, 0.28, "P", "1.70105073"),
        (620.0, 600.0, 0.05, 0.5, 0.2, "C", "44.18685331211"),
        (20.0, 20.0, 0.09, 1.0 / 3.0, 0.25, "P", "1.11664145656"),
        (100.0, 100.0, 0.02, 0.5, 0.2, "C", "5.581106724604810"),
        (
            60000.0,
            65000.0,
            0.0,
            30.0 / 365.0,
            0.65,
            "C",
            "2559.74182777",
        ),
    ];
    for (f, k, r, t, vol, kind, published) in cases {
        let p = black76_position(f, k, r, t, vol, kind);
        assert_matches_published(p.value_usd, published, &format!("B76 {f} {k} {kind} value"));
        assert_matches_published(p.mark_price * f, published, "mark × index");
    }
}

#[test]
fn black76_futures_deltas() {
    assert_matches_published(
        black76_position(105.0, 100.0, 0.10, 0.5, 0.36, "C").delta,
        "0.59462866",
        "call delta",
    );
    assert_matches_published(
        black76_position(105.0, 100.0, 0.10, 0.5, 0.36, "P").delta,
        "-0.35660076",
        "put delta",
    );
}

#[test]
fn btc_style_call_greeks_in_report_units() {
    let p = black76_position(60000.0, 65000.0, 0.0, 30.0 / 365.0, 0.65, "C");
    assert_matches_published(p.delta, "0.368301172826", "delta (coins)");
    assert_close(p.vega, 6484.97736973 * 0.01, 1e-11, "vega per vol point");
    assert_close(p.theta, -25642.6813495 / 365.0, 1e-11, "theta per day");
    assert_close(
        p.rho,
        -(30.0 / 365.0) * 2559.74182777 * 0.01,
        1e-11,
        "rho per pp (−T·V)",
    );
    assert_close(p.vanna, 0.303170247278 * 0.01, 1e-10, "vanna per vol point");
    assert_close(p.volga, 1754.08784508 * 1e-4, 1e-10, "volga per point²");
    assert_close(p.charm, -1.19878568611 / 365.0, 1e-10, "charm per day");
}

#[test]
fn second_order_greeks_black76() {
    let cases = [
        (
            19.0,
            19.0,
            0.10,
            0.75,
            0.28,
            "C",
            0.159091344185,
            -0.317387231649,
            0.0211665726789,
        ),
        (
            19.0,
            19.0,
            0.10,
            0.75,
            0.28,
            "P",
            0.159091344185,
            -0.317387231649,
            -0.071607775954,
        ),
        (
            60000.0,
            50000.0,
            0.05,
            30.0 / 365.0,
            0.65,
            "P",
            -0.304734298028,
            5616.9911461,
            1.19790138332,
        ),
    ];
    for (f, k, r, t, vol, kind, vanna, volga, charm) in cases {
        let p = black76_position(f, k, r, t, vol, kind);
        assert_close(p.vanna / 0.01, vanna, 1e-10, "vanna");
        assert_close(p.volga / 1e-4, volga, 1e-10, "volga");
        assert_close(p.charm * 365.0, charm, 1e-10, "charm");
    }
}

fn bsm(
    kind: OptionKind,
    s: f64,
    k: f64,
    t: f64,
    r: f64,
    q: f64,
    vol: f64,
) -> headroom::pricing::Greeks {
    price_and_greeks(&OptionInputs {
        kind,
        spot: s,
        strike: k,
        years: t,
        rate: r,
        carry: r - q,
        vol,
    })
}

#[test]
fn bsm_vectors_on_the_kernel() {
    use OptionKind::*;
    assert_matches_published(
        bsm(Call, 60.0, 65.0, 0.25, 0.08, 0.0, 0.30).price,
        "2.13336844",
        "BSM call",
    );
    assert_matches_published(
        bsm(Put, 100.0, 95.0, 0.5, 0.10, 0.05, 0.20).price,
        "2.46478765",
        "BSM put, yield",
    );
    let g = bsm(Call, 55.0, 60.0, 0.75, 0.10, 0.0, 0.30);
    assert_matches_published(g.gamma, "0.02782116", "gamma");
    assert_matches_published(g.vega, "18.93577735", "vega");
    assert_matches_published(
        bsm(Put, 430.0, 405.0, 1.0 / 12.0, 0.07, 0.05, 0.20).theta,
        "-31.19235030",
        "theta/yr",
    );
    let g = bsm(Call, 72.0, 75.0, 1.0, 0.09, 0.0, 0.19);
    assert_matches_published(g.rho + g.carry_rho, "38.73250502", "BSM rho (q fixed)");
    let h = bsm(Call, 49.0, 50.0, 0.3846, 0.05, 0.0, 0.20);
    for (value, published, what) in [
        (h.price, "2.400461087", "Hull price"),
        (h.delta, "0.521601634", "Hull delta"),
        (h.gamma, "0.0655453773", "Hull gamma"),
        (h.vega, "12.1052428", "Hull vega"),
        (h.theta, "-4.30538996", "Hull theta/yr"),
        (h.rho + h.carry_rho, "8.90657410", "Hull rho"),
    ] {
        assert_matches_published(value, published, what);
    }
}

#[test]
fn bsm_second_order_on_the_kernel() {
    use OptionKind::*;
    let cases = [
        (
            Call,
            60.0,
            65.0,
            0.25,
            0.08,
            0.0,
            0.30,
            0.599468379149,
            5.84993707667,
            -0.561486255108,
        ),
        (
            Put,
            100.0,
            95.0,
            0.5,
            0.10,
            0.05,
            0.20,
            -0.757055311254,
            32.6643984209,
            0.0240041107877,
        ),
        (
            Call,
            100.0,
            80.0,
            1.0,
            0.04,
            0.03,
            0.40,
            -0.272757915204,
            21.353095554,
            0.0702273286284,
        ),
    ];
    for (kind, s, k, t, r, q, vol, vanna, volga, charm) in cases {
        let g = bsm(kind, s, k, t, r, q, vol);
        assert_close(g.vanna, vanna, 1e-10, "vanna");
        assert_close(g.volga, volga, 1e-10, "volga");
        assert_close(g.charm, charm, 1e-10, "charm");
    }
}

#[test]
fn undiscounted_black_and_its_implied_vol() {
    let g = price_and_greeks(&OptionInputs {
        kind: OptionKind::Call,
        spot: 100.0,
        strike: 100.0,
        years: 0.5,
        rate: 0.0,
        carry: 0.0,
        vol: 0.2,
    });
    assert_matches_published(g.price, "5.6371977797016627", "undiscounted Black");
    let vol = implied_black_vol(5.637197779701664, 100.0, 100.0, 0.5, OptionKind::Call).unwrap();
    assert_close(vol, 0.2, 1e-14, "implied vol back");
}

/// mpmath, 50 digits: `ncdf(x)`. Far-OTM options depend on this tail being right, not 0.
/// N's relative condition number is ≈ x², so the rounding of x alone costs ≈ x²·ε; the tolerance
/// is that bound (1.8e-13 at x = −20), well inside the 1e-12 promised for tails.
#[test]
#[allow(clippy::excessive_precision)] // the reference digits as mpmath printed them
fn normal_cdf_tail_against_mpmath() {
    let cases = [
        (-1.0, 0.15865525393145705141),
        (-5.0, 2.8665157187919391167e-7),
        (-8.0, 6.2209605742717841235e-16),
        (-10.0, 7.619853024160526066e-24),
        (-20.0, 2.7536241186062336951e-89),
        (-30.0, 4.9067139271481870595e-198),
    ];
    for (x, expected) in cases {
        let conditioning = (1.0 + x * x) * 4.0 * f64::EPSILON;
        assert_close(normal::cdf(x), expected, conditioning, &format!("N({x})"));
    }
}

#[test]
fn implied_vol_from_a_coin_mark_price_round_trips() {
    // Price an inverse option at 60 % vol, then paste its coin mark without an IV.
    let p = black76_position(91880.0, 100000.0, 0.0, 0.25, 0.6, "C");
    let report = run(json!({
        "positions": [{"instrument": "BTC-27NOV26-100000-C", "size": -2, "markPrice": p.mark_price}],
        "market": {"valuationTime": valuation_before_expiry(0.25), "underlyings": {"BTC": {"index": 91880.0, "forwards": {EXPIRY: 91880.0}}}}
    }));
    let q = &report.positions[0];
    assert_eq!(q.iv_source, Some("mark"));
    assert_close(q.iv.unwrap(), 0.6, 1e-12, "implied vol");
}
