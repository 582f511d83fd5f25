//! `cargo xtask census`: a hostile-input census of the public API of the four leaf crates (issue 15).
//!
//! Every case is one bad input to one public call (special floats, zero and huge sizes, mismatched
//! lengths and grids, bad steps and tolerances, non-monotone time grids, non-symmetric or singular
//! metrics, empty ensembles, struct literals that bypass a constructor). Each case runs in its own
//! process (this binary re-invoked as `census --case N`) under a wall-clock timeout and an
//! address-space limit (`ulimit -v`), so a panic, an allocation abort or a hang is observed as such
//! and cannot take the census (or the machine) down. Outcomes:
//!
//! - `error+value`: a typed error whose `Debug` form carries a number (the offending value);
//! - `error`: a typed error carrying only names or fixed text;
//! - `ok`: `Ok` with every number finite and the documented invariant checked by the case;
//! - `silent`: `Ok` with a non-finite or wrong number, or a bad input accepted;
//! - `panic`, `abort` (signal, e.g. allocation failure), `hang` (timeout).
//!
//! The table is printed and written to `target/census/census.md` and `census.json`, with every
//! case that is not `error+value` or `ok` listed.

use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod cases;

use cases::cases;

/// Arguments of `cargo xtask census`.
#[derive(Debug, clap::Args)]
pub struct CensusArgs {
    /// Run one case in this process (used by the census itself).
    #[arg(long, hide = true)]
    pub case: Option<usize>,
    /// Wall-clock limit per case, in seconds.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Address-space limit per case, in MiB.
    #[arg(long, default_value_t = 4096)]
    pub memory_mib: u64,
    /// Cases run at the same time.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Only cases whose name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
}

/// What a case's call returned, judged by the case.
#[derive(Debug)]
pub enum Verdict {
    /// `Ok`, every number finite, the invariant held.
    Clean,
    /// `Ok` but wrong: the reason.
    Silent(String),
}

/// A case: `Err(debug)` is a typed error, `Ok(verdict)` the judged success.
pub type CaseResult = Result<Verdict, String>;

/// One census case.
pub struct Case {
    /// Leaf crate.
    pub krate: &'static str,
    /// Call and input.
    pub name: String,
    /// A known issue owned elsewhere (listed, not fixed here).
    pub known: Option<&'static str>,
    /// The call.
    pub run: Box<dyn Fn() -> CaseResult>,
}

const CLASSES: [&str; 7] = ["error+value", "error", "ok", "silent", "panic", "abort", "hang"];

/// Whether a typed error's `Debug` text carries a value: a digit, NaN or inf outside string literals.
fn carries_value(debug: &str) -> bool {
    let mut out = String::new();
    let mut in_str = false;
    let mut prev = ' ';
    for c in debug.chars() {
        if c == '"' && prev != '\\' {
            in_str = !in_str;
        } else if !in_str {
            out.push(c);
        }
        prev = c;
    }
    out.chars().any(|c| c.is_ascii_digit()) || out.contains("NaN") || out.contains("inf")
}

