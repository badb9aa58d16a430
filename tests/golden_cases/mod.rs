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
