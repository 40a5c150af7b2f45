//! The exact commands of a restore to one mark, after "How to restore your databases": every
//! database of the Backup BizTalk Server job brought back to the same mark (its full backup and
//! each log backup `WITH NORECOVERY`, the last log `WITH STOPATMARK …, RECOVERY`), the BAM
//! databases outside the job from backups older than BAM Primary Import's, with everything that
//! writes to the databases stopped first, the current databases copied aside before anything is
//! overwritten, and the services started again after. The files come from the restore point the
//! `sql-restore-point` check found; without it the script names placeholders.

use super::machine::Progress;
use crate::kb::matrix::{GroupDatabase, RestoreRule};
use crate::kb::KnowledgeBase;

/// One database of the plan: its name and the files that bring it to the mark.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedDatabase {
    /// The database.
    pub name: String,
    /// Its full backup file.
    pub full: String,
    /// Its log backup files, oldest first; the last carries the mark.
    pub logs: Vec<String>,
}

/// The restore point a check found in this walk: the mark and each database's files.
pub fn restore_point(progress: &Progress) -> Option<(String, Vec<PlannedDatabase>)> {
    let data = progress
        .path
        .iter()
        .rev()
        .filter_map(|v| v.check.as_ref()?.data.as_ref())
        .find(|d| d["kind"] == "restore-point")?;
    let mark = data["mark"].as_str()?.to_string();
    let databases = data["databases"]
        .as_array()?
        .iter()
        .filter_map(|d| {
            Some(PlannedDatabase {
                name: d["name"].as_str()?.to_string(),
                full: d["full"].as_str()?.to_string(),
                logs: d["logs"].as_array()?.iter().filter_map(|l| l.as_str().map(str::to_string)).collect(),
            })
        })
        .collect();
    Some((mark, databases))
}

