//! Pricing against golden files from an independent 60-digit mpmath reference
//! (`tests/golden/generate.py`: Greeks are numerical derivatives of the price formula, taken on
//! the out-of-the-money side with put-call parity adding the intrinsic part).
//!
//! Tolerances: price 1e-12 relative everywhere (far-OTM tails included); first-order Greeks
//! 1e-10 and second-order 1e-9 relative, plus 1e-12 of the size of the formula's terms, which only
//! matters where a Greek crosses zero (e.g. vanna at d2 = 0).

use headroom::pricing::black::{price_and_greeks, OptionInputs};
use headroom::pricing::chain::{price_chain, ChainInputs};
use headroom::pricing::implied_black_vol;
use headroom::pricing::normal::{cdf, pdf};

mod golden_cases;
use golden_cases::{check, load};

#[test]
fn black76_price_and_greeks_match_the_60_digit_reference() {
    let cases = load(golden_cases::BLACK76, 5);
    assert!(
        cases.len() >= 450,
        "the golden file holds hundreds of cases"
    );
    for c in &cases {
        let [f, k, t, r, s] = c.inputs[..] else {
            unreachable!()
        };
        let g = price_and_greeks(&OptionInputs {
            kind: c.kind,
            spot: f,
            strike: k,
            years: t,
            rate: r,
            carry: 0.0,
            vol: s,
        });
        let [price, delta, gamma, vega, theta, rho, vanna, volga, charm] = c.expected[..] else {
            unreachable!()
        };
        // Sizes of the terms each formula adds up.
        let (w, df) = (s * t.sqrt(), (-r * t).exp());
        let d1 = (f / k).ln() / w + 0.5 * w;
        let n = pdf(d1);
        let spread = d1.abs() + w;
        let vega_size = df * f * n * t.sqrt();
        check("price", &c.label, g.price, price, 1e-12, 0.0);
        check("delta", &c.label, g.delta, delta, 1e-10, df);
        check("gamma", &c.label, g.gamma, gamma, 1e-10, 0.0);
        check("vega", &c.label, g.vega, vega, 1e-10, 0.0);
        check(
            "theta",
            &c.label,
            g.theta,
            theta,
            1e-10,
            df * f * n * s / (2.0 * t.sqrt()) + r.abs() * price.abs(),
        );
        check("rho", &c.label, g.rho, rho, 1e-10, 0.0);
        check("vanna", &c.label, g.vanna, vanna, 1e-9, df * n * spread / s);
        check(
            "volga",
            &c.label,
            g.volga,
            volga,
            1e-9,
            vega_size * spread * spread / s,
        );
        check(
            "charm",
            &c.label,
            g.charm,
            charm,
            1e-9,
            df * n * spread / (2.0 * t) + r.abs() * df,
        );
    }
}

/// Far-OTM tails: where erf-based N(x) gives 0, the price keeps 12 digits.
#[test]
fn far_out_of_the_money_prices_are_not_zero() {
    for c in load(golden_cases::BLACK76, 5)
        .iter()
        .filter(|c| c.label.contains("otm-"))
    {
        let [f, k, t, r, s] = c.inputs[..] else {
            unreachable!()
        };
        let g = price_and_greeks(&OptionInputs {
            kind: c.kind,
            spot: f,
            strike: k,
            years: t,
            rate: r,
            carry: 0.0,
            vol: s,
        });
        assert!(g.price > 0.0 && g.vega > 0.0, "{}", c.label);
        check("price", &c.label, g.price, c.expected[0], 1e-12, 0.0);
    }
    assert!(cdf(-38.0) > 0.0);
}

/// test-vectors.md's hard set: every case to 1e-8 relative, most to 1e-12.
#[test]
fn implied_vol_hard_set() {
    let cases = load(golden_cases::IMPLIED_VOL, 5);
    let mut within_1e12 = 0;
    for c in &cases {
        let [f, k, t, sigma, price] = c.inputs[..] else {
            unreachable!()
        };
        let vol = implied_black_vol(price, f, k, t, c.kind)
            .unwrap_or_else(|| panic!("no vol for {}", c.label));
        let error = (vol - sigma).abs() / sigma;
        assert!(
            error <= 1e-8,
            "{}: vol {vol} vs {sigma} ({error:.1e})",
            c.label
        );
        if error <= 1e-12 {
            within_1e12 += 1;
        }
    }
    let share = within_1e12 as f64 / cases.len() as f64;
    println!(
        "implied vol: {} cases, {within_1e12} within 1e-12",
        cases.len()
    );
    assert!(
        cases.len() >= 180 && share >= 0.9,
        "{within_1e12} of {} within 1e-12",
        cases.len()
    );
}

