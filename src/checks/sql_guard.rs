//! The one gate every SQL text passes before it can reach a server: a single read-only
//! `SELECT` (or `WITH … SELECT`) statement, nothing else. It is an allowlist over T-SQL's own
//! tokens: comments (a `--` comment ends at a line feed or a bare carriage return, block
//! comments nest), string literals (`'…'`, `N'…'`), quoted identifiers (`[…]`, `"…"`),
//! numbers (a keyword glued to a number is its own token, as T-SQL reads it) and words. Every
//! reserved keyword must be one a `SELECT` uses, every other word is a name, a few non-reserved
//! words that act (`NEXT VALUE FOR`, `END CONVERSATION`, …) are refused, `END` only closes a
//! `CASE`, and a second statement (T-SQL needs no `;` between two) is refused wherever it
//! starts. It errs on the side of refusing: a live check that cannot be written as a plain
//! query is not a live check.

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

/// T-SQL's reserved keywords (learn.microsoft.com/sql/t-sql/language-elements/reserved-keywords-transact-sql).
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "AUTHORIZATION",
    "BACKUP",
    "BEGIN",
    "BETWEEN",
    "BREAK",
    "BROWSE",
    "BULK",
    "BY",
    "CASCADE",
    "CASE",
    "CHECK",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTERED",
    "COALESCE",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "COMPUTE",
    "CONSTRAINT",
    "CONTAINS",
    "CONTAINSTABLE",
    "CONTINUE",
    "CONVERT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "CURSOR",
    "DATABASE",
    "DBCC",
    "DEALLOCATE",
    "DECLARE",
    "DEFAULT",
    "DELETE",
    "DENY",
    "DESC",
    "DISK",
    "DISTINCT",
    "DISTRIBUTED",
    "DOUBLE",
    "DROP",
    "DUMP",
    "ELSE",
    "END",
    "ERRLVL",
    "ESCAPE",
    "EXCEPT",
    "EXEC",
    "EXECUTE",
    "EXISTS",
    "EXIT",
    "EXTERNAL",
    "FETCH",
    "FILE",
    "FILLFACTOR",
    "FOR",
    "FOREIGN",
    "FREETEXT",
    "FREETEXTTABLE",
    "FROM",
    "FULL",
    "FUNCTION",
    "GOTO",
    "GRANT",
    "GROUP",
    "HAVING",
    "HOLDLOCK",
    "IDENTITY",
    "IDENTITY_INSERT",
    "IDENTITYCOL",
    "IF",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "KILL",
    "LEFT",
    "LIKE",
    "LINENO",
    "LOAD",
    "MERGE",
    "NATIONAL",
    "NOCHECK",
    "NONCLUSTERED",
    "NOT",
    "NULL",
    "NULLIF",
    "OF",
    "OFF",
    "OFFSETS",
    "ON",
    "OPEN",
    "OPENDATASOURCE",
    "OPENQUERY",
    "OPENROWSET",
    "OPENXML",
    "OPTION",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PERCENT",
    "PIVOT",
    "PLAN",
    "PRECISION",
    "PRIMARY",
    "PRINT",
    "PROC",
    "PROCEDURE",
    "PUBLIC",
    "RAISERROR",
    "READ",
    "READTEXT",
    "RECONFIGURE",
    "REFERENCES",
    "REPLICATION",
    "RESTORE",
    "RESTRICT",
    "RETURN",
    "REVERT",
    "REVOKE",
    "RIGHT",
    "ROLLBACK",
    "ROWCOUNT",
    "ROWGUIDCOL",
    "RULE",
    "SAVE",
    "SCHEMA",
    "SECURITYAUDIT",
    "SELECT",
    "SEMANTICKEYPHRASETABLE",
    "SEMANTICSIMILARITYDETAILSTABLE",
    "SEMANTICSIMILARITYTABLE",
    "SESSION_USER",
    "SET",
    "SETUSER",
    "SHUTDOWN",
    "SOME",
    "STATISTICS",
    "SYSTEM_USER",
    "TABLE",
    "TABLESAMPLE",
    "TEXTSIZE",
    "THEN",
    "TO",
    "TOP",
    "TRAN",
    "TRANSACTION",
    "TRIGGER",
    "TRUNCATE",
    "TRY_CONVERT",
    "TSEQUAL",
    "UNION",
    "UNIQUE",
    "UNPIVOT",
    "UPDATE",
    "UPDATETEXT",
    "USE",
    "USER",
    "VALUES",
    "VARYING",
    "VIEW",
    "WAITFOR",
    "WHEN",
    "WHERE",
    "WHILE",
    "WITH",
    "WITHIN",
    "WRITETEXT",
];

