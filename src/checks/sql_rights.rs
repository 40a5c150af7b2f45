//! What the login may read. SQL Server hides rows a login may not see instead of refusing the
//! read (`sys.databases` without VIEW ANY DATABASE, `sys.master_files` without VIEW ANY
//! DEFINITION, `OBJECT_ID` on a table the login has no right on), so "no rows" alone cannot
//! tell "nothing there" from "not shown to you". The checks read these rights first and say
//! "could not read" instead of "never backed up" or "no such job".
//!
//! Sources: HAS_PERMS_BY_NAME (1 held, 0 not held, NULL when the class or permission is not
//! valid; three-part names for schema objects)
//! <https://learn.microsoft.com/sql/t-sql/functions/has-perms-by-name-transact-sql>; VIEW ANY
//! DATABASE and the rows of sys.databases
//! <https://learn.microsoft.com/previous-versions/sql/sql-server-2008/ms189077(v=sql.100)>;
//! sys.master_files (CREATE DATABASE, ALTER ANY DATABASE or VIEW ANY DEFINITION)
//! <https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-master-files-transact-sql>;
//! sys.dm_os_volume_stats (VIEW SERVER STATE)
//! <https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-os-volume-stats-transact-sql>.

use super::sql::{Cell, Row};

/// One right a read needs, as the rights query names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Every row of `sys.databases`.
    ViewAnyDatabase,
    /// Every row of `sys.master_files` (ALTER ANY DATABASE gives it too).
    ViewAnyDefinition,
    /// `sys.dm_os_volume_stats`.
    ViewServerState,
    /// SELECT on `msdb.dbo.backupset` (the backup history).
    MsdbBackupset,
    /// SELECT on `msdb.dbo.sysjobs`.
    MsdbSysjobs,
    /// SELECT on `msdb.dbo.sysjobhistory`.
    MsdbSysjobhistory,
    /// SELECT on `msdb.dbo.sysmail_profile`.
    MsdbSysmailProfile,
}

impl Right {
    /// Every right, in the order of the query's columns (after `is_sysadmin`).
    pub const ALL: [Right; 7] = [
        Right::ViewAnyDatabase,
        Right::ViewAnyDefinition,
        Right::ViewServerState,
        Right::MsdbBackupset,
        Right::MsdbSysjobs,
        Right::MsdbSysjobhistory,
        Right::MsdbSysmailProfile,
    ];

    /// The right as an administrator grants it.
    pub fn name(self) -> &'static str {
        match self {
            Right::ViewAnyDatabase => "VIEW ANY DATABASE",
            Right::ViewAnyDefinition => "VIEW ANY DEFINITION (or ALTER ANY DATABASE)",
            Right::ViewServerState => "VIEW SERVER STATE",
            Right::MsdbBackupset => "SELECT on msdb.dbo.backupset",
            Right::MsdbSysjobs => "SELECT on msdb.dbo.sysjobs",
            Right::MsdbSysjobhistory => "SELECT on msdb.dbo.sysjobhistory",
            Right::MsdbSysmailProfile => "SELECT on msdb.dbo.sysmail_profile",
        }
    }

    /// The query's expression for it.
    fn expression(self) -> &'static str {
        match self {
            Right::ViewAnyDatabase => "HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW ANY DATABASE')",
            Right::ViewAnyDefinition => {
                "CASE WHEN HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW ANY DEFINITION') = 1 \
                 OR HAS_PERMS_BY_NAME(NULL, NULL, N'ALTER ANY DATABASE') = 1 THEN 1 ELSE 0 END"
            }
            Right::ViewServerState => "HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW SERVER STATE')",
            Right::MsdbBackupset => "HAS_PERMS_BY_NAME(N'msdb.dbo.backupset', N'OBJECT', N'SELECT')",
            Right::MsdbSysjobs => "HAS_PERMS_BY_NAME(N'msdb.dbo.sysjobs', N'OBJECT', N'SELECT')",
            Right::MsdbSysjobhistory => "HAS_PERMS_BY_NAME(N'msdb.dbo.sysjobhistory', N'OBJECT', N'SELECT')",
            Right::MsdbSysmailProfile => "HAS_PERMS_BY_NAME(N'msdb.dbo.sysmail_profile', N'OBJECT', N'SELECT')",
        }
    }

    /// The query's column for it.
    fn column(self) -> &'static str {
        match self {
            Right::ViewAnyDatabase => "view_any_database",
            Right::ViewAnyDefinition => "view_any_definition",
            Right::ViewServerState => "view_server_state",
            Right::MsdbBackupset => "msdb_backupset",
            Right::MsdbSysjobs => "msdb_sysjobs",
            Right::MsdbSysjobhistory => "msdb_sysjobhistory",
            Right::MsdbSysmailProfile => "msdb_sysmail_profile",
        }
    }
}

