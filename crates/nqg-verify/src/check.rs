//! Checks, the claims that group them, and the six theses of the paper they bear on.
//!
//! Every [`Check`] declares two things once (THEORY.md §3.7):
//!
//! - its [`Role`]: a **solver** check (a textbook fact of a solver), an **identity** of the
//!   reconstructed chain, a **premise** of the paper's argument measured in a network, or an
//!   **end-to-end** test that starts from a simulated network and ends at the claimed macroscopic law;
//! - its [`Stakes`]: whether it **must hold** (a failure is a bug) or is a **prediction** (confirmed and
//!   refuted are both results). Premises and end-to-end tests are always predictions; so is every
//!   criterion THEORY.md writes down, whatever its role.
//!
//! A [`Claim`] is a group of checks under one id (`layer.topic`). A [`Thesis`] is one of the abstract's
//! six claims; it lists the checks that bear on it, and its verdict is computed from their roles and
//! outcomes ([`crate::thesis_verdict`]).

use std::fmt;

use serde::Serialize;

use crate::context::RunContext;
use crate::model::{Evidence, Provenance};

/// What a check is for (THEORY.md §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A textbook fact about a solver (THEORY.md layer S).
    Solver,
    /// An identity of the reconstructed chain (layer M, the E0.x facts).
    Identity,
    /// A premise of the paper's argument, measured in a network (layer N).
    Premise,
    /// A test from a simulated network to the claimed macroscopic law (layer E).
    EndToEnd,
}

impl Role {
    /// The role as printed: `solver`, `identity`, `premise`, `end-to-end`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Solver => "solver",
            Self::Identity => "identity",
            Self::Premise => "premise",
            Self::EndToEnd => "end-to-end",
        }
    }

    /// The stakes a check of this role has unless declared otherwise: solver and identity checks must
    /// hold, premises and end-to-end tests are predictions.
    pub fn default_stakes(self) -> Stakes {
        match self {
            Self::Solver | Self::Identity => Stakes::MustHold,
            Self::Premise | Self::EndToEnd => Stakes::Prediction,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether a failure is a bug or a result (THEORY.md §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stakes {
    /// A failure is a bug: it fails `cargo xtask verify` and CI.
    MustHold,
    /// Confirmed and refuted are both results; the outcome is compared with the committed baseline.
    Prediction,
}

/// What a check function found.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A measurement.
    Measured(Box<Evidence>),
    /// The statement cannot be tested; the reason says exactly why.
    NotTestable {
        /// Why (e.g. "the paper's equations for X were not recovered").
        reason: String,
    },
}

impl From<Evidence> for Finding {
    fn from(e: Evidence) -> Self {
        Self::Measured(Box::new(e))
    }
}

/// A check that could not run to completion (a solver error, a panic, an invalid setup).
///
/// Any [`std::error::Error`] converts into it with `?`, keeping its whole source chain in the message
/// (`outer: cause: root cause`), so a check needs no `map_err`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError(pub String);

impl CheckError {
    /// An error with this message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// Wrap any displayable value (for errors that do not implement [`std::error::Error`]).
    pub fn from_display(e: impl fmt::Display) -> Self {
        Self(e.to_string())
    }
}

impl<E: std::error::Error> From<E> for CheckError {
    fn from(e: E) -> Self {
        let mut msg = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        Self(msg)
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result type of a check function.
pub type CheckResult = Result<Finding, CheckError>;

/// A check function: runs one experiment.
pub type CheckFn = fn(&RunContext) -> CheckResult;

/// One check of a claim.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable id `layer.topic.name`, starting with its claim's id.
    pub id: &'static str,
    /// THEORY.md ids it implements (e.g. `N-6`, `S-QM4`, `V-M2`), empty if none.
    pub theory: &'static str,
    /// What the check verifies, in a sentence a physicist reads without the code. The criterion is not
    /// typed here: reports quote it from the evidence.
    pub statement: &'static str,
    /// What it is for.
    pub role: Role,
    /// Whether a failure is a bug or a result.
    pub stakes: Stakes,
    /// For a refined check: the id of the pre-registered check it refines (which stays as written).
    pub refines: Option<&'static str>,
    /// The experiment.
    pub run: CheckFn,
}

/// A group of checks under one id `layer.topic`: one statement of the paper, or a solver fact.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Stable id, a prefix of its checks' ids (e.g. `geometry.lorentz`).
    pub id: &'static str,
    /// The statement.
    pub statement: &'static str,
    /// Where the statement comes from.
    pub provenance: Provenance,
    /// Its checks.
    pub checks: Vec<Check>,
}

impl Claim {
    /// Add a check with its role; its stakes are the role's default ([`Role::default_stakes`]).
    pub fn check(
        &mut self,
        id: &'static str,
        statement: &'static str,
        role: Role,
        run: CheckFn,
    ) -> &mut Self {
        self.checks.push(Check {
            id,
            theory: "",
            statement,
            role,
            stakes: role.default_stakes(),
            refines: None,
            run,
        });
        self
    }

    fn last(&mut self) -> Option<&mut Check> {
        self.checks.last_mut()
    }

    /// The THEORY.md ids of the check added last.
    pub fn theory(&mut self, ids: &'static str) -> &mut Self {
        if let Some(c) = self.last() {
            c.theory = ids;
        }
        self
    }

    /// Make the check added last a prediction: a THEORY.md criterion judged as written, whatever its
    /// role.
    pub fn prediction(&mut self) -> &mut Self {
        if let Some(c) = self.last() {
            c.stakes = Stakes::Prediction;
        }
        self
    }

    /// The check added last refines the pre-registered check `original` (which is kept as written).
    pub fn refines(&mut self, original: &'static str) -> &mut Self {
        if let Some(c) = self.last() {
            c.refines = Some(original);
        }
        self
    }
}

/// One of the six claims of the abstract, with the checks that bear on it.
#[derive(Debug, Clone, Serialize)]
pub struct Thesis {
    /// Its number in the abstract (1-6).
    pub number: u8,
    /// Stable short id, e.g. `madelung`.
    pub id: &'static str,
    /// The claim, as the abstract states it.
    pub statement: &'static str,
    /// Whether the claim is interpretive unless an observable map is found (THEORY.md E-6).
    pub interpretive: bool,
    /// Ids of the checks that bear on it (any layer).
    pub checks: Vec<&'static str>,
}
