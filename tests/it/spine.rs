//! The verify spine end to end: run, judge, serialise, write; reproducibility across thread counts.

use nqg::claims::{Label, Outcome, RunOptions, Size, registry, report, run};

/// Cheap checks (including stochastic ones) used to prove that reports do not depend on threads.
const PROBES: &[&str] = &[
    "geometry.lorentz",
    "paper.madelung.schrodinger_identity",
    "paper.einstein.gamma_gamma_lagrangian",
    "paper.selftuning",
    "network.fast_slow",
];

fn run_with_threads(threads: usize, seed: u64) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let reg = registry();
    let opts = RunOptions {
        size: Size::Quick,
        seed,
        filters: PROBES.iter().map(|s| s.to_string()).collect(),
    };
    let report = pool.install(|| run(&reg, &opts, &|_| {})).unwrap();
    serde_json::to_string(&report).unwrap()
}

#[test]
fn report_is_identical_with_one_or_two_threads() {
    let a = run_with_threads(1, 7);
    let b = run_with_threads(2, 7);
    assert_eq!(a, b);
    // A different seed gives different numbers (the seed really reaches the checks).
    let c = run_with_threads(2, 8);
    assert_ne!(a, c);
}

#[test]
fn writes_json_markdown_and_figures() {
    let reg = registry();
    let opts = RunOptions {
        size: Size::Quick,
        seed: 3,
        filters: vec!["geometry.lorentz.interval_invariance".into()],
    };
    let rep = run(&reg, &opts, &|_| {}).unwrap();
    assert_eq!(rep.summary.failed, 0);
    let v = &rep.claims[0].checks[0].verdict;
    assert_eq!((v.label, v.outcome), (Some(Label::Exact), Outcome::Pass));
    let dir = std::env::temp_dir().join(format!("nqg-spine-{}", std::process::id()));
    let written = report::write_all(&rep, None, &dir).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"report.json".to_string()));
    assert!(names.contains(&"report.md".to_string()));
    assert!(names.iter().any(|n| n.ends_with(".svg")));
    assert!(names.iter().any(|n| n.ends_with(".csv")));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "nqg-verify/2");
    let check = &json["claims"][0]["checks"][0];
    assert_eq!(check["verdict"]["label"], "EXACT");
    assert_eq!(check["verdict"]["outcome"], "PASS");
    assert_eq!(json["theses"].as_array().unwrap().len(), 6);
    assert!(check["evidence"]["measured"].as_f64().unwrap() < 1e-14);
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| `geometry.lorentz.interval_invariance` |"));
    assert!(md.contains("## The six claims of the abstract"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn writing_to_an_unwritable_place_is_an_error_not_a_panic() {
    let reg = registry();
    let opts = RunOptions {
        size: Size::Quick,
        seed: 3,
        filters: vec!["geometry.lorentz".into()],
    };
    let rep = run(&reg, &opts, &|_| {}).unwrap();
    // A path below a regular file can never be created.
    let file = std::env::temp_dir().join(format!("nqg-notadir-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    let err = report::write_all(&rep, None, &file.join("out")).unwrap_err();
    assert!(err.to_string().contains("nqg-notadir"));
    std::fs::remove_file(&file).unwrap();
}
