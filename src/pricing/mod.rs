//! Pricing: the Black-Scholes family (Black-76 on the forward is what the report uses) and implied
//! volatility. Pure functions of their inputs, in textbook units; the position layer converts to the
//! report's units (conventions.md).

pub mod black;
pub mod chain;
pub mod implied;
pub mod implied_lanes;
pub mod lane_math;
pub mod lanes;
pub mod normal;
pub mod quote;
pub mod time_value;

pub use black::{price_and_greeks, Greeks, OptionInputs};
pub use implied::implied_black_vol;
