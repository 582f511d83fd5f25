//! The registry: the claims (groups of checks) and the six theses of the abstract that checks bear on.
//! The harness knows no physics; `nqg-claims` fills a registry with its checks.

use crate::check::{Check, Claim, Thesis};
use crate::model::Provenance;

/// All registered claims and theses, in registration order.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    claims: Vec<Claim>,
    theses: Vec<Thesis>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register thesis `number` of the abstract with the ids of the checks that bear on it.
    pub fn thesis(
        &mut self,
        number: u8,
        id: &'static str,
        statement: &'static str,
        checks: &[&'static str],
    ) -> &mut Thesis {
        self.theses.push(Thesis {
            number,
            id,
            statement,
            interpretive: false,
            checks: checks.to_vec(),
        });
        let n = self.theses.len() - 1;
        &mut self.theses[n]
    }

    /// The theses, in registration order.
    pub fn theses(&self) -> &[Thesis] {
        &self.theses
    }

    /// The check with this id.
    pub fn find(&self, id: &str) -> Option<&Check> {
        self.claims
            .iter()
            .flat_map(|c| c.checks.iter())
            .find(|k| k.id == id)
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
        for check in self.claims.iter().flat_map(|c| c.checks.iter()) {
            if let Some(orig) = check.refines
                && self.find(orig).is_none()
            {
                problems.push(format!("`{}` refines unknown check `{orig}`", check.id));
            }
            if matches!(check.role, crate::Role::Premise | crate::Role::EndToEnd)
                && check.stakes == crate::Stakes::MustHold
            {
                problems.push(format!(
                    "`{}` is a {} but declared must-hold",
                    check.id, check.role
                ));
            }
        }
        for t in &self.theses {
            for id in &t.checks {
                if self.find(id).is_none() {
                    problems.push(format!("thesis `{}` lists unknown check `{id}`", t.id));
                }
            }
        }
        problems
    }
}
