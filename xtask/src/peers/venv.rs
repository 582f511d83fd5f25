//! The cached Python environment of the peers: `target/peers-venv`, created once from the pinned
//! `bench/peers/requirements.lock` (re-created when the lock file changes).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The lock file, relative to the workspace root.
pub const LOCK: &str = "bench/peers/requirements.lock";

/// Where the environment lives, relative to the workspace root.
pub const VENV: &str = "target/peers-venv";

/// The interpreter used to create the environment: `$NQG_PEERS_PYTHON`, else `/usr/bin/python3`,
/// else `python3` on the PATH.
fn base_python() -> PathBuf {
    if let Ok(p) = std::env::var("NQG_PEERS_PYTHON") {
        return PathBuf::from(p);
    }
    let sys = PathBuf::from("/usr/bin/python3");
    if sys.exists() {
        sys
    } else {
        PathBuf::from("python3")
    }
}

/// `python --version` of an interpreter, or `None` if it does not run.
pub fn version(python: &Path) -> Option<String> {
    let out = Command::new(python).arg("--version").output().ok()?;
    let s = String::from_utf8_lossy(if out.stdout.is_empty() {
        &out.stderr
    } else {
        &out.stdout
    })
    .trim()
    .to_string();
    out.status.success().then_some(s)
}

/// Make sure the environment exists and matches the lock; returns its interpreter, or what is missing.
pub fn ensure(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join(VENV);
    let py = venv.join("bin").join("python");
    let lock = std::fs::read_to_string(root.join(LOCK)).map_err(|e| format!("cannot read {LOCK}: {e}"))?;
    let stamp = venv.join("nqg-lock.txt");
    if py.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) {
        return Ok(py);
    }
    let base = base_python();
    let v = version(&base).ok_or_else(|| {
        format!(
            "no Python interpreter ({}): install Python 3.11 with its venv module, or set NQG_PEERS_PYTHON",
            base.display()
        )
    })?;
    eprintln!("peers: creating {VENV} with {v} from {LOCK} (downloads a few hundred MB once)");
    let ok = Command::new(&base)
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("python -m venv failed to start: {e}"))?;
    if !ok.success() {
        return Err(format!(
            "`{} -m venv` failed (on Debian: apt-get install python3-venv)",
            base.display()
        ));
    }
    let pip = |args: &[&str]| -> Result<(), String> {
        let st = Command::new(&py)
            .args(["-m", "pip"])
            .args(args)
            .status()
            .map_err(|e| format!("pip failed to start: {e}"))?;
        if st.success() {
            Ok(())
        } else {
            Err(format!("`pip {}` failed", args.join(" ")))
        }
    };
    pip(&["install", "--quiet", "--upgrade", "pip"])?;
    let lock_path = root.join(LOCK);
    pip(&["install", "--quiet", "-r", &lock_path.to_string_lossy()])?;
    std::fs::write(&stamp, lock).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(py)
}