/// The one query that reads whether the login is sysadmin and holds each [`Right`].
pub fn query() -> String {
    let mut columns = vec!["CAST(IS_SRVROLEMEMBER(N'sysadmin') AS int) AS is_sysadmin".to_string()];
    columns.extend(Right::ALL.iter().map(|r| format!("CAST({} AS int) AS {}", r.expression(), r.column())));
    format!("SELECT {}", columns.join(", "))
}

/// Whether the login may see a database's tables: `HAS_PERMS_BY_NAME` on the database.
pub fn view_definition_query(database: Option<&str>) -> String {
    let name = database.map_or("NULL".to_string(), super::sql_probes::queries::literal);
    format!("SELECT CAST(HAS_PERMS_BY_NAME({name}, N'DATABASE', N'VIEW DEFINITION') AS int) AS view_definition")
}

/// The rights the query returned: `None` for a right the server did not answer (NULL, or no
/// row at all), which counts as not held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rights {
    /// Whether the login is in the sysadmin role (`None`: not answered).
    pub sysadmin: Option<bool>,
    held: Vec<(Right, Option<bool>)>,
}

impl Rights {
    /// The rights from the query's row; an empty answer holds nothing.
    pub fn from_rows(rows: &[Row]) -> Self {
        let Some(row) = rows.first() else { return Rights::default() };
        let flag = |i: usize| match row.get(i) {
            Some(Cell::Int(n)) => Some(*n == 1),
            _ => None,
        };
        Rights { sysadmin: flag(0), held: Right::ALL.iter().enumerate().map(|(i, r)| (*r, flag(i + 1))).collect() }
    }

    /// Every right held (a test's or a sysadmin's).
    pub fn all() -> Self {
        Rights { sysadmin: Some(true), held: Right::ALL.iter().map(|r| (*r, Some(true))).collect() }
    }

    /// Whether the login holds `right` (an unanswered right is not held).
    pub fn holds(&self, right: Right) -> bool {
        self.held.iter().any(|(r, h)| *r == right && *h == Some(true))
    }

    /// The reason a read that needs `needs` cannot be trusted, naming each right not held and
    /// what its absence would have made the check say; `None` when every right is held.
    pub fn lacking(&self, needs: &[Right], would_read_as: &str) -> Option<String> {
        let missing: Vec<&str> = needs.iter().filter(|r| !self.holds(**r)).map(|r| r.name()).collect();
        if missing.is_empty() {
            return None;
        }
        Some(format!(
            "could not read: the login lacks {} (HAS_PERMS_BY_NAME did not say 1), so SQL Server may hide rows and {would_read_as} could not be told from a read it was not allowed; grant the right or run the check as a sysadmin",
            missing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rights_query_passes_the_read_only_guard_and_names_every_right() {
        let sql = query();
        assert_eq!(crate::checks::sql_guard::check(&sql), Ok(()), "{sql}");
        for r in Right::ALL {
            assert!(sql.contains(r.column()), "{sql}");
        }
        assert_eq!(crate::checks::sql_guard::check(&view_definition_query(Some("BAMPrimaryImport"))), Ok(()));
        assert!(view_definition_query(None).contains("HAS_PERMS_BY_NAME(NULL, N'DATABASE'"));
    }

    #[test]
    fn a_right_not_answered_or_answered_zero_is_not_held() {
        let row = vec![vec![Cell::Int(0), Cell::Int(1), Cell::Null, Cell::Int(1), Cell::Int(0), Cell::Int(1)]];
        let rights = Rights::from_rows(&row);
        assert_eq!(rights.sysadmin, Some(false));
        assert!(rights.holds(Right::ViewAnyDatabase));
        assert!(!rights.holds(Right::ViewAnyDefinition), "NULL is not held");
        assert!(!rights.holds(Right::MsdbBackupset), "0 is not held");
        assert!(!rights.holds(Right::MsdbSysmailProfile), "a missing column is not held");
        let why = rights.lacking(&[Right::ViewAnyDatabase, Right::MsdbBackupset], "\"never backed up\"").unwrap();
        assert!(why.contains("SELECT on msdb.dbo.backupset") && !why.contains("VIEW ANY DATABASE"), "{why}");
        assert!(Rights::from_rows(&[]).lacking(&[Right::ViewServerState], "x").is_some());
        assert_eq!(Rights::all().lacking(&Right::ALL, "x"), None);
    }
}
