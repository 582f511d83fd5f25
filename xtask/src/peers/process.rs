//! One peer: a Python script of `bench/peers/` speaking the line protocol of `bench/peers/common.py`,
//! with a time limit on every answer (a peer that does not answer in time is killed).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use serde_json::Value;

/// What a peer said (or did not say) in reply to a request.
pub enum Reply {
    /// A JSON object.
    Json(Value),
    /// No answer within the limit (the process was killed).
    Timeout,
    /// The process ended without answering (its last stderr lines).
    Died(String),
}

/// A running peer process.
pub struct PeerProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl PeerProcess {
    /// Start `python script case peer` in `dir` (stdout: JSON lines; stderr kept for diagnostics).
    pub fn spawn(python: &Path, dir: &Path, script: &str, case: &str, peer: &str) -> Result<Self, String> {
        let mut child = Command::new(python)
            .arg(script)
            .arg(case)
            .arg(peer)
            .current_dir(dir)
            .env("PYTHONUNBUFFERED", "1")
            .env("TQDM_DISABLE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let err_lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = err_lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut v) = sink.lock() {
                    v.push(line);
                    if v.len() > 20 {
                        v.remove(0);
                    }
                }
            }
        });
        Ok(Self {
            stdin: child.stdin.take(),
            child,
            lines: rx,
            stderr: err_lines,
        })
    }

    /// Wait up to `limit` for the next JSON line.
    pub fn read(&mut self, limit: Duration) -> Reply {
        loop {
            match self.lines.recv_timeout(limit) {
                Ok(line) => {
                    if let Ok(v) = serde_json::from_str::<Value>(&line) {
                        return Reply::Json(v);
                    }
                    // Not protocol output (a library printing on stdout): skip it.
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    return Reply::Timeout;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = self.child.wait();
                    let tail = self.stderr.lock().map(|v| v.join("\n")).unwrap_or_default();
                    return Reply::Died(tail);
                }
            }
        }
    }

    /// Ask for one run and wait up to `limit` for its result.
    pub fn run_once(&mut self, limit: Duration) -> Reply {
        let sent = self
            .stdin
            .as_mut()
            .map(|s| s.write_all(b"run\n").and_then(|()| s.flush()).is_ok())
            .unwrap_or(false);
        if !sent {
            return Reply::Died("stdin closed".into());
        }
        self.read(limit)
    }

    /// Ask the peer to quit and reap it (killed if it does not stop within 10 s).
    pub fn finish(mut self) {
        if let Some(mut s) = self.stdin.take() {
            let _ = s.write_all(b"quit\n");
        }
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
