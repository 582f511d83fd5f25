//! One convergence study: errors at a ladder of step sizes, the fitted order, and the figure.
//!
//! A check that claims convergence fills a [`Study`] with `(h, error)` pairs and turns it into the
//! [`Order`] the judge needs and the log-log [`Figure`] the report shows, instead of hand-rolling the
//! sweep, the fit and the plot each time.

use crate::figure::Figure;
use crate::model::{Detail, Order};

/// A convergence study: `(h, error)` pairs under refinement.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    title: String,
    h_label: String,
    error_label: String,
    steps: Vec<f64>,
    errors: Vec<f64>,
}

impl Study {
    /// An empty study; `h_label` names the step (e.g. `dt`), `error_label` the error.
    pub fn new(title: impl Into<String>, h_label: impl Into<String>, error_label: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            h_label: h_label.into(),
            error_label: error_label.into(),
            steps: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Record the error at step `h`.
    pub fn push(&mut self, h: f64, error: f64) -> &mut Self {
        self.steps.push(h);
        self.errors.push(error);
        self
    }

    /// The step sizes.
    pub fn steps(&self) -> &[f64] {
        &self.steps
    }

    /// The errors.
    pub fn errors(&self) -> &[f64] {
        &self.errors
    }

    /// The error at the finest step (the last pushed), NaN if empty.
    pub fn finest_error(&self) -> f64 {
        self.errors.last().copied().unwrap_or(f64::NAN)
    }

    /// The fitted order, judged against `expected ± tolerance`.
    pub fn order(&self, expected: f64, tolerance: f64) -> Order {
        Order::fit(self.steps.clone(), self.errors.clone(), expected, tolerance)
    }

    /// One detail row per step, `error at h = ..`.
    pub fn details(&self) -> Vec<Detail> {
        self.steps
            .iter()
            .zip(&self.errors)
            .map(|(h, e)| Detail {
                label: format!(
                    "{} at {} = {}",
                    self.error_label,
                    self.h_label,
                    crate::fmt_num(*h)
                ),
                measured: *e,
                expected: None,
            })
            .collect()
    }

    /// The log-log figure: the measured errors and a reference line of slope `expected` through the
    /// finest point.
    pub fn figure(&self, expected: f64) -> Figure {
        let (h0, e0) = match (self.steps.last(), self.errors.last()) {
            (Some(h), Some(e)) => (*h, *e),
            _ => (1.0, 1.0),
        };
        let reference: Vec<f64> = self.steps.iter().map(|h| e0 * (h / h0).powf(expected)).collect();
        Figure::new(self.title.clone(), self.h_label.clone(), self.error_label.clone())
            .log(true, true)
            .markers("measured", self.steps.clone(), self.errors.clone())
            .line(format!("slope {expected}"), self.steps.clone(), reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_order_ladder() {
        let mut s = Study::new("t", "h", "err");
        for h in [0.1, 0.05, 0.025] {
            s.push(h, 3.0 * h * h);
        }
        let o = s.order(2.0, 0.1);
        assert!((o.observed - 2.0).abs() < 1e-12);
        assert!((s.finest_error() - 3.0 * 0.025 * 0.025).abs() < 1e-15);
        assert_eq!(s.details().len(), 3);
        assert_eq!(s.figure(2.0).series.len(), 2);
    }
}