/// The chain pricer (columns in, columns out) against the same reference and tolerances: each
/// option five times in one chain (four SIMD lanes, then the scalar code for the one left over),
/// and all of them as one chain sorted by expiry (so consecutive options share √T).
#[test]
fn chain_prices_and_greeks_match_the_60_digit_reference() {
    golden_cases::chain_prices_match_the_reference();
}

/// The re-valuation kernel's lanes against the same reference (natively here; tests/wasm.rs
/// runs the same check in the WebAssembly SIMD build).
#[test]
fn kernel_prices_match_the_60_digit_reference() {
    golden_cases::kernel_prices_match_the_reference();
}

/// A chain with a bad option prices the others; mismatched columns are an error naming the column.
#[test]
fn chain_reports_bad_options_and_columns() {
    let g = price_chain(&ChainInputs {
        forward: &[100.0, f64::NAN, 100.0],
        strike: &[100.0, 100.0, 0.0],
        years: &[0.5; 3],
        vol: &[0.2; 3],
        is_call: &[1, 1, 0],
        rate: 0.0,
    })
    .unwrap();
    assert_eq!(g.invalid, vec![1, 2]);
    check(
        "ATM call",
        "F = K = 100, σ = 20 %, T = 0.5",
        g.price[0],
        5.637197779701664,
        1e-14,
        0.0,
    );
    assert!(g.delta[1].is_nan() && g.vega[2].is_nan());
    let error = price_chain(&ChainInputs {
        forward: &[100.0, 100.0],
        strike: &[100.0],
        years: &[0.5; 2],
        vol: &[0.2; 2],
        is_call: &[1, 1],
        rate: 0.0,
    })
    .unwrap_err();
    assert!(
        error.starts_with("strike: has 1 values, forward has 2"),
        "{error}"
    );
}

/// Bad options inside the four-lane groups: each is listed and NaN, and every good option beside
/// it is priced as it is alone (the ATM call of Haug's example, 5.637197779701664).
#[test]
fn chain_lanes_report_bad_options_and_price_their_neighbours() {
    let bad = [
        (1, f64::NAN, 100.0, 0.5, 0.2),
        (2, 100.0, -1.0, 0.5, 0.2),
        (4, f64::INFINITY, 100.0, 0.5, 0.2),
        (5, 100.0, 100.0, 0.0, 0.2),
        (7, 100.0, 100.0, 0.5, f64::NAN),
        (8, 1e-300, 1e300, 0.5, 0.2),
    ];
    let n = 10;
    let (mut forward, mut strike, mut years, mut vol) =
        (vec![100.0; n], vec![100.0; n], vec![0.5; n], vec![0.2; n]);
    for (i, f, k, t, v) in bad {
        (forward[i], strike[i], years[i], vol[i]) = (f, k, t, v);
    }
    let g = price_chain(&ChainInputs {
        forward: &forward,
        strike: &strike,
        years: &years,
        vol: &vol,
        is_call: &[1; 10],
        rate: 0.0,
    })
    .unwrap();
    // 1e-300 against 1e300 is valid input (positive, finite): priced, by the scalar code.
    assert_eq!(g.invalid, vec![1, 2, 4, 5, 7]);
    assert_eq!(g.price[8], 0.0);
    for i in [0, 3, 6, 9] {
        check(
            "ATM call",
            &format!("option {i}"),
            g.price[i],
            5.637197779701664,
            1e-14,
            0.0,
        );
    }
    for i in [1, 2, 4, 5, 7] {
        let row = [
            g.price[i], g.delta[i], g.gamma[i], g.vega[i], g.theta[i], g.rho[i],
        ];
        assert!(row.iter().all(|x| x.is_nan()), "option {i}: {row:?}");
    }
}

/// The hard set through the columns API, lanes and all (tests/golden_cases).
#[test]
fn implied_vol_columns_hard_set() {
    golden_cases::implied_vol_columns_match_the_reference();
}
