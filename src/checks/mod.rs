//! Live checks, read-only, against SQL Server and the local machine: the specs come from the
//! knowledge base, the probes here read (never write), and the runner turns every outcome,
//! including a timeout or a panic, into a [`CheckResult`].

pub mod local;
pub mod result;
pub mod runner;
pub mod sql;
pub mod sql_backups;
pub mod sql_guard;
pub mod sql_probes;
pub mod sql_rights;
pub mod windows_tools;

pub use result::{CheckResult, Completeness, Outcome, Status, Summary, UnknownReason, Verdict};
pub use runner::{RunEvent, RunOptions};
pub use sql::SqlTarget;
