//! `cargo xtask peers`: every benchmark case of docs/benchmarks.md, run in nqg (in-process, release,
//! public APIs) and in each Python peer (`bench/peers/*.py` in the cached venv of
//! `bench/peers/requirements.lock`), alternating nqg and peer repetitions; preparation (jit compile,
//! symbolic derivation, factorisation, planning) timed apart from run time; every side's accuracy
//! measured against the same closed form ([`cases`]). Writes `docs/benchmarks.md` and
//! `docs/benchmarks.json`. Not part of `.ci/run` (it needs PyPI once and ~30 minutes).

mod cases;
mod nqg;
mod process;
mod report;
mod venv;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use process::{PeerProcess, Reply};
use serde_json::Value;

pub use report::{Side, Status};

/// Options of `cargo xtask peers`.
#[derive(Debug, clap::Args)]
pub struct PeersArgs {
    /// Only this case (repeatable), e.g. `--case ou_ensemble`.
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,
    /// Repetitions per side (median and spread reported; slow peers may do fewer).
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Threads nqg uses where it runs in parallel (the JAX peers use every core).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Seconds a peer may take to prepare or to answer one run before it is reported "> limit".
    #[arg(long, default_value_t = 180)]
    limit: u64,
    /// Skip the Python peers (nqg side only).
    #[arg(long)]
    no_peers: bool,
    /// Output directory for benchmarks.md and benchmarks.json (default: docs/).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One case's results.
pub struct CaseResult {
    /// The case.
    pub case: cases::Case,
    /// nqg.
    pub nqg: Side,
    /// The peers, in the order of the case table.
    pub peers: Vec<Side>,
}

/// Entry point.
pub fn run(args: PeersArgs, root: &Path) -> ExitCode {
    let all = cases::all();
    let unknown: Vec<&String> = args
        .cases
        .iter()
        .filter(|c| !all.iter().any(|k| k.name == c.as_str()))
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = all.iter().map(|c| c.name).collect();
        eprintln!("peers: unknown case(s) {unknown:?}; cases: {}", names.join(", "));
        return ExitCode::from(2);
    }
    let reps = args.reps.max(1);
    let started = report::now();
    let load_start = report::loadavg();
    let python = if args.no_peers {
        Err("the Python peers were skipped (--no-peers)".to_string())
    } else {
        venv::ensure(root)
    };
    if let Err(e) = &python {
        eprintln!("peers: PYTHON PEERS UNAVAILABLE: {e}\npeers: running the nqg side only");
    }
    // The global rayon pool: every parallel nqg call of this process runs on `--threads` threads.
    if let Err(e) = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.max(1))
        .build_global()
    {
        eprintln!("peers: cannot build the thread pool: {e}");
        return ExitCode::from(2);
    }
    let limit = Duration::from_secs(args.limit.max(1));
    let mut results = Vec::new();
    for case in all {
        if !args.cases.is_empty() && !args.cases.iter().any(|c| c == case.name) {
            continue;
        }
        eprintln!("peers: case {}", case.name);
        let r = run_case(
            case,
            root,
            python.as_ref().ok().map(PathBuf::as_path),
            python.as_ref().err(),
            reps,
            args.threads,
            limit,
        );
        results.push(r);
    }
    let mut command = format!("cargo xtask peers --reps {reps} --threads {}", args.threads);
    for c in &args.cases {
        command.push_str(&format!(" --case {c}"));
    }
    let machine = report::machine(
        &command,
        &python,
        &started,
        load_start,
        args.threads,
        reps,
        args.limit,
    );
    let out = args.out.clone().unwrap_or_else(|| root.join("docs"));
    match report::write(&out, &machine, &results) {
        Ok(()) => {
            eprintln!("peers: wrote {}/benchmarks.md and benchmarks.json", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("peers: cannot write the report: {e}");
            ExitCode::from(2)
        }
    }
}

/// A started peer and its side of the results.
struct Live {
    proc: Option<PeerProcess>,
    side: Side,
    max_reps: usize,
    error_of: fn(&Value) -> Result<cases::Measured, String>,
}

