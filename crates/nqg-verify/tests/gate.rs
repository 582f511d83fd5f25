//! The gate end to end: a refuted prediction lands green once it is in the baseline, a deliberate
//! verdict flip fails until it is blessed, and a must-hold failure fails whatever the baseline says.

use nqg_verify::{
    Baseline, CheckResult, Criterion, Evidence, Outcome, Provenance, Registry, Role, RunContext, RunOptions,
    Size, gate, run,
};

fn holds(_: &RunContext) -> CheckResult {
    Ok(Evidence::round_off("2 - 2", 0.0, 0.0, 2.0).into())
}
fn breaks(_: &RunContext) -> CheckResult {
    Ok(Evidence::round_off("2 - 2", 1e-3, 0.0, 2.0).into())
}
fn near(_: &RunContext) -> CheckResult {
    Ok(Evidence::new("x", 1.005, 1.0, Criterion::RelDiff(0.01)).into())
}
fn far(_: &RunContext) -> CheckResult {
    Ok(Evidence::new("x", 1.2, 1.0, Criterion::RelDiff(0.01)).into())
}

fn registry(solver: nqg_verify::CheckFn, prediction: nqg_verify::CheckFn) -> Registry {
    let mut reg = Registry::new();
    reg.claim("demo.solver", "A solver fact", Provenance::Textbook)
        .check("demo.solver.sum", "2 - 2 = 0", Role::Solver, solver);
    reg.claim("demo.premise", "A premise", Provenance::Reconstruction)
        .check("demo.premise.x", "x is 1", Role::Premise, prediction)
        .theory("N-0");
    reg.thesis(1, "demo", "The demo claim", &["demo.premise.x"]);
    reg
}

fn opts() -> RunOptions {
    RunOptions {
        size: Size::Quick,
        seed: 7,
        filters: vec![],
    }
}

#[test]
fn a_refutation_lands_green_once_blessed_and_a_flip_fails_until_blessed() {
    // The prediction is refuted: a result, not a failure, but new, so not yet in the baseline.
    let refuted = run(&registry(holds, far), &opts(), &|_| {}).unwrap();
    assert_eq!(
        refuted.check("demo.premise.x").unwrap().verdict.outcome,
        Outcome::Refuted
    );
    assert_eq!(refuted.summary.line(), "1 passed, 0 failed");
    assert!(
        !gate(&refuted, None).passes(),
        "no baseline: every prediction is new"
    );
    let mut baseline = Baseline::empty(7);
    baseline.bless(&refuted).unwrap();
    assert!(
        gate(&refuted, Some(&baseline)).passes(),
        "refuted and blessed lands green"
    );

    // The same prediction flips to confirmed: the gate fails until the flip is blessed.
    let confirmed = run(&registry(holds, near), &opts(), &|_| {}).unwrap();
    let g = gate(&confirmed, Some(&baseline));
    assert!(!g.passes());
    assert_eq!(g.drifts.len(), 1);
    assert_eq!(g.drifts[0].baseline, Some(Outcome::Refuted));
    assert_eq!(g.drifts[0].now, Some(Outcome::Confirmed));
    baseline.bless(&confirmed).unwrap();
    assert!(gate(&confirmed, Some(&baseline)).passes());

    // The baseline round-trips through its file.
    let path = std::env::temp_dir().join(format!("nqg-baseline-{}.json", std::process::id()));
    baseline.save(&path).unwrap();
    assert_eq!(Baseline::load(&path).unwrap(), Some(baseline.clone()));
    std::fs::remove_file(&path).unwrap();

    // A size with no blessed outcomes is not compared, and says so.
    let full = run(
        &registry(holds, far),
        &RunOptions {
            size: Size::Full,
            ..opts()
        },
        &|_| {},
    )
    .unwrap();
    let g = gate(&full, Some(&baseline));
    assert!(!g.compared && g.passes());
    assert!(g.not_compared_reason.unwrap().contains("full"));

    // Another seed is not compared (and cannot be blessed into this file).
    let other = run(&registry(holds, far), &RunOptions { seed: 8, ..opts() }, &|_| {}).unwrap();
    let g = gate(&other, Some(&baseline));
    assert!(!g.compared && g.passes());
    assert!(baseline.clone().bless(&other).is_err());
}

#[test]
fn a_must_hold_failure_fails_whatever_the_baseline_says() {
    let good = run(&registry(holds, near), &opts(), &|_| {}).unwrap();
    let mut baseline = Baseline::empty(7);
    baseline.bless(&good).unwrap();
    let broken = run(&registry(breaks, near), &opts(), &|_| {}).unwrap();
    assert_eq!(broken.summary.line(), "0 passed, 1 failed");
    let g = gate(&broken, Some(&baseline));
    assert!(g.drifts.is_empty() && g.defects == 1 && !g.passes());
    // Nor can a broken run be blessed.
    assert!(baseline.bless(&broken).is_err());
    // The thesis lists only the premise, so the solver failure leaves its verdict alone.
    assert_eq!(
        broken.theses[0].verdict.status,
        nqg_verify::ThesisStatus::PremisesOnly
    );
}

#[test]
fn a_filtered_bless_updates_only_what_ran() {
    let all = run(&registry(holds, near), &opts(), &|_| {}).unwrap();
    let mut baseline = Baseline::empty(7);
    baseline.bless(&all).unwrap();
    let some = run(
        &registry(holds, far),
        &RunOptions {
            filters: vec!["demo.solver".into()],
            ..opts()
        },
        &|_| {},
    )
    .unwrap();
    baseline.bless(&some).unwrap();
    assert_eq!(baseline.quick.get("demo.premise.x"), Some(&Outcome::Confirmed));
    assert!(gate(&some, Some(&baseline)).passes());
}