/// The reserved keywords a read-only `SELECT` may use.
const ALLOWED: &[&str] = &[
    "ALL",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "BETWEEN",
    "BY",
    "CASE",
    "COALESCE",
    "COLLATE",
    "CONVERT",
    "CROSS",
    "DESC",
    "DISTINCT",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXISTS",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IN",
    "INNER",
    "INTERSECT",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "NOT",
    "NULL",
    "NULLIF",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PERCENT",
    "RIGHT",
    "SELECT",
    "SOME",
    "THEN",
    "TOP",
    "TRY_CONVERT",
    "UNION",
    "WHEN",
    "WHERE",
    "WITH",
];

/// Words T-SQL does not reserve that start or make an action: refused wherever they stand.
const ACTING: &[&str] = &[
    "NEXT",
    "SEND",
    "RECEIVE",
    "GET",
    "MOVE",
    "CONVERSATION",
    "DIALOG",
    "SENSITIVITY",
    "CLASSIFICATION",
    "SIGNATURE",
    "SYMMETRIC",
    "ASYMMETRIC",
    "CERTIFICATE",
    "MASTER_KEY",
    "ENABLE",
    "DISABLE",
    "GO",
    "THROW",
    "LOGIN",
    "PASSWORD",
    "RECONFIGURE",
    "SHUTDOWN",
    "OPENJSON_WRITE",
    "XP_CMDSHELL",
];

/// One token of the query.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A keyword or a name, upper-cased.
    Word(String),
    /// A string literal, a quoted identifier or a number: never a keyword.
    Value,
    /// One punctuation character.
    Punct(char),
}

/// Admits `sql` when it is one read-only `SELECT` or `WITH … SELECT` statement (a trailing `;`
/// is allowed); refuses anything else, saying why.
pub fn check(sql: &str) -> Result<(), Refused> {
    let tokens = tokenize(sql)?;
    let first = match tokens.first() {
        Some(Token::Word(w)) => w.as_str(),
        _ => "",
    };
    if first != "SELECT" && first != "WITH" {
        return Err(Refused(format!("a live check must start with SELECT or WITH, not `{first}`")));
    }
    let mut depth: usize = 0;
    let mut open_cases: Vec<usize> = Vec::new();
    let mut saw_select = false;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth = depth.checked_sub(1).ok_or_else(|| Refused("a `)` without its `(`".into()))?;
            }
            Token::Punct(';') if i + 1 == tokens.len() => {}
            Token::Punct(';') => return Err(Refused("only one statement is allowed".into())),
            Token::Punct(_) | Token::Value => {}
            Token::Word(w) => {
                let w = w.as_str();
                if w.starts_with('@') || w.starts_with('#') {
                    return Err(Refused(format!("`{w}`: variables and temporary tables are not allowed")));
                }
                if w.starts_with("XP_") || w.starts_with("SP_") {
                    return Err(Refused(format!("calling `{}` is not allowed", w.to_lowercase())));
                }
                if ACTING.contains(&w) || (RESERVED.contains(&w) && !ALLOWED.contains(&w)) {
                    return Err(Refused(format!("`{w}` is not allowed in a read-only query")));
                }
                match w {
                    "CASE" => open_cases.push(depth),
                    "END" if open_cases.last() == Some(&depth) => {
                        open_cases.pop();
                    }
                    "END" => return Err(Refused("`END` that closes no CASE starts another statement".into())),
                    "WITH" if i > 0 => {
                        // `WITH` only opens the query (a CTE); elsewhere it is a table hint or a
                        // second statement.
                        return Err(Refused("`WITH` is allowed only at the start".into()));
                    }
                    "SELECT" if depth == 0 => {
                        let after_set = i > 0
                            && matches!(&tokens[i - 1], Token::Word(p) if matches!(p.as_str(), "UNION" | "ALL" | "EXCEPT" | "INTERSECT"));
                        let opens =
                            i == 0 || (first == "WITH" && !saw_select && matches!(tokens[i - 1], Token::Punct(')')));
                        if !(opens || after_set) {
                            return Err(Refused("a second statement (another SELECT) is not allowed".into()));
                        }
                        saw_select = true;
                    }
                    _ => {}
                }
            }
        }
    }
    if depth != 0 {
        return Err(Refused("an unclosed `(`".into()));
    }
    if !open_cases.is_empty() {
        return Err(Refused("a CASE without its END".into()));
    }
    if first == "WITH" && !saw_select {
        return Err(Refused("a WITH query must end in a SELECT".into()));
    }
    Ok(())
}