fn run_case(
    case: cases::Case,
    root: &Path,
    python: Option<&Path>,
    why_not: Option<&String>,
    reps: usize,
    threads: usize,
    limit: Duration,
) -> CaseResult {
    // nqg preparation.
    let t0 = Instant::now();
    let prepared = (case.nqg)(threads);
    let mut nqg_side = Side::new("nqg");
    nqg_side.version = format!("nqg {}", env!("CARGO_PKG_VERSION"));
    let mut nqg_case = match prepared {
        Ok(c) => {
            nqg_side.prepare = Some(t0.elapsed().as_secs_f64());
            nqg_side.setting = c.setting.clone();
            nqg_side.threads = c.threads.to_string();
            Some(c)
        }
        Err(e) => {
            nqg_side.status = if e == cases::NOT_YET {
                Status::NotYet
            } else {
                Status::Failed(e)
            };
            None
        }
    };
    // Peers: start one at a time (each prepares alone), keep them alive for the alternation.
    let mut live: Vec<Live> = Vec::new();
    for &peer in case.peers {
        let mut side = Side::new(peer);
        let Some(py) = python else {
            side.status = Status::Unavailable(why_not.cloned().unwrap_or_default());
            live.push(Live {
                proc: None,
                side,
                max_reps: 0,
                error_of: case.peer_error,
            });
            continue;
        };
        eprintln!("peers:   preparing {peer}");
        let (proc, max_reps) = start_peer(py, root, &case, peer, limit, &mut side);
        live.push(Live {
            proc,
            side,
            max_reps: max_reps.min(reps),
            error_of: case.peer_error,
        });
    }
    for rep in 0..reps {
        if let Some(c) = nqg_case.as_mut() {
            let t = Instant::now();
            match (c.run)() {
                // The case's own time: the run minus its diagnostics (`Measured::with_untimed`).
                Ok(m) => nqg_side.push((t.elapsed().as_secs_f64() - m.untimed).max(0.0), m),
                Err(e) => {
                    nqg_side.status = Status::Failed(e);
                    nqg_case = None;
                }
            }
        }
        for l in live.iter_mut() {
            if rep >= l.max_reps {
                continue;
            }
            let Some(p) = l.proc.as_mut() else { continue };
            match p.run_once(limit) {
                Reply::Json(v) => peer_reply(l, &v),
                Reply::Timeout => {
                    l.side.status = Status::Limit(limit.as_secs_f64(), "run");
                    l.proc = None;
                }
                Reply::Died(tail) => {
                    l.side.status = Status::Failed(format!("the peer died: {tail}"));
                    l.proc = None;
                }
            }
        }
    }
    let peers = live
        .into_iter()
        .map(|mut l| {
            if let Some(p) = l.proc.take() {
                p.finish();
            }
            l.side
        })
        .collect();
    CaseResult {
        case,
        nqg: nqg_side,
        peers,
    }
}

fn peer_reply(l: &mut Live, v: &Value) {
    if let Some(f) = v.get("failed").and_then(Value::as_str) {
        l.side.status = Status::Failed(f.to_string());
        l.proc = None;
        return;
    }
    let secs = v.get("seconds").and_then(Value::as_f64).unwrap_or(f64::NAN);
    match (l.error_of)(v) {
        Ok(m) => l.side.push(secs, m),
        Err(e) => {
            l.side.status = Status::Failed(e);
            l.proc = None;
        }
    }
}

/// Start a peer and wait for its ready line (the preparation, limited); returns the process and how
/// many repetitions it asks for at most.
fn start_peer(
    py: &Path,
    root: &Path,
    case: &cases::Case,
    peer: &str,
    limit: Duration,
    side: &mut Side,
) -> (Option<PeerProcess>, usize) {
    let dir = root.join("bench").join("peers");
    let mut p = match PeerProcess::spawn(py, &dir, case.script, case.name, peer) {
        Ok(p) => p,
        Err(e) => {
            side.status = Status::Unavailable(e);
            return (None, 0);
        }
    };
    let t0 = Instant::now();
    match p.read(limit) {
        Reply::Json(v) => {
            if let Some(u) = v.get("unavailable").and_then(Value::as_str) {
                side.status = Status::Unavailable(u.to_string());
                p.finish();
                return (None, 0);
            }
            if let Some(f) = v.get("failed").and_then(Value::as_str) {
                side.status = Status::Failed(f.to_string());
                p.finish();
                return (None, 0);
            }
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            side.version = s("version");
            side.threads = s("threads");
            side.setting = s("setting");
            side.prepare = v
                .get("prepare_seconds")
                .and_then(Value::as_f64)
                .or(Some(t0.elapsed().as_secs_f64()));
            let max = v
                .get("max_reps")
                .and_then(Value::as_u64)
                .map_or(usize::MAX, |m| m as usize);
            (Some(p), max)
        }
        Reply::Timeout => {
            side.status = Status::Limit(limit.as_secs_f64(), "preparation");
            (None, 0)
        }
        Reply::Died(tail) => {
            side.status = Status::Failed(format!("the peer died while preparing: {tail}"));
            (None, 0)
        }
    }
}

#[cfg(test)]
mod tests;
