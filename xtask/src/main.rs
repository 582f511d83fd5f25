//! `cargo xtask`: project automation.
//!
//! - `cargo xtask verify [--quick|--full] [--claim PREFIX].. [--seed N] [--out DIR] [--threads N]
//!   [--json] [--quiet]` runs the registered claims and writes `report.json`, `report.md` and figures.
//! - `cargo xtask list` prints every check id with its statement.
//!
//! Exit codes: 0 all checks pass (or are not testable), 1 a check failed, 2 bad usage or an I/O error.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use nqg_claims::report::{expected_cell, measured_cell, now_rfc3339, tolerance_cell, write_all};
use nqg_claims::{Registry, RunOptions, Size, Status, run};

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
    /// List every registered check id with its statement.
    List,
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
    /// No progress bar and no table; only the summary line.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.task {
        Task::List => {
            let reg = Registry::all();
            for claim in reg.claims() {
                println!("{} {}", claim.id, claim.provenance);
                for c in &claim.checks {
                    println!("  {:<48} {:?}  {}", c.id, c.kind, c.statement);
                }
            }
            ExitCode::SUCCESS
        }
        Task::Verify(args) => verify(args),
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
    let size = if args.full { Size::Full } else { Size::Quick };
    let _ = args.quick; // the default; the flag exists for explicitness.
    if let Some(n) = args.threads {
        if n == 0 {
            eprintln!("error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global() {
            eprintln!("error: cannot build the thread pool: {e}");
            return ExitCode::from(2);
        }
    }
    // Fail early, before minutes of computation, if the output directory cannot be written.
    if let Err(e) = std::fs::create_dir_all(&args.out).and_then(|()| {
        let probe = args.out.join(".nqg-write-probe");
        std::fs::write(&probe, b"")?;
        std::fs::remove_file(probe)
    }) {
        eprintln!(
            "error: cannot write to output directory {}: {e}",
            args.out.display()
        );
        return ExitCode::from(2);
    }
    let registry = Registry::all();
    let opts = RunOptions {
        size,
        seed: args.seed,
        filters: args.claims.clone(),
    };
    let n_selected = registry
        .check_ids()
        .iter()
        .filter(|id| opts.filters.is_empty() || opts.filters.iter().any(|f| id.starts_with(f.as_str())))
        .count();
    let show_progress = !args.quiet && !args.json && std::io::stderr().is_terminal();
    let bar = if show_progress {
        let b = ProgressBar::new(n_selected as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let start = Instant::now();
    let on_done = |c: &nqg_claims::CheckReport| {
        bar.set_message(c.id);
        bar.inc(1);
    };
    let mut report = match run(&registry, &opts, &on_done) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    bar.finish_and_clear();
    report.git_commit = git_commit();
    report.generated_at = now_rfc3339();
    let written = match write_all(&report, &args.out) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else if !args.quiet {
        print_table(&report);
        println!(
            "\nwrote {} files to {} in {:.1} s ({} threads)",
            written.len(),
            args.out.display(),
            start.elapsed().as_secs_f64(),
            rayon::current_num_threads()
        );
    }
    let line = report.summary.line();
    if args.json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    if report.summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_table(report: &nqg_claims::Report) {
    let width = report.checks().map(|c| c.id.len()).max().unwrap_or(10);
    println!(
        "{:<13} {:<width$} {:>8}  measured | expected | tolerance",
        "status", "check", "time"
    );
    for claim in &report.claims {
        for c in &claim.checks {
            println!(
                "{:<13} {:<width$} {:>7.2}s  {} | {} | {}",
                c.verdict.status.label(),
                c.id,
                c.seconds,
                measured_cell(c),
                expected_cell(c),
                tolerance_cell(c)
            );
            if c.verdict.status == Status::Fail || c.verdict.status == Status::NotTestable {
                println!("{:<13} {:<width$}           -> {}", "", "", c.verdict.reason);
            }
        }
    }
}
