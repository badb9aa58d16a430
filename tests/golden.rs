//! Pricing against golden files from an independent 60-digit mpmath reference
//! (`tests/golden/generate.py`: Greeks are numerical derivatives of the price formula, taken on
//! the out-of-the-money side with put-call parity adding the intrinsic part).
//!
//! Tolerances: price 1e-12 relative everywhere (far-OTM tails included); first-order Greeks
//! 1e-10 and second-order 1e-9 relative, plus 1e-12 of the size of the formula's terms, which only
//! matters where a Greek crosses zero (e.g. vanna at d2 = 0).

use headroom::pricing::black::{price_and_greeks, OptionInputs, OptionKind};
use headroom::pricing::implied_black_vol;
use headroom::pricing::normal::{cdf, pdf};

struct Case {
    kind: OptionKind,
    inputs: Vec<f64>,
    expected: Vec<f64>,
    label: String,
}

fn load(name: &str, inputs: usize) -> Vec<Case> {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let columns = reader.headers().unwrap().len();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let numbers: Vec<f64> = (1..columns - 1).map(|i| r[i].parse().unwrap()).collect();
            Case {
                kind: if &r[0] == "C" {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                },
                inputs: numbers[..inputs].to_vec(),
                expected: numbers[inputs..].to_vec(),
                label: format!("{} {:?} ({})", &r[0], &numbers[..inputs], &r[columns - 1]),
            }
        })
        .collect()
}

fn check(what: &str, label: &str, actual: f64, expected: f64, relative: f64, term_size: f64) {
    let tolerance = relative * expected.abs() + 1e-12 * term_size;
    assert!(
        (actual - expected).abs() <= tolerance || actual == expected,
        "{what} of {label}: got {actual:e}, reference {expected:e} (tolerance {tolerance:.1e})"
    );
}

#[test]
fn black76_price_and_greeks_match_the_60_digit_reference() {
    let cases = load("black76.csv", 5);
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
    for c in load("black76.csv", 5)
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
    let cases = load("implied_vol.csv", 5);
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
