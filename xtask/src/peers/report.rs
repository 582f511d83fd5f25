//! The results of `cargo xtask peers`: per-side statistics and the two outputs, docs/benchmarks.md
//! (machine, versions, command, a verdict per case, the table) and docs/benchmarks.json
//! (`{"machine": {...}, "cases": [{"case", "peer", "nqg_seconds", "peer_seconds", "ratio",
//! "nqg_error", "peer_error"}]}`, the best peer of each case first).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::CaseResult;
use super::cases::Measured;

/// How a side ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Ran every repetition it was asked for.
    Ok,
    /// Could not run (Python or a package missing): what is missing.
    Unavailable(String),
    /// Failed: the message.
    Failed(String),
    /// Exceeded the time limit (seconds) in preparation or in a run.
    Limit(f64, &'static str),
    /// The nqg side is not written yet.
    NotYet,
}

/// One side (nqg or a peer) of a case.
#[derive(Debug, Clone)]
pub struct Side {
    /// `nqg` or the peer's name.
    pub name: String,
    /// Versions.
    pub version: String,
    /// Threads used.
    pub threads: String,
    /// Method and settings.
    pub setting: String,
    /// Preparation seconds (compile, derivation, factorisation), apart from the runs.
    pub prepare: Option<f64>,
    /// Run seconds, one per repetition.
    pub times: Vec<f64>,
    /// Errors, one per repetition.
    pub errors: Vec<f64>,
    /// Extras, one list per repetition.
    pub extras: Vec<Vec<(String, f64)>>,
    /// Outcome.
    pub status: Status,
}

impl Side {
    /// An empty side.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            version: String::new(),
            threads: String::new(),
            setting: String::new(),
            prepare: None,
            times: Vec::new(),
            errors: Vec::new(),
            extras: Vec::new(),
            status: Status::Ok,
        }
    }
    /// Record one repetition.
    pub fn push(&mut self, secs: f64, m: Measured) {
        self.times.push(secs);
        self.errors.push(m.error);
        self.extras.push(m.extra);
    }
    /// Median run time, if any repetition finished.
    pub fn median(&self) -> Option<f64> {
        median(&self.times)
    }
    /// Median error.
    pub fn error(&self) -> Option<f64> {
        median(&self.errors)
    }
    fn extra_medians(&self) -> Vec<(String, f64)> {
        let Some(first) = self.extras.first() else {
            return Vec::new();
        };
        first
            .iter()
            .enumerate()
            .filter_map(|(i, (k, _))| {
                let v: Vec<f64> = self.extras.iter().filter_map(|e| e.get(i).map(|p| p.1)).collect();
                median(&v).map(|m| (k.clone(), m))
            })
            .collect()
    }
}

fn median(v: &[f64]) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    })
}

/// The current time (RFC 3339, UTC).
pub fn now() -> String {
    nqg_claims::report::now_rfc3339()
}

/// The 1-minute load average (the machine may be shared).
pub fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn command_out(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Machine facts.
pub fn machine(
    command: &str,
    python: &Result<PathBuf, String>,
    started: &str,
    load_start: Option<f64>,
    threads: usize,
    reps: usize,
    limit: u64,
) -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let py = match python {
        Ok(p) => super::venv::version(p).unwrap_or_default(),
        Err(e) => format!("unavailable: {e}"),
    };
    json!({
        "cpu": cpu,
        "cores": cores,
        "os": command_out("uname", &["-sr"]),
        "rustc": command_out("rustc", &["-V"]),
        "python": py,
        "started": started,
        "finished": now(),
        "load_average_start": load_start,
        "load_average_end": loadavg(),
        "nqg_threads": threads,
        "repetitions": reps,
        "peer_limit_seconds": limit,
        "command": command,
        "venv": format!("{} from {}", super::venv::VENV, super::venv::LOCK),
    })
}

