//! Project rules: docs on every crate and module, no placeholders in library code, leaf crates
//! independent (they may share only the foundation nqg-stats, which depends on nothing), check ids well formed and unique.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Source files of library and binary code (not tests, benches or examples).
fn library_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("xtask/src"), &mut files);
    for krate in fs::read_dir(root().join("crates")).unwrap().flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(files.len() >= 10, "tidy found too few files: {files:?}");
    files
}

#[test]
fn every_module_has_a_doc_comment() {
    let mut missing = Vec::new();
    for f in library_files() {
        let text = fs::read_to_string(&f).unwrap();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if !first.starts_with("//!") {
            missing.push(f.display().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "files without a `//!` module doc: {missing:#?}"
    );
}

#[test]
fn no_placeholders_in_library_code() {
    let banned = [
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
        concat!("dbg", "!("),
    ];
    let mut hits = Vec::new();
    for f in library_files() {
        let text = fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if banned.iter().any(|b| line.contains(b)) {
                hits.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(hits.is_empty(), "placeholders in library code: {hits:#?}");
}

#[test]
fn leaf_crates_do_not_depend_on_each_other() {
    let leaves = ["nqg-network", "nqg-thermo", "nqg-quantum", "nqg-geometry"];
    for leaf in leaves.iter().chain(&["nqg-verify"]) {
        let manifest = fs::read_to_string(root().join("crates").join(leaf).join("Cargo.toml")).unwrap();
        // The harness knows no physics: it depends on no nqg crate either.
        for other in leaves.iter().chain(&["nqg-claims", "nqg-verify"]) {
            if other != leaf {
                assert!(
                    !manifest.lines().any(|l| l.trim_start().starts_with(other)),
                    "{leaf} depends on {other}"
                );
            }
        }
    }
    // The shared foundation sits below everything: it depends on no nqg crate.
    let stats = fs::read_to_string(root().join("crates/nqg-stats/Cargo.toml")).unwrap();
    assert!(
        !stats.lines().any(|l| l.trim_start().starts_with("nqg-")),
        "nqg-stats depends on an nqg crate"
    );
}

#[test]
fn check_ids_are_unique_and_well_formed() {
    let reg = nqg::claims::registry();
    assert!(!reg.check_ids().is_empty());
    let problems = reg.id_problems();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn checks_do_not_put_wall_time_in_evidence() {
    // report.json must be identical for the same seed whatever the thread count or machine load;
    // timings belong to CheckReport::seconds, which the runner measures and report.json omits.
    let dir = root().join("crates/nqg-claims/src/checks");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    assert!(!files.is_empty());
    let hits: Vec<String> = files
        .iter()
        .filter(|f| fs::read_to_string(f).unwrap().contains("Instant::now"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(hits.is_empty(), "checks that read the clock: {hits:#?}");
}

#[test]
fn theory_map_is_generated_from_the_registry() {
    let want = nqg::claims::theory_map(&nqg::claims::registry(), &nqg::claims::code_path);
    let have = fs::read_to_string(root().join("docs/theory-map.md")).unwrap();
    assert!(
        have == want,
        "docs/theory-map.md is stale: run `cargo xtask theory-map` and commit it"
    );
}

#[test]
fn baseline_lists_exactly_the_registered_predictions() {
    // Every prediction of the quick run has a committed outcome, and the baseline names no check that
    // is not a registered prediction (so a removed or renamed check cannot linger in it).
    let reg = nqg::claims::registry();
    let baseline = nqg::claims::Baseline::load(&root().join("verify/baseline.json"))
        .unwrap()
        .expect("verify/baseline.json is committed");
    let predictions: std::collections::BTreeSet<&str> = reg
        .claims()
        .iter()
        .flat_map(|c| c.checks.iter())
        .filter(|c| c.stakes == nqg::claims::Stakes::Prediction)
        .map(|c| c.id)
        .collect();
    let quick: std::collections::BTreeSet<&str> = baseline.quick.keys().map(String::as_str).collect();
    assert_eq!(
        predictions, quick,
        "bless with `cargo xtask verify --quick --bless`"
    );
    for id in baseline.full.keys() {
        assert!(
            predictions.contains(id.as_str()),
            "full baseline names unknown prediction {id}"
        );
    }
}

#[test]
fn one_file_per_claim_id_and_no_file_mixes_two_claims() {
    let reg = nqg::claims::registry();
    let checks_dir = root().join("crates/nqg-claims/src/checks");
    // Every claim's checks are registered in checks/<layer>/<topic>.rs.
    for claim in reg.claims() {
        let path = root().join(nqg::claims::code_path(claim.id));
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("claim `{}` must live in {}: {e}", claim.id, path.display()));
        for c in &claim.checks {
            assert!(
                text.contains(&format!("\"{}\"", c.id)),
                "check `{}` is not registered in {}",
                c.id,
                path.display()
            );
        }
    }
    // No file names a check id of another claim; no flat layer files are left beside the layer folders.
    let ids = reg.check_ids();
    let mut files = Vec::new();
    rust_files(&checks_dir, &mut files);
    for f in files {
        let rel = f
            .strip_prefix(&checks_dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "mod.rs" {
            continue;
        }
        let parts: Vec<&str> = rel.trim_end_matches(".rs").split('/').collect();
        assert_eq!(parts.len(), 2, "{rel}: checks live in checks/<layer>/<topic>.rs");
        let text = fs::read_to_string(&f).unwrap();
        let own = format!("{}.{}.", parts[0], parts[1]);
        for id in &ids {
            if text.contains(&format!("\"{id}\"")) {
                assert!(
                    parts[1] != "mod" && id.starts_with(&own),
                    "{rel} names check `{id}` of another claim"
                );
            }
        }
    }
}
