//! The theory map (`docs/theory-map.md`), generated from the registry: thesis → check → THEORY.md id
//! → role → code. A freshness test in `nqg-claims` keeps the committed file equal to this output, so
//! no registered check can be missing from it.

use std::fmt::Write as _;

use crate::registry::Registry;

/// Render the theory map. `code_path(claim_id)` names the file that holds a claim's checks.
pub fn theory_map(reg: &Registry, code_path: &dyn Fn(&str) -> String) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut md = String::new();
    let _ = writeln!(md, "# Theory map: claim → THEORY.md id → check → code\n");
    let _ = writeln!(
        md,
        "Generated from the registry by `cargo xtask theory-map`; a test fails when this file is stale. \
         Roles and stakes as in THEORY.md §3.7: solver and identity checks must hold, premises and \
         end-to-end tests are predictions (so is every THEORY.md criterion, whatever its role).\n"
    );
    let _ = writeln!(md, "## The six claims of the abstract\n");
    for t in reg.theses() {
        let _ = writeln!(md, "### {}. {}\n", t.number, t.statement);
        if t.checks.is_empty() {
            let _ = writeln!(md, "No check bears on it yet.\n");
            continue;
        }
        let _ = writeln!(md, "| check | THEORY | role | stakes |");
        let _ = writeln!(md, "|---|---|---|---|");
        for id in &t.checks {
            if let Some(c) = reg.find(id) {
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} |",
                    c.id,
                    if c.theory.is_empty() { "-" } else { c.theory },
                    c.role,
                    stakes(c.stakes)
                );
            }
        }
        md.push('\n');
    }
    let _ = writeln!(md, "## Every check, by claim\n");
    for claim in reg.claims() {
        let _ = writeln!(
            md,
            "### `{}` {}\n\n{}\n\nCode: `{}`\n",
            claim.id,
            claim.provenance,
            esc(claim.statement),
            code_path(claim.id)
        );
        let _ = writeln!(md, "| check | THEORY | role | stakes | statement |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for c in &claim.checks {
            let refines = c.refines.map(|r| format!(" (refines `{r}`)")).unwrap_or_default();
            let _ = writeln!(
                md,
                "| `{}`{} | {} | {} | {} | {} |",
                c.id,
                refines,
                if c.theory.is_empty() { "-" } else { c.theory },
                c.role,
                stakes(c.stakes),
                esc(c.statement)
            );
        }
        md.push('\n');
    }
    md
}

fn stakes(s: crate::Stakes) -> &'static str {
    match s {
        crate::Stakes::MustHold => "must hold",
        crate::Stakes::Prediction => "prediction",
    }
}
