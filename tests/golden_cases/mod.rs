//! The golden files of `tests/golden/` (an independent 60-digit mpmath reference, written by
//! `generate.py`), compiled into the test binary so that the WebAssembly tests read them too,
//! and the checks both the native and the WebAssembly tests run on them.
#![allow(dead_code)]

use headroom::pricing::black::OptionKind;

/// kind, F, K, T, r, σ, then price, delta, gamma, vega, theta, rho, vanna, volga, charm, note.
pub const BLACK76: &str = include_str!("../golden/black76.csv");
/// kind, F, K, T, σ, price, note.
pub const IMPLIED_VOL: &str = include_str!("../golden/implied_vol.csv");

pub struct Case {
    pub kind: OptionKind,
    pub inputs: Vec<f64>,
    pub expected: Vec<f64>,
    pub label: String,
}

/// The cases of a golden file: its first `inputs` numbers are inputs, the rest expected values.
/// The files are plain: a header, then kind, numbers and a note, no quoting.
pub fn load(file: &str, inputs: usize) -> Vec<Case> {
    file.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.trim_end().split(',').collect();
            let (kind, rest) = fields.split_first().expect("a kind");
            let (note, numbers) = rest.split_last().expect("a note");
            let numbers: Vec<f64> = numbers
                .iter()
                .map(|x| x.parse().unwrap_or_else(|e| panic!("{x}: {e} in {line}")))
                .collect();
            Case {
                kind: if *kind == "C" {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                },
                inputs: numbers[..inputs].to_vec(),
                expected: numbers[inputs..].to_vec(),
                label: format!("{kind} {:?} ({note})", &numbers[..inputs]),
            }
        })
        .collect()
}

pub fn check(what: &str, label: &str, actual: f64, expected: f64, relative: f64, term_size: f64) {
    let tolerance = relative * expected.abs() + 1e-12 * term_size;
    assert!(
        (actual - expected).abs() <= tolerance || actual == expected,
        "{what} of {label}: got {actual:e}, reference {expected:e} (tolerance {tolerance:.1e})"
    );
}

/// The re-valuation kernel (liquidation searches, margin scenarios, curves) prices netted
/// contracts four at a time in SIMD lanes, handing the far tails to the scalar code: against the
/// reference with the golden tests' tolerances, each contract's price and its delta in the index
/// (the reference's ∂V/∂F times F/S). A contract's figures are the same to the bit whatever
/// range it is priced in, alone or in a group of four at any offset.
pub fn kernel_prices_match_the_reference() {
    use headroom::kernel::{Kernel, Move};
    use headroom::market::ForwardSource;
    use headroom::valuation::{Leg, Model, OptionLeg, VolSource};
    let cases = load(BLACK76, 5);
    // Index 1 USD, so that the forward ratio is the forward itself and F/S = F.
    let legs: Vec<Leg> = cases
        .iter()
        .map(|c| {
            let [f, k, t, r, s] = c.inputs[..] else {
                unreachable!()
            };
            Leg {
                line: 0,
                underlying: "X".into(),
                index: 1.0,
                quantity: 1.0,
                future_years: None,
                model: Model::Option(OptionLeg {
                    kind: c.kind,
                    strike: k,
                    years: t,
                    vol: s,
                    vol_source: VolSource::Row,
                    vol_shift: 0.0,
                    forward_ratio: f,
                    forward_source: ForwardSource::Market,
                    rate: r,
                    inverse: false,
                    coins: 1.0,
                    entry: None,
                }),
            }
        })
        .collect();
    let kernel = Kernel::new(&legs.iter().collect::<Vec<_>>(), false);
    let o = &kernel.options;
    assert!(o.len() >= 450, "{} contracts", o.len());
    let at = Move::new(1.0);
    let priced = o.priced(0..o.len(), &at);
    for (i, (price, delta)) in priced.iter().enumerate() {
        let c = cases
            .iter()
            .find(|c| {
                c.inputs[1] == o.strike[i]
                    && c.inputs[2] == o.years[i]
                    && c.inputs[4] == o.vol[i]
                    && c.inputs[0] == o.forward[i]
                    && (c.kind == OptionKind::Call) == o.call[i]
            })
            .expect("every contract is a golden case");
        let [f, _, t, r, _] = c.inputs[..] else {
            unreachable!()
        };
        check("kernel price", &c.label, *price, c.expected[0], 1e-12, 0.0);
        let df = (-r * t).exp();
        check(
            "kernel delta",
            &c.label,
            *delta,
            c.expected[1] * f,
            1e-10,
            df * f,
        );
        assert_eq!(
            o.price(i, &at, &o.total_vol).to_bits(),
            price.to_bits(),
            "{}",
            c.label
        );
    }
    for offset in 1..4 {
        let shifted = o.priced(offset..o.len(), &at);
        assert_eq!(
            shifted[..],
            priced[offset..],
            "priced from contract {offset}"
        );
    }
}

