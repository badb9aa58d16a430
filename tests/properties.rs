//! Properties the pricing must have over wide domains: put-call parity, no-arbitrage bounds,
//! monotonicity in strike and volatility, Greeks agreeing with finite differences of the price,
//! implied vol inverting the price, no NaN or infinity for any valid input, and the chain pricer
//! (four options per group of SIMD lanes) agreeing with the option-by-option closed form.
#![cfg(not(target_arch = "wasm32"))]

use headroom::pricing::black::{price_and_greeks, undiscounted_black, OptionInputs, OptionKind};
use headroom::pricing::chain::{price_chain, price_chain_into, ChainGreeks, ChainInputs};
use headroom::pricing::implied::implied_vols;
use headroom::pricing::implied_black_vol;
mod common;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
struct Market {
    forward: f64,
    strike: f64,
    years: f64,
    vol: f64,
    rate: f64,
}

/// Forward 0.01 … 1e6, ln(K/F) within ±3, 30 seconds to 10 years, vol 1 % … 500 %, rate −5 % … 20 %.
fn markets() -> impl Strategy<Value = Market> {
    (
        -2.0f64..6.0,
        -3.0f64..3.0,
        -6.0f64..1.0,
        -2.0f64..0.7,
        -0.05f64..0.2,
    )
        .prop_map(|(lf, x, lt, lv, rate)| {
            let forward = 10f64.powf(lf);
            Market {
                forward,
                strike: forward * x.exp(),
                years: 10f64.powf(lt),
                vol: 10f64.powf(lv),
                rate,
            }
        })
}

/// Markets with the strike within ±8 standard deviations of the forward (ln(K/F) = z·σ√T).
fn near_markets() -> impl Strategy<Value = Market> {
    (markets(), -8.0f64..8.0).prop_map(|(m, z)| Market {
        strike: m.forward * (z * m.vol * m.years.sqrt()).exp(),
        ..m
    })
}

/// The out-of-the-money kind at this strike (its price has no intrinsic part to drown in).
fn otm_kind(m: Market) -> OptionKind {
    if m.strike >= m.forward {
        OptionKind::Call
    } else {
        OptionKind::Put
    }
}

fn price(kind: OptionKind, m: Market) -> headroom::pricing::Greeks {
    price_and_greeks(&OptionInputs {
        kind,
        spot: m.forward,
        strike: m.strike,
        years: m.years,
        rate: m.rate,
        carry: 0.0,
        vol: m.vol,
    })
}

