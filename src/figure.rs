//! Numbers in messages, written without core's float formatting: that is ≈ 20 KB of the
//! WebAssembly module (Grisu, Dragon4 and their tables), while serde_json's shortest-digits
//! writer (crate `zmij`) is in the module anyway for the report.

use std::fmt;

/// A number as messages show it: integers without a decimal point, others in the shortest form
/// that reads back as the same `f64` (`0.65`, `1e-9`), as the report's JSON writes them.
///
/// ```
/// use headroom::figure::Figure;
/// assert_eq!(Figure(65.0).to_string(), "65");
/// assert_eq!(Figure(-0.65).to_string(), "-0.65");
/// assert_eq!(Figure(1e-9).to_string(), "1e-9");
/// assert_eq!(Figure(f64::NAN).to_string(), "NaN");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Figure(pub f64);

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        if value.is_nan() {
            return f.write_str("NaN");
        }
        if value.is_infinite() {
            return f.write_str(if value > 0.0 { "inf" } else { "-inf" });
        }
        if value == value.trunc() && value.abs() < 1e15 {
            return write!(f, "{}", value as i64);
        }
        f.write_str(zmij::Buffer::new().format_finite(value))
    }
}

/// `value` with `decimals` decimals (at most 9), as `format!("{:.N}")` writes it but for ties,
/// which round away from zero after the scaling's own rounding; beyond 2⁵³ units of the last
/// decimal, as [`Figure`].
///
/// ```
/// use headroom::figure::Fixed;
/// assert_eq!(Fixed(0.0123456789, 6).to_string(), "0.012346");
/// assert_eq!(Fixed(-2.5, 2).to_string(), "-2.50");
/// assert_eq!(Fixed(65.04, 1).to_string(), "65.0");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u32);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(value, decimals) = *self;
        let decimals = decimals.min(9);
        let unit = 10u64.pow(decimals);
        let scaled = (value.abs() * unit as f64).round();
        if !value.is_finite() || scaled >= 9_007_199_254_740_992.0 {
            return Figure(value).fmt(f);
        }
        let scaled = scaled as u64;
        let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
        if decimals == 0 {
            return write!(f, "{sign}{scaled}");
        }
        let width = decimals as usize;
        write!(f, "{sign}{}.{:0width$}", scaled / unit, scaled % unit)
    }
}

#[cfg(test)]
mod tests {
    use super::{Figure, Fixed};

    fn values() -> impl Iterator<Item = f64> {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        (0..100_000).map(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            mantissa * 10f64.powi((state % 25) as i32 - 12)
        })
    }

    /// Every figure reads back as the same number, and has core's digits.
    #[test]
    fn figures_read_back_exactly() {
        for value in values().chain([0.0, 1.0, -3.0, 0.1, 91250.0, 1e300, 5e-324]) {
            let text = Figure(value).to_string();
            assert_eq!(text.parse::<f64>().unwrap(), value, "{text}");
            let core = value.to_string();
            let digits = |s: &str| -> String {
                let mantissa = s.split('e').next().unwrap_or("");
                mantissa
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .trim_matches('0')
                    .to_string()
            };
            assert_eq!(digits(&text), digits(&core), "{text} vs {core}");
        }
    }

    /// The same text as core's `{:.N}` away from ties.
    #[test]
    fn fixed_writes_what_core_writes() {
        for value in values().filter(|v| v.abs() < 1e6) {
            for decimals in [0u32, 1, 2, 6] {
                let ours = Fixed(value, decimals).to_string();
                let core = format!("{value:.decimals$}", decimals = decimals as usize);
                let tie = (value.abs() * 10f64.powi(decimals as i32)).fract();
                if (tie - 0.5).abs() < 1e-6 {
                    continue;
                }
                // Core keeps the sign of a negative number that rounds to zero.
                let negative_zero =
                    core.starts_with('-') && core.bytes().all(|b| b"-0.".contains(&b));
                let core = if negative_zero { &core[1..] } else { &core[..] };
                assert_eq!(ours, core, "{value} to {decimals} decimals");
            }
        }
    }
}
