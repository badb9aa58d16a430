//! Value at risk and expected shortfall of a sample of losses, with standard errors by batch
//! means.
//!
//! VaR at confidence α is the loss exceeded with probability 1 − α: the order statistic
//! `L(⌈αn⌉)` of the losses sorted ascending. ES is the mean of the losses at or beyond it:
//! the worst `n − ⌈αn⌉ + 1` (Acerbi–Tasche's discrete form, which is coherent).

/// VaR and ES of `losses` (positive = a loss) at `confidence`, USD as given.
///
/// ```
/// let losses: Vec<f64> = (1..=100).map(f64::from).collect();
/// let t = headroom::risk::tail::Tail::of(&losses, 0.95);
/// assert_eq!(t.var, 95.0);
/// assert_eq!(t.es, (95.0 + 96.0 + 97.0 + 98.0 + 99.0 + 100.0) / 6.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tail {
    pub var: f64,
    pub es: f64,
}

impl Tail {
    /// `losses` must not be empty; `confidence` in (0, 1).
    pub fn of(losses: &[f64], confidence: f64) -> Tail {
        let mut sorted = losses.to_vec();
        sorted.sort_by(f64::total_cmp);
        Tail::of_sorted(&sorted, confidence)
    }

    /// [`Tail::of`] on losses already sorted ascending.
    pub fn of_sorted(sorted: &[f64], confidence: f64) -> Tail {
        let n = sorted.len();
        let rank = tail_rank(n, confidence);
        let tail = &sorted[rank..];
        Tail {
            var: sorted[rank],
            es: tail.iter().sum::<f64>() / tail.len() as f64,
        }
    }
}

/// The 0-based index of the VaR order statistic among `n` sorted losses: `⌈αn⌉ − 1`.
pub fn tail_rank(n: usize, confidence: f64) -> usize {
    ((confidence * n as f64).ceil() as usize)
        .saturating_sub(1)
        .min(n - 1)
}

/// Standard errors of VaR and ES by batch means: the sample split into `batches` equal runs
/// (in path order, antithetic pairs kept together), each run's VaR and ES, and the standard
/// deviation of those over √batches. `None` when there are too few losses per batch to hold a
/// tail (fewer than 2 beyond the VaR).
pub fn batch_errors(losses: &[f64], confidence: f64, batches: usize) -> Option<(f64, f64)> {
    let size = losses.len() / batches;
    if batches < 2 || ((1.0 - confidence) * size as f64) < 2.0 {
        return None;
    }
    let tails: Vec<Tail> = losses
        .chunks_exact(size)
        .take(batches)
        .map(|batch| Tail::of(batch, confidence))
        .collect();
    let spread = |values: Vec<f64>| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let variance =
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64;
        // The full sample's error: a batch's spread over √(number of batches).
        (variance / values.len() as f64).sqrt()
    };
    Some((
        spread(tails.iter().map(|t| t.var).collect()),
        spread(tails.iter().map(|t| t.es).collect()),
    ))
}

/// A histogram of `values` in `bins` equal bins from their minimum to their maximum: the bins'
/// edges (`bins + 1`) and counts.
pub fn histogram(values: &[f64], bins: usize) -> (Vec<f64>, Vec<u32>) {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(low.is_finite() && high.is_finite()) || bins == 0 {
        return (Vec::new(), Vec::new());
    }
    let width = if high > low {
        (high - low) / bins as f64
    } else {
        1.0
    };
    let edges = (0..=bins).map(|i| low + width * i as f64).collect();
    let mut counts = vec![0u32; bins];
    for v in values {
        let i = (((v - low) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    (edges, counts)
}