proptest! {
    #![proptest_config(common::proptest_config(2000))]

    #[test]
    fn finite_and_within_no_arbitrage_bounds(m in markets()) {
        let df = (-m.rate * m.years).exp();
        for kind in [OptionKind::Call, OptionKind::Put] {
            let g = price(kind, m);
            let all = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.volga, g.charm];
            prop_assert!(all.iter().all(|v| v.is_finite()), "{kind:?} {m:?}: {g:?}");
            let (intrinsic, bound) = match kind {
                OptionKind::Call => ((m.forward - m.strike).max(0.0), m.forward),
                OptionKind::Put => ((m.strike - m.forward).max(0.0), m.strike),
            };
            let slack = 1e-12 * bound;
            prop_assert!(g.price >= df * intrinsic - slack && g.price <= df * bound + slack, "{kind:?} {m:?}: {}", g.price);
            prop_assert!(g.gamma >= 0.0 && g.vega >= 0.0);
        }
    }

    #[test]
    fn put_call_parity(m in markets()) {
        let (c, p) = (price(OptionKind::Call, m), price(OptionKind::Put, m));
        let df = (-m.rate * m.years).exp();
        let scale = df * (m.forward + m.strike);
        prop_assert!((c.price - p.price - df * (m.forward - m.strike)).abs() <= 1e-13 * scale, "{m:?}");
        prop_assert!((c.delta - p.delta - df).abs() <= 1e-13);
        prop_assert!((c.gamma - p.gamma).abs() <= 1e-12 * c.gamma.abs().max(1e-300));
        prop_assert!((c.vega - p.vega).abs() <= 1e-12 * c.vega.abs().max(1e-300));
    }

    #[test]
    fn monotone_in_strike_and_vol(m in markets(), step in 1e-4f64..0.5) {
        let higher_strike = Market { strike: m.strike * (1.0 + step), ..m };
        let higher_vol = Market { vol: m.vol * (1.0 + step), ..m };
        let slack = 1e-13 * m.forward.max(m.strike);
        prop_assert!(price(OptionKind::Call, higher_strike).price <= price(OptionKind::Call, m).price + slack);
        prop_assert!(price(OptionKind::Put, higher_strike).price + slack >= price(OptionKind::Put, m).price);
        for kind in [OptionKind::Call, OptionKind::Put] {
            prop_assert!(price(kind, higher_vol).price + slack >= price(kind, m).price, "{kind:?} {m:?}");
        }
    }

    /// Delta, vega and theta against central differences of the out-of-the-money option's price
    /// (the in-the-money one follows by parity, checked above), where there is time value to
    /// differentiate.
    #[test]
    fn greeks_agree_with_finite_differences(m in near_markets()) {
        let kind = otm_kind(m);
        {
            let g = price(kind, m);
            // Time value a difference quotient can see: vega visible against the price's rounding.
            prop_assume!(g.price > 1e-200 * m.forward && m.years > 1e-4 && g.vega * m.vol > 1e-6 * g.price);
            // Bumps on each input's natural scale: the forward moves by 1e-4 of a standard deviation.
            let bump = |f: &dyn Fn(f64) -> Market, x: f64, h: f64| {
                (price(kind, f(x + h)).price - price(kind, f(x - h)).price) / (2.0 * h)
            };
            let width = m.vol * m.years.sqrt();
            let delta = bump(&|forward| Market { forward, ..m }, m.forward, 1e-4 * width * m.forward);
            let vega = bump(&|vol| Market { vol, ..m }, m.vol, 1e-5 * m.vol);
            let theta = -bump(&|years| Market { years, ..m }, m.years, 1e-5 * m.years);
            let close = |a: f64, b: f64, scale: f64| (a - b).abs() <= 1e-5 * scale;
            prop_assert!(close(g.delta, delta, 1.0), "delta {kind:?} {m:?}: {} vs {delta}", g.delta);
            prop_assert!(close(g.vega, vega, g.vega), "vega {kind:?} {m:?}: {} vs {vega}", g.vega);
            prop_assert!(close(g.theta, theta, g.theta.abs() + g.vega * m.vol / m.years), "theta {kind:?} {m:?}: {} vs {theta}", g.theta);
        }
    }

    /// Implied vol inverts the price wherever the out-of-the-money option's price is a normal double.
    #[test]
    fn implied_vol_inverts_the_price(m in near_markets()) {
        let kind = otm_kind(m);
        let undiscounted = undiscounted_black(kind, m.forward, m.strike, m.years, m.vol);
        prop_assume!(undiscounted > 1e-250 * m.forward);
        let vol = implied_black_vol(undiscounted, m.forward, m.strike, m.years, kind);
        prop_assert!(vol.is_some_and(|v| (v - m.vol).abs() <= 1e-9 * m.vol), "{m:?}: {vol:?}");
    }

    /// Whole chains of implied vols, calls and puts in and out of the money: the columns API
    /// (four-lane Householder, Let's Be Rational for what it leaves) gives each option Let's Be
    /// Rational's volatility to 1e-12 relative, and NaN exactly where it finds none.
    #[test]
    fn implied_vols_agree_with_lets_be_rational(
        options in prop::collection::vec((near_markets(), any::<bool>()), 1..13),
    ) {
        let column = |f: fn(&Market) -> f64| options.iter().map(|(m, _)| f(m)).collect::<Vec<f64>>();
        let kind = |call: bool| if call { OptionKind::Call } else { OptionKind::Put };
        let prices: Vec<f64> = options
            .iter()
            .map(|(m, call)| undiscounted_black(kind(*call), m.forward, m.strike, m.years, m.vol))
            .collect();
        let is_call: Vec<u8> = options.iter().map(|(_, call)| u8::from(*call)).collect();
        let vols = implied_vols(&prices, &column(|m| m.forward), &column(|m| m.strike), &column(|m| m.years), &is_call).unwrap();
        for (((m, call), price), vol) in options.iter().zip(&prices).zip(vols) {
            match implied_black_vol(*price, m.forward, m.strike, m.years, kind(*call)) {
                Some(reference) => prop_assert!((vol - reference).abs() <= 1e-12 * reference, "{m:?} {call}: {vol} vs {reference}"),
                None => prop_assert!(vol.is_nan(), "{m:?} {call}: {vol}, Let's Be Rational has none"),
            }
        }
    }

    /// A chain priced into the columns of an earlier one (`price_chain_into`, what ChainPricer
    /// does on every call) has `price_chain`'s figures to the bit: nothing of the earlier chain
    /// is left, invalid options included.
    #[test]
    fn chain_priced_into_used_columns_is_priced_afresh(
        options in prop::collection::vec((near_markets(), any::<bool>(), any::<bool>()), 1..12),
        rate in -0.05f64..0.2,
    ) {
        let column = |f: &dyn Fn(&(Market, bool, bool)) -> f64| options.iter().map(f).collect::<Vec<f64>>();
        let is_call: Vec<u8> = options.iter().map(|(_, call, _)| u8::from(*call)).collect();
        let (forward, years, vol) = (column(&|o| o.0.forward), column(&|o| o.0.years), column(&|o| o.0.vol));
        let strike = column(&|o| o.0.strike);
        // The second chain: some strikes invalid, the rest moved by 1 %.
        let moved = column(&|o| if o.2 { -1.0 } else { o.0.strike * 1.01 });
        let chain = |strike| ChainInputs { forward: &forward, strike, years: &years, vol: &vol, is_call: &is_call, rate };
        let mut out = ChainGreeks::default();
        price_chain_into(&chain(&strike), &mut out).unwrap();
        price_chain_into(&chain(&moved), &mut out).unwrap();
        let fresh = price_chain(&chain(&moved)).unwrap();
        let bits = |g: &ChainGreeks| [&g.price, &g.delta, &g.gamma, &g.vega, &g.theta, &g.rho].map(|c| c.iter().map(|v| v.to_bits()).collect::<Vec<u64>>());
        prop_assert_eq!(bits(&out), bits(&fresh));
        prop_assert_eq!(&out.invalid, &fresh.invalid);
    }

    /// Whole chains, mixed calls and puts, one rate: every option's price and Greeks equal the
    /// closed form's (Jäckel's price, libm's N and n), whichever lane or path priced it.
    #[test]
    fn chain_agrees_with_the_closed_form(
        options in prop::collection::vec((near_markets(), any::<bool>()), 1..12),
        rate in -0.05f64..0.2,
    ) {
        let column = |f: fn(&Market) -> f64| options.iter().map(|(m, _)| f(m)).collect::<Vec<f64>>();
        let is_call: Vec<u8> = options.iter().map(|(_, call)| u8::from(*call)).collect();
        let g = price_chain(&ChainInputs {
            forward: &column(|m| m.forward),
            strike: &column(|m| m.strike),
            years: &column(|m| m.years),
            vol: &column(|m| m.vol),
            is_call: &is_call,
            rate,
        }).unwrap();
        prop_assert!(g.invalid.is_empty());
        for (i, (m, call)) in options.iter().enumerate() {
            let kind = if *call { OptionKind::Call } else { OptionKind::Put };
            let e = price(kind, Market { rate, ..*m }).in_report_units();
            let near = |a: f64, b: f64, rel: f64, floor: f64| (a - b).abs() <= rel * b.abs().max(floor);
            // The closed form's Greeks take d1 from (F/K).ln(), whose rounding moves d1 by up to
            // ~2.2e-16/σ√T: its own error, allowed for on top of the tolerance.
            let s = m.vol * m.years.sqrt();
            let d1 = (m.forward / m.strike).ln() / s + 0.5 * s;
            let d1_noise = 2.2e-16 / s;
            let density = (-0.5 * d1 * d1).exp() / (2.0 * std::f64::consts::PI).sqrt();
            let greek_rel = 1e-10 + 2.0 * d1.abs() * d1_noise;
            prop_assert!(near(g.price[i], e.price, 3e-12, 1e-300), "price {i} {m:?} {kind:?}: {} vs {}", g.price[i], e.price);
            prop_assert!((g.delta[i] - e.delta).abs() <= 1e-12 + 2.0 * density * d1_noise, "delta {i} {m:?} {kind:?}: {} vs {}", g.delta[i], e.delta);
            prop_assert!(near(g.gamma[i], e.gamma, greek_rel, 1e-300), "gamma {i} {m:?}: {} vs {}", g.gamma[i], e.gamma);
            prop_assert!(near(g.vega[i], e.vega, greek_rel, 1e-300), "vega {i} {m:?}: {} vs {}", g.vega[i], e.vega);
            let theta_scale = e.vega.abs() * 100.0 * m.vol / (2.0 * m.years) / 365.0 + rate.abs() * e.price.abs() / 365.0;
            prop_assert!((g.theta[i] - e.theta).abs() <= greek_rel * theta_scale.max(1e-300), "theta {i} {m:?}: {} vs {}", g.theta[i], e.theta);
            prop_assert!(near(g.rho[i], e.rho, 3e-12, 1e-300), "rho {i} {m:?}");
        }
    }
}
