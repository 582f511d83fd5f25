//! `cargo xtask`: project automation.
//!
//! - `cargo xtask verify [--quick|--full] [--claim PREFIX].. [--seed N] [--out DIR] [--threads N]
//!   [--json] [--quiet] [--all] [--bless]` runs the registered checks, judges them on the two axes of
//!   THEORY.md §3.7, compares every prediction's outcome with the committed baseline
//!   (`verify/baseline.json`) and writes `report.json`, `report.md` and figures. `--bless` records this
//!   run's prediction outcomes in the baseline (a deliberate change, to be committed).
//! - `cargo xtask list` prints every check id with its role, stakes and statement.
//! - `cargo xtask theory-map` regenerates `docs/theory-map.md` from the registry.
//! - `cargo xtask bench [-p PACKAGE].. [--seconds S]` runs the criterion benches and writes the medians
//!   to `target/bench/summary.md`.
//! - `cargo xtask doc [-- CARGO-ARGS]` lints the doc-comment math and runs `cargo doc` with KaTeX, so
//!   the equations render (`docs/katex-header.html`).
//! - `cargo xtask peers [--case NAME].. [--reps N] [--threads N]` runs the published benchmark cases
//!   in nqg and in the Python peers (a cached, pinned venv) and writes `docs/benchmarks.{md,json}`.
//! - `cargo xtask fuzz [--seconds N] [TARGET]..` runs the cargo-fuzz targets in `fuzz/` (nightly;
//!   installs `cargo-fuzz` if missing) for N seconds each and reports any crash with its input file.
//!
//! Exit codes: 0 when every must-hold check holds, nothing errored and every prediction's outcome
//! matches the baseline (a refuted prediction in the baseline is fine); 1 otherwise; 2 bad usage or an
//! I/O error.

mod census;
mod peers;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

mod doc;
use indicatif::{ProgressBar, ProgressStyle};
use nqg_claims::report::{now_rfc3339, to_terminal, write_all};
use nqg_claims::{Baseline, RunOptions, Size, gate, registry, run};

/// Where the committed baseline of prediction outcomes lives, relative to the workspace root.
const BASELINE: &str = "verify/baseline.json";

/// The workspace root (the parent of this crate's directory), so the baseline and the docs are found
/// whatever the working directory.
fn workspace_root() -> std::path::PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// nqg project automation.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Run the registered claims and write the verification report.
    Verify(VerifyArgs),
    /// List every registered check id with its role, stakes and statement.
    List,
    /// Regenerate docs/theory-map.md from the registry.
    TheoryMap,
    /// Run the criterion benches (release, LTO) and summarise the medians in target/bench/summary.md.
    Bench(BenchArgs),
    /// Run the cargo-fuzz targets in fuzz/ (nightly toolchain) for a fixed time each.
    Fuzz(FuzzArgs),
    /// Build the API docs with rendered equations (KaTeX), after linting the doc-comment math.
    Doc(DocArgs),
    /// Run every benchmark case in nqg and in its Python peers; write docs/benchmarks.{md,json}.
    Peers(peers::PeersArgs),
    /// Hostile-input census of the leaf crates' public API, each case in its own process.
    Census(census::CensusArgs),
}

#[derive(Debug, clap::Args)]
struct DocArgs {
    /// Extra arguments for `cargo doc`, after `--` (e.g. `-- --locked --open`).
    #[arg(last = true)]
    cargo_args: Vec<String>,
}

/// The fuzz targets of `fuzz/Cargo.toml`, one per leaf crate's main entry points.
const FUZZ_TARGETS: [&str; 4] = [
    "thermo_fokker_planck",
    "quantum_split_step",
    "geometry_curvature",
    "network_learning",
];

#[derive(Debug, clap::Args)]
struct FuzzArgs {
    /// Seconds per target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Targets to run (default: all).
    targets: Vec<String>,
}