/// test-vectors.md's hard set through the columns API (`implied_vols`, four lanes at a time with
/// Let's Be Rational for what the lanes leave), in the file's order and reversed so that each
/// case meets other neighbours: every case to 1e-8 relative, 90 % of them to 1e-12, as the
/// scalar solver; and within 1e-12 of the scalar solver wherever the case is well conditioned
/// (the scalar solver itself within 1e-12 of the reference).
pub fn implied_vol_columns_match_the_reference() {
    use headroom::pricing::implied::implied_vols;
    use headroom::pricing::implied_black_vol;
    let cases = load(IMPLIED_VOL, 5);
    let column = |i: usize, order: &[usize]| {
        order
            .iter()
            .map(|&c| cases[c].inputs[i])
            .collect::<Vec<f64>>()
    };
    let forward_order: Vec<usize> = (0..cases.len()).collect();
    let reverse_order: Vec<usize> = (0..cases.len()).rev().collect();
    for order in [forward_order, reverse_order] {
        let is_call: Vec<u8> = order
            .iter()
            .map(|&c| u8::from(cases[c].kind == OptionKind::Call))
            .collect();
        let vols = implied_vols(
            &column(4, &order),
            &column(0, &order),
            &column(1, &order),
            &column(2, &order),
            &is_call,
        )
        .expect("columns of one length");
        let mut within_1e12 = 0;
        for (&c, vol) in order.iter().zip(vols) {
            let case = &cases[c];
            let [f, k, t, sigma, price] = case.inputs[..] else {
                unreachable!()
            };
            let error = (vol - sigma).abs() / sigma;
            assert!(
                error <= 1e-8,
                "{}: vol {vol} vs {sigma} ({error:.1e})",
                case.label
            );
            within_1e12 += usize::from(error <= 1e-12);
            let scalar = implied_black_vol(price, f, k, t, case.kind).expect("a vol");
            if (scalar - sigma).abs() <= 1e-12 * sigma {
                let difference = (vol - scalar).abs() / scalar;
                assert!(
                    difference <= 1e-12,
                    "{}: {vol} vs Let's Be Rational's {scalar} ({difference:.1e})",
                    case.label
                );
            }
        }
        assert!(
            within_1e12 as f64 >= 0.9 * cases.len() as f64,
            "{within_1e12} of {} within 1e-12",
            cases.len()
        );
    }
}

/// The chain pricer (columns in, columns out) against the reference with the golden tests'
/// tolerances: each
/// option five times in one chain (four SIMD lanes, then the scalar code for the one left over),
/// and all of them as one chain sorted by expiry (so consecutive options share √T).
pub fn chain_prices_match_the_reference() {
    use headroom::pricing::chain::{price_chain, ChainInputs};
    use headroom::pricing::normal::pdf;
    let cases = load(BLACK76, 5);
    for c in &cases {
        let [f, k, t, r, s] = c.inputs[..] else {
            unreachable!()
        };
        let g = price_chain(&ChainInputs {
            forward: &[f; 5],
            strike: &[k; 5],
            years: &[t; 5],
            vol: &[s; 5],
            is_call: &[u8::from(c.kind == OptionKind::Call); 5],
            rate: r,
        })
        .unwrap();
        assert!(g.invalid.is_empty(), "{}", c.label);
        let [price, delta, gamma, vega, theta, rho, ..] = c.expected[..] else {
            unreachable!()
        };
        let (w, df) = (s * t.sqrt(), (-r * t).exp());
        let d1 = (f / k).ln() / w + 0.5 * w;
        let n = pdf(d1);
        for i in 0..5 {
            let label = format!("{} (option {i} of 5)", c.label);
            check("price", &label, g.price[i], price, 1e-12, 0.0);
            check("delta", &label, g.delta[i], delta, 1e-10, df);
            check("gamma", &label, g.gamma[i], gamma, 1e-10, 0.0);
            // Report units: vega and rho per point, theta per day.
            check("vega", &label, g.vega[i] * 100.0, vega, 1e-10, 0.0);
            let theta_size = df * f * n * s / (2.0 * t.sqrt()) + r.abs() * price.abs();
            check(
                "theta",
                &label,
                g.theta[i] * 365.0,
                theta,
                1e-10,
                theta_size,
            );
            check("rho", &label, g.rho[i] * 100.0, rho, 1e-10, 0.0);
        }
    }

    let mut zero_rate: Vec<&Case> = cases.iter().filter(|c| c.inputs[3] == 0.0).collect();
    zero_rate.sort_by(|a, b| a.inputs[2].total_cmp(&b.inputs[2]));
    let column = |i: usize| zero_rate.iter().map(|c| c.inputs[i]).collect::<Vec<f64>>();
    let is_call: Vec<u8> = zero_rate
        .iter()
        .map(|c| u8::from(c.kind == OptionKind::Call))
        .collect();
    let chain = price_chain(&ChainInputs {
        forward: &column(0),
        strike: &column(1),
        years: &column(2),
        vol: &column(4),
        is_call: &is_call,
        rate: 0.0,
    })
    .unwrap();
    for (i, c) in zero_rate.iter().enumerate() {
        check(
            "chain price",
            &c.label,
            chain.price[i],
            c.expected[0],
            1e-12,
            0.0,
        );
    }
}
