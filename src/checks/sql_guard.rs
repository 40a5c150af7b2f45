//! The one gate every SQL text passes before it can reach a server: a single read-only
//! `SELECT` (or `WITH … SELECT`) statement, nothing else. It errs on the side of refusing:
//! a live check that cannot be written as a plain query is not a live check.

use std::fmt;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused by the read-only guard: {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Keywords that write, execute, change the session or hide a second statement. Any of them,
/// outside comments, strings and quoted identifiers, refuses the query.
const FORBIDDEN: &[&str] = &[
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "EXEC",
    "EXECUTE",
    "CREATE",
    "ALTER",
    "DROP",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "DENY",
    "BACKUP",
    "RESTORE",
    "DBCC",
    "USE",
    "DECLARE",
    "SET",
    "WAITFOR",
    "SHUTDOWN",
    "KILL",
    "INTO",
    "OPENROWSET",
    "OPENQUERY",
    "OPENDATASOURCE",
    "OPENXML",
    "BULK",
    "RECONFIGURE",
    "CHECKPOINT",
    "GO",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVE",
    "PRINT",
    "RAISERROR",
    "THROW",
    "UPDATETEXT",
    "WRITETEXT",
    "READTEXT",
    "ENABLE",
    "DISABLE",
    "SEND",
    "RECEIVE",
    "GET",
    "MOVE",
    "REVERT",
    "SETUSER",
    "LOAD",
    "DUMP",
];

/// Admits `sql` when it is one read-only `SELECT` or `WITH … SELECT` statement (a trailing `;`
/// is allowed); refuses anything else, saying why.
pub fn check(sql: &str) -> Result<(), Refused> {
    let code = strip(sql)?;
    let words = words(&code);
    let first = words.first().map(String::as_str).unwrap_or("");
    if first != "SELECT" && first != "WITH" {
        return Err(Refused(format!("a live check must start with SELECT or WITH, not `{first}`")));
    }
    if let Some(bad) = words.iter().find(|w| FORBIDDEN.contains(&w.as_str())) {
        return Err(Refused(format!("`{bad}` is not allowed in a read-only query")));
    }
    if let Some(w) = words.iter().find(|w| w.starts_with("XP_") || w.starts_with("SP_")) {
        return Err(Refused(format!("calling `{}` is not allowed", w.to_lowercase())));
    }
    let trimmed = code.trim_end();
    let body = trimmed.strip_suffix(';').unwrap_or(trimmed);
    if body.contains(';') {
        return Err(Refused("only one statement is allowed".into()));
    }
    if first == "WITH" && !words.iter().any(|w| w == "SELECT") {
        return Err(Refused("a WITH query must end in a SELECT".into()));
    }
    Ok(())
}

/// The query with comments removed and string literals and quoted identifiers blanked, so
/// only the code itself is examined. Unterminated pieces are refused.
fn strip(sql: &str) -> Result<String, Refused> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match (c, next) {
            ('-', Some('-')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                out.push(' ');
            }
            ('/', Some('*')) => {
                // T-SQL block comments nest.
                let mut depth = 0;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some('/'), Some('*')) => {
                            depth += 1;
                            i += 2;
                        }
                        (Some('*'), Some('/')) => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        (Some(_), _) => i += 1,
                        (None, _) => return Err(Refused("an unterminated /* comment".into())),
                    }
                }
                out.push(' ');
            }
            ('\'', _) | ('"', _) | ('[', _) => {
                let close = match c {
                    '[' => ']',
                    q => q,
                };
                i += 1;
                loop {
                    match chars.get(i) {
                        Some(&x) if x == close && chars.get(i + 1) == Some(&close) => i += 2,
                        Some(&x) if x == close => break,
                        Some(_) => i += 1,
                        None => return Err(Refused(format!("an unterminated {c}…{close}"))),
                    }
                }
                i += 1;
                out.push_str(if c == '\'' { " 'literal' " } else { " ident " });
                continue;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Upper-case keywords and identifiers of the stripped code (literals are `'literal'`).
fn words(code: &str) -> Vec<String> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@' || c == '#' || c == '$'))
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn the_queries_live_checks_need_are_admitted() {
        for sql in [
            "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version",
            "select name, enabled from msdb.dbo.sysjobs where name = N'Backup BizTalk Server (BizTalkMgmtDb)';",
            "WITH last AS (SELECT job_id, MAX(run_date) d FROM msdb.dbo.sysjobhistory GROUP BY job_id) SELECT * FROM last",
            "SELECT CASE WHEN OBJECT_ID(N'dbo.BizTalkCUVersion') IS NULL THEN 0 ELSE 1 END -- probe first\n",
            "SELECT 'DROP TABLE x; DELETE FROM y' AS harmless_text, [update] FROM t /* a comment; with a semicolon */",
            "SELECT TOP (1) DatabaseMajor FROM dbo.BizTalkDBVersion WHERE BizTalkDBName = N'Management DB' ORDER BY DatabaseMajor DESC",
        ] {
            assert_eq!(check(sql), Ok(()), "{sql}");
        }
    }

    #[test]
    fn anything_that_writes_executes_or_hides_a_second_statement_is_refused() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "UPDATE t SET a = 1",
            "DELETE FROM t",
            "MERGE t USING s ON 1=1 WHEN MATCHED THEN DELETE;",
            "EXEC sp_configure",
            "EXECUTE('SELECT 1')",
            "CREATE TABLE x (a int)",
            "DROP TABLE x",
            "ALTER DATABASE x SET OFFLINE",
            "TRUNCATE TABLE x",
            "SELECT 1; DROP TABLE x",
            "SELECT 1 -- harmless\nDROP TABLE x",
            "SELECT 1 /* ; */ ; DELETE FROM x",
            "SELECT 1 /* nested /* deeper */ still comment */ DELETE FROM x",
            "WITH c AS (SELECT 1 a) DELETE FROM t",
            "SELECT * INTO newtable FROM t",
            "SELECT * FROM OPENROWSET('SQLNCLI', 'x', 'y')",
            "SELECT 1;;",
            "SELECT xp_cmdshell('dir')",
            "SELECT 1 WAITFOR DELAY '00:01'",
            "BACKUP DATABASE x TO DISK = 'y'",
            "SELECT 'unterminated",
            "SELECT 1 /* unterminated",
            "",
            "   -- only a comment",
        ] {
            assert!(check(sql).is_err(), "admitted: {sql}");
        }
    }
}