/// Entry point of `cargo xtask census`.
pub fn census(args: CensusArgs) -> ExitCode {
    let all = cases();
    if let Some(i) = args.case {
        return run_one(&all, i);
    }
    let selected: Vec<usize> = (0..all.len())
        .filter(|&i| {
            args.filter
                .as_ref()
                .is_none_or(|f| all[i].name.contains(f.as_str()))
        })
        .collect();
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find this executable: {e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let outcomes = run_all(&exe, &selected, &args);
    let rows: Vec<Row> = selected
        .iter()
        .zip(outcomes)
        .map(|(&i, (class, detail))| Row {
            id: i,
            krate: all[i].krate,
            name: all[i].name.clone(),
            known: all[i].known,
            class,
            detail,
        })
        .collect();
    let md = render(&rows, start.elapsed());
    print!("{md}");
    if let Err(e) = write_report(&md, &rows) {
        eprintln!("error: cannot write target/census: {e}");
        return ExitCode::from(2);
    }
    let bad = rows
        .iter()
        .filter(|r| !clean(r.class) && r.known.is_none())
        .count();
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn clean(class: &str) -> bool {
    class == "error+value" || class == "ok"
}

/// In the child: run case `i` and print its outcome on one line.
fn run_one(all: &[Case], i: usize) -> ExitCode {
    let Some(c) = all.get(i) else {
        eprintln!("error: no case {i}");
        return ExitCode::from(2);
    };
    let (class, detail) = match (c.run)() {
        Err(e) if carries_value(&e) => ("error+value", e),
        Err(e) => ("error", e),
        Ok(Verdict::Clean) => ("ok", String::new()),
        Ok(Verdict::Silent(s)) => ("silent", s),
    };
    println!("CENSUS|{class}|{}", detail.replace('\n', " "));
    ExitCode::SUCCESS
}

/// Run the selected cases, `jobs` at a time, each in its own process.
fn run_all(exe: &std::path::Path, selected: &[usize], args: &CensusArgs) -> Vec<(&'static str, String)> {
    let next = AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![("hang", String::new()); selected.len()]);
    std::thread::scope(|s| {
        for _ in 0..args.jobs.clamp(1, 16) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = selected.get(k) else { break };
                    let out = run_child(exe, i, args);
                    if let Ok(mut r) = results.lock() {
                        r[k] = out;
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// One child: `sh -c 'ulimit -v KB; exec EXE census --case I'`, killed at the timeout.
fn run_child(exe: &std::path::Path, i: usize, args: &CensusArgs) -> (&'static str, String) {
    let script = format!(
        "ulimit -v {} && exec \"$0\" census --case {i}",
        args.memory_mib * 1024
    );
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(exe)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return ("abort", format!("cannot spawn: {e}")),
    };
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let (mut out, mut err) = (String::new(), String::new());
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let Some(status) = status else {
        return ("hang", format!("no answer in {} s", args.timeout));
    };
    if let Some(line) = out.lines().find_map(|l| l.strip_prefix("CENSUS|")) {
        let (class, detail) = line.split_once('|').unwrap_or((line, ""));
        let class = CLASSES.iter().find(|c| **c == class).copied().unwrap_or("abort");
        return (class, detail.to_string());
    }
    let msg = err
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note:"))
        .collect::<Vec<_>>()
        .join(" ");
    if status.code() == Some(101) {
        ("panic", msg)
    } else {
        ("abort", format!("{status}: {msg}"))
    }
}

struct Row {
    id: usize,
    krate: &'static str,
    name: String,
    known: Option<&'static str>,
    class: &'static str,
    detail: String,
}

fn render(rows: &[Row], elapsed: Duration) -> String {
    let mut md = format!(
        "# Hostile-input census\n\n{} cases, each in its own process, in {:.1} s.\n\n| crate |",
        rows.len(),
        elapsed.as_secs_f64()
    );
    for c in CLASSES {
        md.push_str(&format!(" {c} |"));
    }
    md.push_str(" total |\n|---|");
    md.push_str(&"---:|".repeat(CLASSES.len() + 1));
    md.push('\n');
    let crates = ["nqg-thermo", "nqg-quantum", "nqg-network", "nqg-geometry"];
    for k in crates.iter().map(Some).chain([None]) {
        let sel: Vec<&Row> = rows.iter().filter(|r| k.is_none_or(|k| r.krate == *k)).collect();
        md.push_str(&format!("| {} |", k.map_or("**all**", |k| k)));
        for c in CLASSES {
            md.push_str(&format!(" {} |", sel.iter().filter(|r| r.class == c).count()));
        }
        md.push_str(&format!(" {} |\n", sel.len()));
    }
    let bad: Vec<&Row> = rows.iter().filter(|r| !clean(r.class)).collect();
    md.push_str(&format!(
        "\n## Cases that are not `error+value` or `ok` ({})\n\n",
        bad.len()
    ));
    if !bad.is_empty() {
        md.push_str("| # | crate | case | outcome | detail |\n|---:|---|---|---|---|\n");
        for r in bad {
            let mut d: String = r.detail.chars().take(160).collect();
            if let Some(k) = r.known {
                d = format!("(known, {k}) {d}");
            }
            md.push_str(&format!(
                "| {} | {} | `{}` | {} | {} |\n",
                r.id,
                r.krate,
                r.name,
                r.class,
                d.replace('|', "\\|")
            ));
        }
    }
    md
}

fn write_report(md: &str, rows: &[Row]) -> std::io::Result<()> {
    let dir = crate::workspace_root().join("target/census");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("census.md"), md)?;
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id, "crate": r.krate, "case": r.name, "outcome": r.class,
                "detail": r.detail, "known": r.known,
            })
        })
        .collect();
    let s = serde_json::to_string_pretty(&json).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("census.json"), s)?;
    eprintln!("wrote target/census/census.md and census.json");
    Ok(())
}
