//! bts-doctor: an offline assistant for upgrading Microsoft BizTalk Server 2013 / 2013 R2 to
//! 2016. The core (`kb`, `matcher`, `logs`, `report`) returns data and never prints; `cli` and
//! `tui` present it.

#![warn(missing_docs)]

pub mod atomic;
pub mod checks;
pub mod cli;
pub mod guide;
pub mod hash;
pub mod input;
pub mod kb;
pub mod logs;
pub mod matcher;
pub mod report;
pub mod text;
pub mod tui;
pub mod walk;

/// Process exit codes shared by every subcommand.
pub mod exit {
    /// Nothing found, or all passed.
    pub const OK: u8 = 0;
    /// Findings, or failed checks (for `match`: no medium-or-high match).
    pub const FOUND: u8 = 1;
    /// Usage, input or knowledge-base error; a message is on stderr.
    pub const USAGE: u8 = 2;
    /// Internal error (a bug).
    pub const INTERNAL: u8 = 3;
    /// Incomplete: nothing failed, but something asked for could not be evaluated.
    pub const INCOMPLETE: u8 = 4;
}

/// Version of every JSON document the tool prints.
pub const JSON_SCHEMA: u32 = 1;