/// The available peer with the smallest median run time.
fn best(r: &CaseResult) -> Option<usize> {
    r.peers
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.median().map(|m| (i, m)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Peers in output order: the best first, then the others in table order.
fn ordered(r: &CaseResult) -> Vec<&Side> {
    let b = best(r);
    let mut v: Vec<&Side> = b.map(|i| &r.peers[i]).into_iter().collect();
    v.extend(
        r.peers
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != b)
            .map(|(_, p)| p),
    );
    v
}

fn json_cases(results: &[CaseResult]) -> Value {
    let mut rows = Vec::new();
    for r in results {
        let n = r.nqg.median();
        for p in ordered(r) {
            let ps = p.median();
            rows.push(json!({
                "case": r.case.name,
                "peer": p.name,
                "nqg_seconds": n,
                "peer_seconds": ps,
                "ratio": match (n, ps) { (Some(n), Some(p)) if n > 0.0 => Some(p / n), _ => None },
                "nqg_error": r.nqg.error(),
                "peer_error": p.error(),
            }));
        }
    }
    Value::Array(rows)
}

/// A duration for humans.
pub fn fmt_time(s: f64) -> String {
    if s < 1e-6 {
        format!("{:.3} µs", s * 1e6)
    } else if s < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn fmt_err(e: Option<f64>) -> String {
    e.map_or("—".into(), |e| format!("{e:.1e}"))
}

fn status_text(s: &Side) -> Option<String> {
    match &s.status {
        Status::Ok => None,
        Status::Unavailable(m) => Some(format!("unavailable: {m}")),
        Status::Failed(m) => Some(format!("failed: {}", m.lines().next().unwrap_or(""))),
        Status::Limit(l, what) => Some(format!("> {l:.0} s ({what} stopped at the limit)")),
        Status::NotYet => Some(super::cases::NOT_YET.trim_start_matches("nqg: ").into()),
    }
}

fn time_cell(s: &Side, per: (f64, &str)) -> String {
    match s.median() {
        Some(m) => {
            let lo = s.times.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = s.times.iter().copied().fold(0.0, f64::max);
            let per_txt = if per.0 != 1.0 {
                format!(" = {}/{}", fmt_time(m / per.0), per.1)
            } else {
                String::new()
            };
            format!(
                "{}{} ({}–{}, {} reps)",
                fmt_time(m),
                per_txt,
                fmt_time(lo),
                fmt_time(hi),
                s.times.len()
            )
        }
        None => status_text(s).unwrap_or_else(|| "—".into()),
    }
}

fn verdict(r: &CaseResult) -> String {
    let n = r.nqg.median();
    let b = best(r).map(|i| &r.peers[i]);
    match (n, b) {
        (None, _) => format!(
            "**{}**: {}.",
            r.case.name,
            status_text(&r.nqg).unwrap_or_else(|| "nqg did not run".into())
        ),
        (Some(_), None) => format!(
            "**{}**: no peer ran (see the table); nqg {}.",
            r.case.name,
            fmt_time(n.unwrap_or(0.0))
        ),
        (Some(n), Some(p)) => {
            let ratio = p.median().unwrap_or(f64::NAN) / n;
            let word = if ratio >= 1.0 {
                format!("{ratio:.2}× faster than")
            } else {
                format!("{:.2}× slower than", 1.0 / ratio)
            };
            format!(
                "**{}**: nqg is {word} the best peer, {} (nqg {} on {} thread(s), {} {} on {}); error nqg {} vs {} {}.",
                r.case.name,
                p.name,
                fmt_time(n),
                r.nqg.threads,
                p.name,
                fmt_time(p.median().unwrap_or(0.0)),
                p.threads,
                fmt_err(r.nqg.error()),
                p.name,
                fmt_err(p.error())
            )
        }
    }
}

fn markdown(machine: &Value, results: &[CaseResult]) -> String {
    let m = |k: &str| {
        machine.get(k).map_or(String::new(), |v| {
            v.as_str().map_or(v.to_string(), str::to_string)
        })
    };
    let mut s = String::new();
    let _ = writeln!(s, "# Benchmarks against the peers\n");
    let _ = writeln!(
        s,
        "Written by `{}` (see `xtask/src/peers/`; peer scripts in `bench/peers/`, pinned versions in `bench/peers/requirements.lock`). Each case runs in nqg (release, in-process, public APIs) and in each Python peer, **alternating** one nqg repetition and one repetition of each peer; the table gives the **median** run time and the spread (min–max) over the repetitions. Preparation (jit compilation with one warm-up run, symbolic derivation, factorisation, FFT planning) is timed **apart** and not in the run time, and so are the diagnostics some nqg cases time inside a repetition (the FFT pairs alone, the normals alone: extras, subtracted from the run time). Every side's accuracy is measured by the harness against the **same closed form** (the error column). `ratio` = peer time / nqg time (> 1: nqg faster).\n",
        m("command")
    );
    let _ = writeln!(
        s,
        "**The machine is shared** (several agents build and test on its 2 cores at once): the load average was {} at the start and {} at the end of this run, so absolute times are noisy and both sides are slowed alike only on average; read the ratios, and re-run on a quiet machine for absolute figures.\n",
        m("load_average_start"),
        m("load_average_end")
    );
    let _ = writeln!(s, "## Machine\n");
    for k in [
        "cpu",
        "cores",
        "os",
        "rustc",
        "python",
        "venv",
        "nqg_threads",
        "repetitions",
        "peer_limit_seconds",
        "started",
        "finished",
    ] {
        let _ = writeln!(s, "- {k}: {}", m(k));
    }
    let mut versions: Vec<String> = results
        .iter()
        .flat_map(|r| r.peers.iter().map(|p| p.version.clone()))
        .filter(|v| !v.is_empty())
        .collect();
    versions.sort();
    versions.dedup();
    let _ = writeln!(s, "- peer versions: {}\n", versions.join("; "));
    let _ = writeln!(s, "## Verdicts\n");
    for r in results {
        let _ = writeln!(s, "- {}", verdict(r));
    }
    let _ = writeln!(s, "\n## Table\n");
    let _ = writeln!(
        s,
        "| case | side | setting | threads | run time, median (spread) | preparation | ratio | error |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for r in results {
        let n = r.nqg.median();
        let row = |side: &Side, ratio: String| {
            format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.case.name,
                side.name,
                side.setting.replace('|', "/"),
                side.threads,
                time_cell(side, r.case.per),
                side.prepare.map_or("—".into(), fmt_time),
                ratio,
                fmt_err(side.error())
            )
        };
        let _ = writeln!(s, "{}", row(&r.nqg, "1".into()));
        for p in ordered(r) {
            let ratio = match (n, p.median()) {
                (Some(n), Some(pm)) => format!("{:.2}", pm / n),
                _ => "—".into(),
            };
            let _ = writeln!(s, "{}", row(p, ratio));
        }
    }
    let _ = writeln!(s, "\n## Cases, errors and extras\n");
    for r in results {
        let _ = writeln!(
            s,
            "- **{}**: {}. Error: {}.",
            r.case.name, r.case.title, r.case.error_label
        );
        for side in std::iter::once(&r.nqg).chain(r.peers.iter()) {
            let ex = side.extra_medians();
            let mut line = ex
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{k} {}",
                        if k.contains("seconds") {
                            fmt_time(*v)
                        } else {
                            format!("{v:.3e}")
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(t) = status_text(side) {
                line = if line.is_empty() {
                    t
                } else {
                    format!("{line}; {t}")
                };
            }
            if !line.is_empty() {
                let _ = writeln!(s, "  - {}: {line}", side.name);
            }
        }
    }
    s
}

/// Write benchmarks.md and benchmarks.json into `out`.
pub fn write(out: &Path, machine: &Value, results: &[CaseResult]) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let j = json!({"machine": machine, "cases": json_cases(results)});
    let text = serde_json::to_string_pretty(&j).map_err(std::io::Error::other)?;
    std::fs::write(out.join("benchmarks.json"), text + "\n")?;
    std::fs::write(out.join("benchmarks.md"), markdown(machine, results))
}
