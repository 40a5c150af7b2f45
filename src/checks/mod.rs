//! Live checks, read-only, against SQL Server and the local machine. Groundwork so far: the
//! guard every SQL text passes and the parsers of the Windows tools' output.

pub mod sql_guard;
pub mod windows_tools;
