//! The registry of claims: later work adds claims in `checks/<layer>.rs` without touching the runner.

use crate::model::{Claim, Provenance};

/// All registered claims, in registration order.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    claims: Vec<Claim>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every claim of nqg: the layer modules register theirs here.
    pub fn all() -> Self {
        let mut reg = Self::new();
        crate::checks::geometry::register(&mut reg);
        crate::checks::quantum::register(&mut reg);
        crate::checks::thermo::register(&mut reg);
        crate::checks::network::register(&mut reg);
        crate::checks::paper_sgd::register(&mut reg);
        crate::checks::paper::register(&mut reg);
        crate::checks::paper_gravity::register(&mut reg);
        reg
    }

    /// Get or create the claim `id`; returns it for adding checks.
    ///
    /// If the claim already exists its statement and provenance are kept.
    pub fn claim(&mut self, id: &'static str, statement: &'static str, provenance: Provenance) -> &mut Claim {
        let pos = match self.claims.iter().position(|c| c.id == id) {
            Some(p) => p,
            None => {
                self.claims.push(Claim {
                    id,
                    statement,
                    provenance,
                    checks: Vec::new(),
                });
                self.claims.len() - 1
            }
        };
        &mut self.claims[pos]
    }

    /// The claims.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// Every check id, in order.
    pub fn check_ids(&self) -> Vec<&'static str> {
        self.claims
            .iter()
            .flat_map(|c| c.checks.iter().map(|k| k.id))
            .collect()
    }

    /// Problems with the ids: duplicates, ids not of the form `layer.topic.name` (lower-case ASCII,
    /// digits and `_`), or check ids that do not start with their claim's id. Empty when all is well.
    pub fn id_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let well_formed = |id: &str, min_parts: usize| {
            let parts: Vec<&str> = id.split('.').collect();
            parts.len() >= min_parts
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                })
        };
        for claim in &self.claims {
            if !well_formed(claim.id, 2) {
                problems.push(format!("claim id `{}` is not `layer.topic`", claim.id));
            }
            if claim.checks.is_empty() {
                problems.push(format!("claim `{}` has no checks", claim.id));
            }
            for check in &claim.checks {
                if !well_formed(check.id, 3) {
                    problems.push(format!("check id `{}` is not `layer.topic.name`", check.id));
                }
                if !check.id.starts_with(&format!("{}.", claim.id)) {
                    problems.push(format!(
                        "check `{}` does not start with its claim id `{}`",
                        check.id, claim.id
                    ));
                }
                if !seen.insert(check.id) {
                    problems.push(format!("duplicate check id `{}`", check.id));
                }
            }
        }
        problems
    }
}
