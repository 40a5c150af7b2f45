//! A located problem in the knowledge base: the unit every loader and lint message is made of.

use serde::Serialize;
use std::fmt;

/// How serious a knowledge-base problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The knowledge base cannot be trusted until this is fixed.
    Error,
    /// Worth fixing; the knowledge base still works.
    Warning,
}

/// A problem located at `file:line:column` (line and column when known).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub level: Level,
    /// The file the problem is in.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl Problem {
    /// An error at a place.
    pub fn error(file: &str, line: Option<u64>, column: Option<u64>, message: impl Into<String>) -> Self {
        Problem { level: Level::Error, file: file.to_string(), line, column, message: message.into() }
    }

    /// A warning at a place.
    pub fn warning(file: &str, line: Option<u64>, message: impl Into<String>) -> Self {
        Problem { level: Level::Warning, file: file.to_string(), line, column: None, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, ": {level}: {}", self.message)
    }
}

/// The problems that stopped a knowledge base from loading.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.problems.iter().filter(|p| p.level == Level::Error).count();
        writeln!(f, "the knowledge base has {errors} error(s):")?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
