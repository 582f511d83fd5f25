//! Publishing a report set as one unit.
//!
//! A report set (`report.json`, `report.md`, `figures/`) must never mix two runs, and an interrupted
//! run must leave the previous set intact and no debris. [`publish_set`] writes the new set into a
//! fresh staging directory `<parent>/.<name>.sets/<stamp>-<pid>/`, then makes `<parent>/<name>` point
//! at it by renaming a symbolic link over the old one (`rename(2)` replaces a link atomically), and
//! only then removes the previous set. A reader of `<name>/report.md` sees either the old set or the
//! new one, never a mixture. Staging directories left by runs whose process is gone are removed the
//! next time a set is published. On platforms without symbolic links the old directory is moved aside
//! and the new one renamed into place (two renames; the window between them is not atomic).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn with_path(e: io::Error, p: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", p.display()))
}

/// The directory holding the staged sets of the report directory `dir`: `<parent>/.<name>.sets`.
pub fn sets_dir(dir: &Path) -> PathBuf {
    let (parent, name) = split(dir);
    parent.join(format!(".{name}.sets"))
}

fn split(dir: &Path) -> (PathBuf, String) {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    (parent, name)
}

/// Whether the process that created a staging directory named `<stamp>-<pid>` may still be running.
fn owner_alive(name: &str) -> bool {
    let Some(pid) = name.rsplit('-').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        // Without a cheap liveness probe, keep it: debris is better than deleting a live run's set.
        true
    }
}

/// Write a report set into `dir` as one unit: `fill` writes the files into the staging directory it
/// is given and returns their paths relative to it; the set is then published atomically (see the
/// module docs). Returns the published paths under `dir`.
///
/// # Errors
/// Any I/O error, with the path in the message; on error the previous set is left in place and the
/// staging directory is removed.
pub fn publish_set<F>(dir: &Path, fill: F) -> io::Result<Vec<PathBuf>>
where
    F: FnOnce(&Path) -> io::Result<Vec<PathBuf>>,
{
    let (parent, _) = split(dir);
    fs::create_dir_all(&parent).map_err(|e| with_path(e, &parent))?;
    let sets = sets_dir(dir);
    fs::create_dir_all(&sets).map_err(|e| with_path(e, &sets))?;
    let current = fs::read_link(dir).ok();
    remove_debris(&sets, current.as_deref());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let stage_name = format!("{stamp}-{}", std::process::id());
    let stage = sets.join(&stage_name);
    fs::create_dir_all(&stage).map_err(|e| with_path(e, &stage))?;
    let files = match fill(&stage) {
        Ok(f) => f,
        Err(e) => {
            let _ = fs::remove_dir_all(&stage);
            return Err(e);
        }
    };
    if let Err(e) = swap_in(dir, &sets, &stage_name) {
        let _ = fs::remove_dir_all(&stage);
        return Err(e);
    }
    // The previous set is no longer reachable through `dir`: remove it.
    if let Some(old) = current {
        let old = if old.is_absolute() {
            old
        } else {
            dir.parent().unwrap_or(Path::new(".")).join(old)
        };
        if old.starts_with(&sets) || old.parent() == Some(sets.as_path()) {
            let _ = fs::remove_dir_all(&old);
        }
    }
    remove_debris(&sets, fs::read_link(dir).ok().as_deref());
    Ok(files.into_iter().map(|f| dir.join(f)).collect())
}

/// Remove every staging directory except the one `current` points at and those of live runs.
fn remove_debris(sets: &Path, current: Option<&Path>) {
    let keep = current.and_then(|c| c.file_name()).map(|n| n.to_os_string());
    let Ok(entries) = fs::read_dir(sets) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        if Some(&name) == keep.as_ref() {
            continue;
        }
        let name = name.to_string_lossy().into_owned();
        if name.starts_with('.') || !owner_alive(&name) || name.ends_with(".old") {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(unix)]
fn swap_in(dir: &Path, sets: &Path, stage_name: &str) -> io::Result<()> {
    let (parent, name) = split(dir);
    // A relative link target keeps the set valid if the tree is moved.
    let sets_name = sets.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    let target = Path::new(&sets_name).join(stage_name);
    let link = parent.join(format!(".{name}.link-{}", std::process::id()));
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).map_err(|e| with_path(e, &link))?;
    // A real directory from an older layout cannot be replaced by a rename: move it aside first.
    if let Ok(meta) = fs::symlink_metadata(dir)
        && meta.is_dir()
    {
        let aside = sets.join(format!("{stage_name}.old"));
        fs::rename(dir, &aside).map_err(|e| with_path(e, dir))?;
        let _ = fs::remove_dir_all(&aside);
    }
    fs::rename(&link, dir).map_err(|e| {
        let _ = fs::remove_file(&link);
        with_path(e, dir)
    })
}

#[cfg(not(unix))]
fn swap_in(dir: &Path, sets: &Path, stage_name: &str) -> io::Result<()> {
    let stage = sets.join(stage_name);
    if dir.exists() {
        let aside = sets.join(format!("{stage_name}.old"));
        fs::rename(dir, &aside).map_err(|e| with_path(e, dir))?;
        let _ = fs::remove_dir_all(&aside);
    }
    fs::rename(&stage, dir).map_err(|e| with_path(e, dir))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn fill_with(text: &'static str) -> impl FnOnce(&Path) -> io::Result<Vec<PathBuf>> {
        move |stage: &Path| {
            fs::write(stage.join("report.md"), text)?;
            fs::create_dir_all(stage.join("figures"))?;
            fs::write(stage.join("figures").join(format!("{text}.svg")), text)?;
            Ok(vec!["report.md".into(), format!("figures/{text}.svg").into()])
        }
    }

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nqg-publish-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn second_set_replaces_the_first_entirely() {
        let root = tmp("replace");
        let out = root.join("verify");
        publish_set(&out, fill_with("one")).unwrap();
        let files = publish_set(&out, fill_with("two")).unwrap();
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "two");
        assert!(out.join("figures/two.svg").exists());
        assert!(!out.join("figures/one.svg").exists(), "stale figure survived");
        assert_eq!(files[0], out.join("report.md"));
        // Exactly one staged set remains, and no link or temp debris beside `verify`.
        assert_eq!(fs::read_dir(sets_dir(&out)).unwrap().count(), 1);
        let names: Vec<String> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_failed_fill_leaves_the_previous_set_and_no_debris() {
        let root = tmp("fail");
        let out = root.join("verify");
        publish_set(&out, fill_with("one")).unwrap();
        let err = publish_set(&out, |stage: &Path| {
            fs::write(stage.join("report.md"), "half")?;
            Err(io::Error::other("interrupted"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("interrupted"));
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "one");
        assert_eq!(fs::read_dir(sets_dir(&out)).unwrap().count(), 1);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_interrupted_runs_staging_directory_is_removed_and_an_old_real_directory_replaced() {
        let root = tmp("debris");
        let out = root.join("verify");
        // The layout before report sets: a real directory with a stale figure.
        fs::create_dir_all(out.join("figures")).unwrap();
        fs::write(out.join("figures/stale.svg"), "x").unwrap();
        // A staging directory of a process that no longer exists (pid 0 is never a user process).
        let dead = sets_dir(&out).join("123-0");
        fs::create_dir_all(&dead).unwrap();
        publish_set(&out, fill_with("new")).unwrap();
        assert!(!dead.exists());
        assert!(!out.join("figures/stale.svg").exists());
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "new");
        assert_eq!(fs::read_dir(sets_dir(&out)).unwrap().count(), 1);
        fs::remove_dir_all(&root).unwrap();
    }
}
