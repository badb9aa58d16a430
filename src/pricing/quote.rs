//! A single option quote for front ends: Black-76 on a forward, price and Greeks in the report's
//! units (per one unit of the underlying).

use super::black::{price_and_greeks, OptionInputs, OptionKind};
use crate::figure::Figure;
use crate::request::RequestError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteRequest {
    /// Forward price of the expiry.
    pub forward: f64,
    pub strike: f64,
    /// Years to expiry (calendar days / 365).
    pub years: f64,
    /// Volatility, fraction.
    pub vol: f64,
    pub is_call: bool,
    /// Continuously compounded rate, fraction; default 0.
    #[serde(default)]
    pub rate: f64,
}

/// Price and Greeks of one unit, in the report's units.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// Discounted price, in the forward's currency.
    pub price: f64,
    /// ∂V/∂F.
    pub delta: f64,
    /// ∂²V/∂F².
    pub gamma: f64,
    /// Per 1 vol point.
    pub vega: f64,
    /// −∂V/∂T per calendar day, forward fixed.
    pub theta: f64,
    /// Per 1 percentage point of rate, forward fixed (−T·V·0.01).
    pub rho: f64,
    /// ∂delta per 1 vol point.
    pub vanna: f64,
    /// Per (1 vol point)².
    pub volga: f64,
    /// −∂delta/∂T per calendar day.
    pub charm: f64,
}

/// Prices one option; errors name the field.
///
/// ```
/// use headroom::pricing::quote::{quote, QuoteRequest};
/// let q = quote(&QuoteRequest { forward: 60000.0, strike: 65000.0, years: 30.0 / 365.0, vol: 0.65, is_call: true, rate: 0.0 }).unwrap();
/// assert!((q.price - 2559.74182777).abs() < 1e-8);
/// assert!((q.vega - 64.8497736973).abs() < 1e-9);
/// ```
pub fn quote(q: &QuoteRequest) -> Result<Quote, RequestError> {
    let positive = |name: &str, value: f64, max: f64| {
        if value.is_finite() && value > 0.0 && value <= max {
            Ok(())
        } else {
            Err(RequestError::new(
                name,
                format!(
                    "must be a positive number up to {}, got {}",
                    Figure(max),
                    Figure(value)
                ),
            ))
        }
    };
    positive("forward", q.forward, 1e15)?;
    positive("strike", q.strike, 1e15)?;
    positive("years", q.years, 100.0)?;
    positive("vol", q.vol, 20.0)?;
    if !(q.rate.is_finite() && q.rate.abs() <= 1.0) {
        return Err(RequestError::new(
            "rate",
            format!(
                "must be a fraction between −1 and 1, got {}",
                Figure(q.rate)
            ),
        ));
    }
    let kind = if q.is_call {
        OptionKind::Call
    } else {
        OptionKind::Put
    };
    let g = price_and_greeks(&OptionInputs {
        kind,
        spot: q.forward,
        strike: q.strike,
        years: q.years,
        rate: q.rate,
        carry: 0.0,
        vol: q.vol,
    })
    .in_report_units();
    let figures = [
        g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.volga, g.charm,
    ];
    if !figures.iter().all(|x| x.is_finite()) {
        // Inputs inside the ranges can still be too extreme together (a gamma over an F·σ√T
        // below the smallest double).
        return Err(RequestError::new(
            "",
            format!(
                "forward {}, strike {}, years {} and vol {} are too extreme together: a Greek is not a finite number",
                Figure(q.forward),
                Figure(q.strike),
                Figure(q.years),
                Figure(q.vol)
            ),
        ));
    }
    Ok(Quote {
        price: g.price,
        delta: g.delta,
        gamma: g.gamma,
        vega: g.vega,
        theta: g.theta,
        rho: g.rho,
        vanna: g.vanna,
        volga: g.volga,
        charm: g.charm,
    })
}