/// The script for this walk: with the restore point's files when a check found one, else with
/// placeholders for every database of a group.
pub fn script(kb: &KnowledgeBase, progress: &Progress) -> String {
    let known: Vec<GroupDatabase> = kb.matrices().map(|m| m.platforms.databases.clone()).unwrap_or_default();
    let (mark, mut planned) = match restore_point(progress) {
        Some((mark, planned)) => (mark, planned),
        None => (
            "<mark name from adm_BackupHistory>".to_string(),
            known
                .iter()
                .filter(|d| d.restore == RestoreRule::Mark)
                .map(|d| PlannedDatabase {
                    name: d.name.clone(),
                    full: format!("<full backup of {}>", d.name),
                    logs: vec![format!("<each log backup of {} up to the mark, oldest first>", d.name)],
                })
                .collect(),
        ),
    };
    // The page's order: the group's databases as the table lists them, others after.
    let rank = |name: &str| known.iter().position(|k| k.name.eq_ignore_ascii_case(name)).unwrap_or(usize::MAX);
    planned.sort_by_key(|d| rank(&d.name));
    let bam_outside: Vec<&GroupDatabase> =
        known.iter().filter(|d| d.restore == RestoreRule::OlderThanBamPrimary).collect();
    let q = |name: &str| name.replace(']', "]]");
    let s = |text: &str| text.replace('\'', "''");

    let mut out = vec![
        "-- 1. Stop everything that writes to the databases, on every server of the group:".to_string(),
        "--    every BizTalk host instance, the Rule Engine Update service, IIS (isolated hosts),".to_string(),
        "--    and the SQL Server Agent jobs of BizTalk (Backup BizTalk Server first).".to_string(),
        "-- 2. Copy the current databases aside; nothing is overwritten yet:".to_string(),
    ];
    for d in planned.iter().map(|d| d.name.as_str()).chain(bam_outside.iter().map(|d| d.name.as_str())) {
        out.push(format!(
            "BACKUP DATABASE [{}] TO DISK = N'<safe folder>\\{}-before-restore.bak' WITH COPY_ONLY, INIT;",
            q(d),
            s(d)
        ));
    }
    out.push(format!("-- 3. Restore every database to mark {mark}: full and log backups WITH NORECOVERY,"));
    out.push("--    the last log WITH STOPATMARK and RECOVERY (no database is recovered earlier):".to_string());
    for d in &planned {
        out.push(format!("RESTORE DATABASE [{}] FROM DISK = N'{}' WITH REPLACE, NORECOVERY;", q(&d.name), s(&d.full)));
        let last = d.logs.len().saturating_sub(1);
        for (i, log) in d.logs.iter().enumerate() {
            if i == last {
                out.push(format!(
                    "RESTORE LOG [{}] FROM DISK = N'{}' WITH STOPATMARK = N'{}', RECOVERY;",
                    q(&d.name),
                    s(log),
                    s(&mark)
                ));
            } else {
                out.push(format!("RESTORE LOG [{}] FROM DISK = N'{}' WITH NORECOVERY;", q(&d.name), s(log)));
            }
        }
    }
    if !bam_outside.is_empty() {
        let names: Vec<&str> = bam_outside.iter().map(|d| d.name.as_str()).collect();
        out.push(format!(
            "-- 4. The BAM databases the job does not back up ({}, and BAMAnalysis in Analysis Services):",
            names.join(", ")
        ));
        out.push(
            "--    restore each from a backup OLDER than the BAM Primary Import backup restored above.".to_string(),
        );
        for d in &bam_outside {
            out.push(format!(
                "RESTORE DATABASE [{}] FROM DISK = N'<backup of {} older than BAMPrimaryImport''s>' WITH REPLACE, RECOVERY;",
                q(&d.name),
                s(&d.name)
            ));
        }
    }
    out.push(
        "-- 5. Start again: the SQL Server Agent jobs, every host instance, and restart the Rule Engine".to_string(),
    );
    out.push(
        "--    Update service on every server of the group. master and msdb are not part of the mark.".to_string(),
    );
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::machine::{AnsweredBy, CheckOutcome, Visit};

    fn progress_with(data: serde_json::Value) -> Progress {
        let mut outcome = CheckOutcome::scripted("sql-restore-point", crate::checks::Status::Pass);
        outcome.data = Some(data);
        Progress {
            playbook: "p".into(),
            hash: "h".into(),
            current: "restore".into(),
            path: vec![Visit { step: "backups".into(), answer: None, check: Some(outcome), by: AnsweredBy::Check }],
            finished: false,
        }
    }

    #[test]
    fn the_script_restores_every_database_to_the_mark_in_order_and_recovers_only_at_the_last_log() {
        let kb = KnowledgeBase::embedded().unwrap();
        let data = serde_json::json!({"kind": "restore-point", "mark": "BTS_2017_01_12_0015", "databases": [
            {"name": "BizTalkMsgBoxDb", "full": "F:\\b\\msg_full.bak", "logs": ["F:\\b\\msg_1.bak", "F:\\b\\msg_2.bak"]},
            {"name": "BizTalkMgmtDb", "full": "F:\\b\\mgmt_full.bak", "logs": ["F:\\b\\mgmt_1.bak"]}
        ]});
        let text = script(&kb, &progress_with(data));
        let mgmt = text.find("RESTORE DATABASE [BizTalkMgmtDb]").unwrap();
        let msg = text.find("RESTORE DATABASE [BizTalkMsgBoxDb]").unwrap();
        assert!(mgmt < msg, "Management first, as the table orders them:\n{text}");
        assert!(text.contains("RESTORE LOG [BizTalkMsgBoxDb] FROM DISK = N'F:\\b\\msg_1.bak' WITH NORECOVERY;"));
        assert!(text.contains(
            "RESTORE LOG [BizTalkMsgBoxDb] FROM DISK = N'F:\\b\\msg_2.bak' WITH STOPATMARK = N'BTS_2017_01_12_0015', RECOVERY;"
        ));
        let copy = text.find("COPY_ONLY").unwrap();
        assert!(copy < mgmt, "copies aside come before any restore");
        for line in text.lines().filter(|l| l.starts_with("RESTORE DATABASE [BizTalk")) {
            assert!(line.ends_with("NORECOVERY;"), "a full restore of a marked database never recovers: {line}");
        }
    }

    #[test]
    fn without_a_restore_point_every_marked_database_of_a_group_is_named() {
        let kb = KnowledgeBase::embedded().unwrap();
        let empty =
            Progress { playbook: "p".into(), hash: "h".into(), current: "x".into(), path: vec![], finished: false };
        let text = script(&kb, &empty);
        for name in [
            "BizTalkMgmtDb",
            "BizTalkMsgBoxDb",
            "BizTalkDTADb",
            "SSODB",
            "BizTalkEDIDb",
            "BAMPrimaryImport",
            "BAMArchive",
        ] {
            assert!(text.contains(&format!("[{name}]")), "{name} missing:\n{text}");
        }
        assert!(!text.contains("RESTORE DATABASE [master]"), "master is not restored to the mark");
    }
}
