//! The SQL Server a command talks to: `--sql`, or the BizTalk registry on a configured server;
//! a missing SQL-login password is asked for without echo when there is a terminal to ask.

use crate::checks::sql::{self, SqlTarget, TargetSource, PASSWORD_ENV};
use std::io::IsTerminal;

/// The target from `--sql` (or the registry when `--sql` is absent), trusting the certificate
/// when asked; `None` when neither names a server.
pub fn sql_target(conn: Option<&str>, trust: bool) -> Result<Option<SqlTarget>, String> {
    let mut target = match conn {
        Some(text) => SqlTarget::from_connection_string(text, TargetSource::ConnectionString)?,
        None => {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            match runtime.block_on(sql::registry_target()) {
                Some(found) => found?,
                None => return Ok(None),
            }
        }
    };
    if trust {
        target.trust_certificate();
    }
    if target.needs_password() {
        let user = target.user.clone().unwrap_or_default();
        if !std::io::stdin().is_terminal() {
            return Err(format!(
                "the SQL login {user} needs a password: set {PASSWORD_ENV}, or run in a terminal to be asked"
            ));
        }
        let prompt = format!("Password for SQL login {user} on {}: ", target.server);
        let password = rpassword::prompt_password(prompt).map_err(|e| format!("cannot read the password: {e}"))?;
        target.set_password(password);
    }
    Ok(Some(target))
}
