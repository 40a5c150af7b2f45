//! What readiness can read live: the SQL Server version and the BizTalk version of the
//! Management database (through the read-only SQL path of the checks), and on Windows the
//! operating system and the installed BizTalk edition from the registry.

use super::readiness::{biztalk_name, os_name, sql_name, Fact, Facts};
use crate::checks::local::registry_value;
use crate::checks::sql::{self, Cell, SqlTarget};
use crate::checks::sql_probes::queries;
use crate::kb::check_spec::RegistryView;
use crate::kb::matrix::SupportMatrices;
use std::time::Duration;

/// Fills what is not given from SQL Server (when a target is given) and this computer. Returns
/// notes on what could not be read, for the report.
pub async fn detect(target: Option<&SqlTarget>, m: &SupportMatrices, facts: &mut Facts) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(target) = target {
        if facts.sql.is_none() || facts.from.is_none() {
            match sql_facts(target, m).await {
                Ok((sql_version, from)) => {
                    if facts.sql.is_none() {
                        facts.sql = sql_version.map(Fact::detected);
                    }
                    match from {
                        Ok(f) if facts.from.is_none() => facts.from = Some(Fact::detected(f)),
                        Err(note) => notes.push(note),
                        _ => {}
                    }
                }
                Err(e) => notes.push(format!("SQL Server not read: {}", target.hide(&e))),
            }
        }
    }
    if cfg!(windows) {
        if facts.os.is_none() {
            let key = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion";
            if let Ok(Some((v, _))) = registry_value(key, "ProductName", RegistryView::Bits64).await {
                facts.os = Some(Fact::detected(os_name(&v.data, m)));
            }
        }
        let key = r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0";
        if facts.edition.is_none() {
            if let Ok(Some((v, _))) = registry_value(key, "ProductEdition", RegistryView::Both).await {
                let edition = m.edition(&v.data).map(str::to_string).unwrap_or(v.data);
                facts.edition = Some(Fact::detected(edition));
            }
        }
        if facts.from.is_none() {
            if let Ok(Some((v, _))) = registry_value(key, "ProductVersion", RegistryView::Both).await {
                let parts = crate::kb::check_spec::parse_version(&v.data).unwrap_or_default();
                if let (Some(&major), Some(&minor)) = (parts.first(), parts.get(1)) {
                    match biztalk_name(major as i64, minor as i64) {
                        Ok(name) => facts.from = Some(Fact::detected(name)),
                        Err(note) => {
                            notes.push(note.replace("the databases already record", "this computer already runs"))
                        }
                    }
                }
            }
        }
    }
    notes
}

/// The SQL Server's name in the guide's terms, and the BizTalk version the Management database
/// records (or why it says none).
async fn sql_facts(
    target: &SqlTarget,
    m: &SupportMatrices,
) -> Result<(Option<String>, Result<&'static str, String>), String> {
    let mut client = sql::connect(target).await.map_err(|v| match v {
        crate::checks::Verdict::Error { detail, .. } => detail,
        other => format!("{other:?}"),
    })?;
    let limit = Duration::from_secs(target.query_timeout_secs);
    let rows = sql::query(&mut client, &queries::server_version(), limit).await?;
    let text = |i: usize| rows.first().and_then(|r| r.get(i)).and_then(Cell::text);
    let sql_version = text(0).map(|v| sql_name(m, &v, &text(3).unwrap_or_default()));
    let has_table = sql::query(&mut client, &queries::object_id("dbo.BizTalkDBVersion"), limit)
        .await?
        .first()
        .and_then(|r| r.first())
        .is_some_and(|c| *c != Cell::Null);
    let from = if has_table {
        let rows = sql::query(&mut client, &queries::biztalk_version(), limit).await?;
        let int = |i: usize| rows.first().and_then(|r| r.get(i)).and_then(Cell::int);
        match (int(0), int(1)) {
            (Some(major), Some(minor)) => biztalk_name(major, minor).map_err(|e| e.to_string()),
            _ => Err("BizTalkDBVersion has no Management DB row".to_string()),
        }
    } else {
        Err(format!("{} has no BizTalkDBVersion table: not a BizTalk Management database", target.database))
    };
    let _ = client.close().await;
    Ok((sql_version, from))
}
