//! Margin models. Parameters are data (named, dated packs), not code.

pub mod standard;

pub use standard::StandardMargin;
