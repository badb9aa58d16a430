//! Headroom's risk core: crypto-derivatives positions in, Greeks, standard margin, margin headroom
//! and the distance to liquidation out. Pure Rust: no clock, no randomness, no JavaScript types;
//! the WebAssembly boundary lives in `wasm` and only converts.
//!
//! Units and formulas: `docs/methodology.md`.

pub mod account;
pub mod analyze;
pub mod attribution;
pub mod calendar;
pub mod figure;
pub mod input;
pub mod instrument;
pub mod kernel;
pub mod margin;
pub mod market;
pub mod pricing;
pub mod rebalance;
pub mod report;
pub mod request;
pub mod risk;
pub mod scenarios;
pub mod stress;
pub mod symbology;
pub mod valuation;
pub mod venue;
pub mod volatility;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use analyze::analyze;
pub use report::Report;
pub use request::{Request, RequestError};

/// Parses a JSON request and computes the report as JSON (for native callers and tests).
pub fn analyze_json(request: &str) -> Result<String, RequestError> {
    let mut deserializer = serde_json::Deserializer::from_str(request);
    let request = request::from_deserializer(&mut deserializer)?;
    let report = analyze(&request)?;
    serde_json::to_string(&report).map_err(|e| RequestError::new("", e.to_string()))
}
