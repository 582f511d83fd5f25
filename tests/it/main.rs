//! The one integration-test binary of the workspace: cross-crate checks, the verify spine end to end,
//! and `tidy` (project rules enforced as tests, as rust-analyzer does).

mod spine;
mod tidy;