/// The tokens of `sql`: comments dropped, literals and quoted identifiers as values. An
/// unterminated piece, or a character no query needs, is refused.
fn tokenize(sql: &str) -> Result<Vec<Token>, Refused> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match (c, next) {
            (c, _) if c.is_whitespace() => i += 1,
            ('-', Some('-')) => {
                // A line comment ends at a line feed or a carriage return.
                while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
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
            }
            ('N' | 'n', Some('\'')) => {
                i = quoted(&chars, i + 1, '\'')?;
                out.push(Token::Value);
            }
            ('\'', _) | ('"', _) | ('[', _) => {
                i = quoted(&chars, i, if c == '[' { ']' } else { c })?;
                out.push(Token::Value);
            }
            (c, _) if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                // A number: digits, a fraction, an exponent, or 0x hex. What follows is its own token.
                if c == '0' && matches!(next, Some('x' | 'X')) {
                    i += 2;
                    while chars.get(i).is_some_and(char::is_ascii_hexdigit) {
                        i += 1;
                    }
                } else {
                    while chars.get(i).is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                        i += 1;
                    }
                    if matches!(chars.get(i), Some('e' | 'E'))
                        && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit() || *d == '+' || *d == '-')
                    {
                        i += 2;
                        while chars.get(i).is_some_and(char::is_ascii_digit) {
                            i += 1;
                        }
                    }
                }
                out.push(Token::Value);
            }
            (c, _) if c.is_alphabetic() || c == '_' || c == '@' || c == '#' => {
                let start = i;
                while chars.get(i).is_some_and(|d| d.is_alphanumeric() || matches!(d, '_' | '@' | '#' | '$')) {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect::<String>().to_uppercase()));
            }
            (c, _) if "(),.;=<>!+-*/%".contains(c) => {
                out.push(Token::Punct(c));
                i += 1;
            }
            (c, _) => {
                return Err(Refused(format!(
                    "the character `{}` has no place in a read-only query",
                    c.escape_default()
                )))
            }
        }
    }
    Ok(out)
}

/// The index after a quoted piece that opens at `at` and closes with `close` (doubled inside).
fn quoted(chars: &[char], at: usize, close: char) -> Result<usize, Refused> {
    let mut i = at + 1;
    loop {
        match chars.get(i) {
            Some(&x) if x == close && chars.get(i + 1) == Some(&close) => i += 2,
            Some(&x) if x == close => return Ok(i + 1),
            Some(_) => i += 1,
            None => return Err(Refused(format!("an unterminated {}…{close}", chars[at]))),
        }
    }
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
            "SELECT a FROM t UNION ALL SELECT b FROM u",
            "SELECT x FROM (SELECT 1 AS x) AS s WHERE x IN (SELECT 1) AND EXISTS (SELECT 1 FROM t)",
            "SELECT 1.5e3, 0x1F, -2",
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
            "SELECT * FROM OPENQUERY(srv, 'x')",
            "SELECT * FROM OPENDATASOURCE('SQLNCLI', 'x').db.dbo.t",
            "SELECT 1;;",
            "SELECT xp_cmdshell('dir')",
            "SELECT 1 WAITFOR DELAY '00:01'",
            "BACKUP DATABASE x TO DISK = 'y'",
            "SELECT 'unterminated",
            "SELECT 1 /* unterminated",
            "",
            "   -- only a comment",
            // What a keyword denylist let through.
            "SELECT 1 ADD SENSITIVITY CLASSIFICATION TO dbo.t.c WITH (LABEL = 'x')",
            "SELECT 1 ADD SIGNATURE TO dbo.p BY CERTIFICATE c",
            "SELECT 1 OPEN SYMMETRIC KEY k DECRYPTION BY PASSWORD = 'x'",
            "SELECT 1 END CONVERSATION @h",
            "SELECT 1 WHILE 1=1 SELECT 2",
            "SELECT NEXT VALUE FOR dbo.seq",
            "SELECT 1DELETE FROM t",
            "SELECT 1 --\rDELETE FROM t",
            "SELECT 1 SELECT 2",
            "SELECT 1 FROM t WITH (NOLOCK) SELECT 2",
            "SELECT @x = 1",
            "SELECT 1 FROM #temp",
            "SELECT 1)",
            "SELECT (1",
            "SELECT CASE WHEN 1=1 THEN 1",
            "SELECT 1 \\ 2",
            "SELECT 1 GO SELECT 2",
        ] {
            assert!(check(sql).is_err(), "admitted: {sql}");
        }
    }
}
