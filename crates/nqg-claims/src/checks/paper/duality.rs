//! `paper.duality` (§9, THEORY.md caveat 8): the quantum description of the trainable variables $q$
//! and the gravitational description of the non-trainable variables $x$ are claimed to be dual. No map
//! between the observables of the two sides is given, so the claim is interpretive: each side is
//! checked separately (`paper.madelung`, `paper.einstein`) and this check is NOT-TESTABLE.

use crate::{CheckResult, Finding, Provenance, Registry, Role, RunContext};

/// Register `paper.duality`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "paper.duality",
        "The quantum description of the trainable variables and the gravitational description of the \
         non-trainable variables are dual descriptions of one network (§9)",
        Provenance::Paper,
    )
    .check(
        "paper.duality.observable_map",
        "A map between quantum observables of q and gravitational observables of x exists and can be \
         compared numerically",
        Role::EndToEnd,
        duality,
    )
    .theory("E-6");
}

fn duality(_ctx: &RunContext) -> CheckResult {
    Ok(Finding::NotTestable {
        reason: "the duality is interpretive: no map between quantum observables of the trainable variables \
                 and gravitational observables of the neuron states is given (THEORY.md §9, caveat 8); the \
                 two sides are checked separately"
            .into(),
    })
}