#[derive(Debug, clap::Args)]
struct BenchArgs {
    /// Only this package's benches (repeatable), e.g. `--package nqg-geometry`.
    #[arg(long = "package", short = 'p')]
    packages: Vec<String>,
    /// Criterion measurement time per bench, in seconds.
    #[arg(long, default_value_t = 3)]
    seconds: u32,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// Quick sizes (the default): the whole suite in minutes on 2 cores.
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Paper-scale sizes and tighter error bars.
    #[arg(long)]
    full: bool,
    /// Only checks whose id starts with PREFIX (repeatable).
    #[arg(long = "claim", value_name = "PREFIX")]
    claims: Vec<String>,
    /// Run seed; each check derives its own seed from it and its id.
    #[arg(long, default_value_t = 20211028)]
    seed: u64,
    /// Output directory.
    #[arg(long, default_value = "target/verify")]
    out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print the JSON report on stdout (the summary line then goes to stderr).
    #[arg(long)]
    json: bool,
    /// No progress bar and no table; only the closing lines.
    #[arg(long)]
    quiet: bool,
    /// Also print every check, not only the theses, predictions and failures.
    #[arg(long)]
    all: bool,
    /// Record this run's prediction outcomes in the baseline (verify/baseline.json).
    #[arg(long)]
    bless: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.task {
        Task::List => {
            let reg = registry();
            for claim in reg.claims() {
                println!("{} {}", claim.id, claim.provenance);
                for c in &claim.checks {
                    let stakes = match c.stakes {
                        nqg_claims::Stakes::MustHold => "must hold",
                        nqg_claims::Stakes::Prediction => "prediction",
                    };
                    println!(
                        "  {:<48} {:<10} {:<10} {:<8} {}",
                        c.id,
                        c.role.label(),
                        stakes,
                        c.theory,
                        c.statement
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Task::TheoryMap => {
            let md = nqg_claims::theory_map(&registry(), &nqg_claims::code_path);
            match nqg_claims::report::write_atomic(
                &workspace_root().join("docs/theory-map.md"),
                md.as_bytes(),
            ) {
                Ok(()) => {
                    println!("wrote docs/theory-map.md");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Task::Verify(args) => verify(args),
        Task::Bench(args) => bench(args),
        Task::Fuzz(args) => fuzz(args),
        Task::Doc(args) => doc::run(&workspace_root(), &args.cargo_args),
        Task::Peers(args) => peers::run(args, &workspace_root()),
        Task::Census(args) => census::census(args),
    }
}

/// Run each fuzz target for `--seconds`; a crash fails with the target's artifact directory.
fn fuzz(args: FuzzArgs) -> ExitCode {
    let root = workspace_root();
    let have = std::process::Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("cargo-fuzz is not installed: cargo install cargo-fuzz");
        let ok = std::process::Command::new("cargo")
            .args(["install", "cargo-fuzz", "--locked"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("error: cannot install cargo-fuzz");
            return ExitCode::from(2);
        }
    }
    let targets: Vec<String> = if args.targets.is_empty() {
        FUZZ_TARGETS.iter().map(|t| (*t).to_string()).collect()
    } else {
        args.targets.clone()
    };
    if let Some(bad) = targets.iter().find(|t| !FUZZ_TARGETS.contains(&t.as_str())) {
        eprintln!(
            "error: unknown fuzz target {bad:?} (known: {})",
            FUZZ_TARGETS.join(", ")
        );
        return ExitCode::from(2);
    }
    let mut failed = Vec::new();
    for t in &targets {
        eprintln!("==> fuzzing {t} for {} s", args.seconds);
        let status = std::process::Command::new("cargo")
            .current_dir(&root)
            .args(["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", t, "--"])
            .arg(format!("-max_total_time={}", args.seconds))
            .status();
        match status {
            Ok(s) if s.success() => eprintln!("    {t}: no finding in {} s", args.seconds),
            Ok(_) => {
                eprintln!("    {t}: FINDING, see fuzz/artifacts/{t}/");
                failed.push(t.clone());
            }
            Err(e) => {
                eprintln!("error: cannot run cargo fuzz: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if failed.is_empty() {
        eprintln!("fuzz: {} target(s), no finding", targets.len());
        ExitCode::SUCCESS
    } else {
        eprintln!("fuzz: findings in {}", failed.join(", "));
        ExitCode::from(1)
    }
}

/// Run `cargo bench` and summarise every `target/criterion/**/new/estimates.json`.
fn bench(args: BenchArgs) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["bench", "--bench", "*"]);
    if args.packages.is_empty() {
        cmd.arg("--workspace");
    }
    for p in &args.packages {
        cmd.args(["--package", p]);
    }
    cmd.args([
        "--",
        "--warm-up-time",
        "1",
        "--measurement-time",
        &args.seconds.to_string(),
    ]);
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("error: cargo bench failed ({s})");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("error: cannot run cargo bench: {e}");
            return ExitCode::from(2);
        }
    }
    let mut rows = Vec::new();
    collect_estimates(std::path::Path::new("target/criterion"), &mut rows);
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.dedup_by(|a, b| a.0 == b.0);
    let mut md = String::from("| bench | median | 95% CI |\n|---|---|---|\n");
    for (id, median, lo, hi) in &rows {
        md.push_str(&format!(
            "| `{id}` | {} | {} - {} |\n",
            fmt_ns(*median),
            fmt_ns(*lo),
            fmt_ns(*hi)
        ));
    }
    print!("{md}");
    let out = std::path::Path::new("target/bench");
    if let Err(e) = std::fs::create_dir_all(out)
        .and_then(|()| nqg_claims::report::write_atomic(&out.join("summary.md"), md.as_bytes()))
    {
        eprintln!("error: cannot write target/bench/summary.md: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.3} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// (bench id, median ns, CI low, CI high) of every bench under `dir`.
fn collect_estimates(dir: &std::path::Path, rows: &mut Vec<(String, f64, f64, f64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if !p.is_dir() {
            continue;
        }
        let est = p.join("new/estimates.json");
        let meta = p.join("new/benchmark.json");
        if let (Ok(est), Ok(meta)) = (std::fs::read_to_string(&est), std::fs::read_to_string(&meta)) {
            let (Ok(est), Ok(meta)) = (
                serde_json::from_str::<serde_json::Value>(&est),
                serde_json::from_str::<serde_json::Value>(&meta),
            ) else {
                continue;
            };
            let m = &est["median"];
            if let (Some(id), Some(v), Some(lo), Some(hi)) = (
                meta["full_id"].as_str(),
                m["point_estimate"].as_f64(),
                m["confidence_interval"]["lower_bound"].as_f64(),
                m["confidence_interval"]["upper_bound"].as_f64(),
            ) {
                rows.push((id.to_string(), v, lo, hi));
            }
        } else {
            collect_estimates(&p, rows);
        }
    }
}

fn git_commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn verify(args: VerifyArgs) -> ExitCode {
    let _ = args.quick; // the default; the flag exists for explicitness.
    match verify_run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Run, gate, write and print; `Ok(passes)`, or the message of an error that stops the run (exit 2).
fn verify_run(args: &VerifyArgs) -> Result<bool, String> {
    check_verify_args(args)?;
    probe_output_dir(&args.out)?;
    let registry = registry();
    let opts = RunOptions {
        size: if args.full { Size::Full } else { Size::Quick },
        seed: args.seed,
        filters: args.claims.clone(),
    };
    let n_selected = registry
        .check_ids()
        .iter()
        .filter(|id| nqg_claims::run::selected(id, &opts.filters))
        .count();
    let bar = progress_bar(
        n_selected,
        !args.quiet && !args.json && std::io::stderr().is_terminal(),
    );
    let start = Instant::now();
    let on_done = |c: &nqg_claims::CheckReport| {
        bar.set_message(c.id);
        bar.inc(1);
    };
    let result = run(&registry, &opts, &on_done);
    bar.finish_and_clear();
    let mut report = result.map_err(|e| e.to_string())?;
    report.git_commit = git_commit();
    report.generated_at = now_rfc3339();
    let baseline = load_baseline(&report, args.bless)?;
    let verdict = gate(&report, baseline.as_ref());
    let written =
        write_all(&report, Some(&verdict), &args.out).map_err(|e| format!("cannot write the report: {e}"))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else if !args.quiet {
        print!("{}", to_terminal(&report, Some(&verdict), args.all));
        println!(
            "\nwrote {} files to {} in {:.1} s ({} threads)",
            written.len(),
            args.out.display(),
            start.elapsed().as_secs_f64(),
            rayon::current_num_threads()
        );
    } else if !verdict.passes() {
        eprint!("{}", to_terminal(&report, Some(&verdict), false));
    }
    let lines = format!("{}\n{}", report.summary.predictions_line(), report.summary.line());
    if args.json {
        eprintln!("{lines}");
    } else {
        println!("{lines}");
    }
    Ok(verdict.passes())
}

/// Refuse an empty `--claim` and a `--threads` outside 1..=4 × cores; build the thread pool.
fn check_verify_args(args: &VerifyArgs) -> Result<(), String> {
    if let Some(bad) = args.claims.iter().find(|c| c.trim().is_empty()) {
        return Err(format!(
            "--claim {bad:?} is empty and would select every check; omit --claim to run all"
        ));
    }
    if let Some(n) = args.threads {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let limit = 4 * cores;
        if n == 0 || n > limit {
            return Err(format!(
                "--threads {n} is outside 1..={limit} (4 × the {cores} cores of this machine)"
            ));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| format!("cannot build the thread pool: {e}"))?;
    }
    Ok(())
}

/// Fail early, before minutes of computation, if the output directory cannot be written. The set is
/// staged beside it (see `nqg_verify::publish`), so that is where to probe.
fn probe_output_dir(out: &std::path::Path) -> Result<(), String> {
    let staging = nqg_claims::publish::sets_dir(out);
    std::fs::create_dir_all(&staging)
        .and_then(|()| {
            let probe = staging.join(format!(".write-probe-{}", std::process::id()));
            std::fs::write(&probe, b"")?;
            std::fs::remove_file(probe)
        })
        .map_err(|e| format!("cannot write to output directory {}: {e}", out.display()))
}

/// A progress bar over `n` checks, hidden unless `show`.
fn progress_bar(n: usize, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(n as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
    {
        b.set_style(style);
    }
    b
}

/// The committed baseline; with `bless`, first overwrite it with this report's outcomes.
fn load_baseline(report: &nqg_claims::Report, bless: bool) -> Result<Option<Baseline>, String> {
    let baseline_file = workspace_root().join(BASELINE);
    let baseline_path = baseline_file.as_path();
    let mut baseline = Baseline::load(baseline_path).map_err(|e| e.to_string())?;
    if bless {
        let mut b = baseline.take().unwrap_or_else(|| Baseline::empty(report.seed));
        b.bless(report)
            .and_then(|()| b.save(baseline_path))
            .map_err(|e| format!("cannot bless: {e}"))?;
        eprintln!(
            "blessed {} prediction outcomes into {BASELINE}",
            report.summary.confirmed + report.summary.refuted + report.summary.not_testable
        );
        baseline = Some(b);
    }
    Ok(baseline)
}
