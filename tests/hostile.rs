//! Hostile input and faults against the real binary, each on a temporary folder: every run ends
//! within its own watchdog (a bound for a broken test, never a timing assertion), with the right
//! message and exit code; nothing secret survives in any output; a failed report write leaves
//! the old report intact. Unix only: links, FIFOs, /dev/zero and resource limits.
#![cfg(unix)]

use assert_cmd::Command;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

/// The watchdog: a run that has not ended after this long is a hang.
const WATCHDOG: Duration = Duration::from_secs(60);

fn bin(data: &Path) -> Command {
    let mut c = Command::cargo_bin("bts-doctor").unwrap();
    c.env("BTS_DOCTOR_DATA", data.join("data"))
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .env_remove("BTS_DOCTOR_KB")
        .env_remove("BTS_DOCTOR_SQL")
        .timeout(WATCHDOG);
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const FAILED: &str = "MSI (s) (2C:64) [15:48:03:100]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly C:\\x.dll. Return code 1.\r\nAction ended 15:48:04: InstallFinalize. Return value 3.\r\n";

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn link_loops_end_and_every_file_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(logs.join("a")).unwrap();
    std::fs::write(logs.join("a/setup.log"), FAILED).unwrap();
    symlink(&logs, logs.join("a/loop")).unwrap();
    symlink(".", logs.join("self")).unwrap();
    let (code, out, err) = run(bin(dir.path()).args(["scan", "--json"]).arg(&logs));
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let read: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["skipped"].is_null())
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(read.len(), 1, "each file read once: {read:?}");
    // Each finding counts what one read of the one file counts.
    let (_, once, _) = run(bin(dir.path()).args(["scan", "--json"]).arg(logs.join("a/setup.log")));
    let once: serde_json::Value = serde_json::from_str(&once).unwrap();
    assert!(!once["findings"].as_array().unwrap().is_empty());
    assert_eq!(doc["findings"], once["findings"].clone(), "findings counted once");
    assert!(out.contains("a folder already walked"), "the loop is said: {out}");
    // The same links in an overlay, and in the user's config knowledge folder.
    let overlay = dir.path().join("kb");
    std::fs::create_dir_all(overlay.join("issues")).unwrap();
    symlink(&overlay, overlay.join("issues/loop")).unwrap();
    let (code, _, err) = run(bin(dir.path()).arg("--kb").arg(&overlay).args(["kb", "lint"]));
    assert_eq!(code, 0, "{err}");
    let config = dir.path().join("config/bts-doctor/knowledge/issues");
    std::fs::create_dir_all(&config).unwrap();
    symlink(dir.path().join("config"), config.join("up")).unwrap();
    let (code, _, err) =
        run(bin(dir.path()).env("XDG_CONFIG_HOME", dir.path().join("config")).args(["match", "Error 1603"]));
    assert!(code == 0 || code == 1, "{err}");
}

#[test]
fn fifos_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::write(logs.join("setup.log"), FAILED).unwrap();
    mkfifo(&logs.join("pipe.log"));
    let (code, out, _) = run(bin(dir.path()).args(["scan", "--json"]).arg(&logs));
    assert_eq!(code, 1);
    assert!(out.contains("a FIFO (named pipe): not read in a folder"), "{out}");
    // Named on its own, with nobody writing: read as empty, at once.
    let (code, _, err) = run(bin(dir.path()).arg("scan").arg(logs.join("pipe.log")));
    assert_eq!(code, 2, "nothing could be read: {err}");
    // A FIFO in an overlay is reported, not read.
    let overlay = dir.path().join("kb");
    std::fs::create_dir(&overlay).unwrap();
    mkfifo(&overlay.join("entry.yaml"));
    let (code, _, err) = run(bin(dir.path()).arg("--kb").arg(&overlay).args(["kb", "lint"]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn input_is_read_with_a_bound_and_beyond_it_nothing_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    // Standard input straight from /dev/zero (not read into the test first).
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bts-doctor"))
        .args(["match", "-"])
        .env("XDG_CONFIG_HOME", dir.path().join("no-config"))
        .stdin(std::process::Stdio::from(zero))
        .output()
        .unwrap();
    let (code, out, err) = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than 16 MB; nothing was matched"), "{err}");
    assert!(out.is_empty(), "no partial answer: {out}");
    let (code, _, err) = run(bin(dir.path()).args(["report", "--no-checks", "--format", "md", "--text", "/dev/zero"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than 16 MB"), "{err}");
    let (code, _, err) = run(bin(dir.path()).args(["recover", "--json", "--answers", "/dev/zero"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than 1 MB"), "{err}");
    // A progress file that is /dev/zero: set aside with a notice, the walk starts over.
    let progress = dir.path().join("data/progress");
    std::fs::create_dir_all(&progress).unwrap();
    symlink("/dev/zero", progress.join("recover-failed-upgrade.json")).unwrap();
    let answers = dir.path().join("a.yaml");
    std::fs::write(&answers, "answers: {}\n").unwrap();
    let (code, out, err) = run(bin(dir.path()).args(["recover", "--resume", "--json", "--answers"]).arg(&answers));
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc["notice"].as_str().unwrap().contains("could not be read"), "{doc}");
}

#[test]
fn a_progress_file_naming_a_missing_step_starts_over_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let kb = bts_doctor::kb::KnowledgeBase::embedded().unwrap();
    let book = kb.playbook("recover-failed-upgrade").unwrap();
    let progress = dir.path().join("data/progress");
    std::fs::create_dir_all(&progress).unwrap();
    let saved = serde_json::json!({"playbook": book.id, "hash": book.hash(), "current": "no-such-step", "path": [], "finished": false});
    std::fs::write(progress.join("recover-failed-upgrade.json"), saved.to_string()).unwrap();
    let answers = dir.path().join("a.yaml");
    std::fs::write(&answers, "answers: {}\n").unwrap();
    let (code, out, err) = run(bin(dir.path()).args(["recover", "--resume", "--json", "--answers"]).arg(&answers));
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["current"], "phase");
    assert!(doc["notice"].as_str().unwrap().contains("which the playbook no longer has; starting over"), "{doc}");
}

#[test]
fn two_walks_of_one_playbook_never_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = bts_doctor::guide::store::Store::new(dir.path().join("data/progress"));
    let _held = store.lock("recover-failed-upgrade").unwrap();
    let answers = dir.path().join("a.yaml");
    std::fs::write(&answers, "answers: {phase: prerequisites}\n").unwrap();
    let (code, _, err) = run(bin(dir.path()).args(["recover", "--json", "--answers"]).arg(&answers));
    assert_eq!(code, 2);
    assert!(err.contains("another bts-doctor is walking `recover-failed-upgrade` now"), "{err}");
    drop(_held);
    let (code, _, err) = run(bin(dir.path()).args(["recover", "--json", "--answers"]).arg(&answers));
    assert_eq!(code, 0, "free again once the other walk ends: {err}");
}

/// Every secret form of the redaction table, as a log and as a paste.
const SECRETS: &[(&str, &str)] = &[
    (
        "MSI (s) (2C:64) [15:48:23:562]: PROPERTY CHANGE: Adding SSOPASSWORD property. Its value is 'MsiAdd#1'.",
        "MsiAdd#1",
    ),
    ("MSI (s) (2C:64) [15:48:23:563]: Property(S): SSO_MASTER_SECRET = Secret#3", "Secret#3"),
    (r#"<add key="SSOPassword" value="Cfg#5"/>"#, "Cfg#5"),
    (
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyQmF6;EndpointSuffix=core.windows.net",
        "Zm9vYmFyQmF6",
    ),
    ("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=SasKey6xyz", "SasKey6xyz"),
    ("ERROR token request failed: client_secret=Cs7xyzabc&grant_type=client_credentials", "Cs7xyzabc"),
    ("ERROR call failed with ApiKey=Ak8-abcdef", "Ak8-abcdef"),
    ("ERROR header Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA"),
    ("ERROR sqlcmd -S SQL01 -U sa -P SqlCmd10x failed with Login failed for user 'sa'.", "SqlCmd10x"),
    (
        r"ERROR net use \\FILESRV01\share NetUse12x /user:CONTOSO\svc failed: The network name cannot be found.",
        "NetUse12x",
    ),
];

#[test]
fn no_secret_form_survives_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = SECRETS.iter().map(|(line, _)| format!("{line}\r\n")).collect();
    let log = dir.path().join("setup.log");
    std::fs::write(&log, format!("{text}{FAILED}")).unwrap();
    let paste = dir.path().join("paste.txt");
    std::fs::write(&paste, &text).unwrap();
    let log_file = dir.path().join("bts.log");
    let mut outputs: Vec<(String, String)> = Vec::new();
    for args in [vec!["scan"], vec!["scan", "--json"]] {
        let (_, out, _) = run(bin(dir.path()).args(&args).arg(&log).arg("--log-file").arg(&log_file));
        outputs.push((args.join(" "), out));
    }
    let (_, out, _) = run(bin(dir.path()).args(["match", "--json", "-"]).pipe_stdin(&paste).unwrap());
    outputs.push(("match --json".into(), out));
    let (_, out, _) = run(bin(dir.path()).args(["match", "-"]).pipe_stdin(&paste).unwrap());
    outputs.push(("match".into(), out));
    for format in ["md", "html", "json"] {
        let (_, out, _) = run(bin(dir.path())
            .args(["report", "--no-checks", "--format", format, "--log"])
            .arg(&log)
            .arg("--text")
            .arg(&paste));
        outputs.push((format!("report {format}"), out));
    }
    outputs.push(("--log-file".into(), std::fs::read_to_string(&log_file).unwrap()));
    // The TUI's export, from the same scan and paste.
    let matcher = bts_doctor::matcher::Matcher::new(bts_doctor::kb::KnowledgeBase::embedded().unwrap()).unwrap();
    let scan =
        bts_doctor::logs::scan(std::slice::from_ref(&log), &matcher, &Default::default(), None, &Default::default());
    let job = bts_doctor::tui::action::ExportJob {
        paste: Some((text.clone(), matcher.match_text(&text))),
        scan: Some(scan),
        checks: Vec::new(),
        target: None,
        progress: None,
    };
    let data = bts_doctor::tui::export_data(&matcher, job, "2026-12-03T00:00:00Z".into()).unwrap();
    outputs.push(("TUI export".into(), bts_doctor::report::render(&data, bts_doctor::report::Format::Markdown)));
    for (what, out) in &outputs {
        assert!(!out.is_empty(), "{what} printed nothing");
        for (_, secret) in SECRETS {
            assert!(!out.contains(secret), "{what} shows {secret}:\n{out}");
        }
    }
}

#[test]
fn a_failed_report_write_leaves_the_old_report_and_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.md");
    std::fs::write(&target, "the old report").unwrap();
    // A file size limit makes every write past 1 KB fail, as a full disk would.
    let mut std_cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bts-doctor"));
    std_cmd
        .args(["report", "--no-checks", "--format", "md", "--log", "tests/fixtures/logs/msi-upgrade-failed.log", "-o"])
        .arg(&target)
        .env("BTS_DOCTOR_DATA", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("no-config"));
    unsafe {
        use std::os::unix::process::CommandExt;
        std_cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit { rlim_cur: 1024, rlim_max: 1024 };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            Ok(())
        });
    }
    let out = std_cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"), "{out:?}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the old report", "the old report survives");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp")), "no temporary file is left: {names:?}");
    // `-o -` is standard output, never a file named `-`.
    let (code, out, _) =
        run(bin(dir.path()).current_dir(dir.path()).args(["report", "--no-checks", "--format", "md", "-o", "-"]));
    assert!(code == 0 || code == 4, "{code}");
    assert!(out.starts_with("# bts-doctor report"), "{out}");
    assert!(!dir.path().join("-").exists());
}

#[test]
fn escape_sequences_in_logs_and_file_names_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("evil\u{1b}]0;owned\u{7}.log");
    std::fs::write(&name, format!("ERROR \u{1b}]0;retitled\u{7} Login failed for user 'sa'.\r\n{FAILED}")).unwrap();
    let (_, out, err) = run(bin(dir.path()).arg("scan").arg(&name));
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("\\u{1b}"), "shown escaped: {out}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let (_, out, _) = run(bin(dir.path()).args(["match", "\u{1b}[2J Login failed for user 'sa'."]));
    assert!(!out.contains('\u{1b}'), "{out:?}");
}

#[test]
fn lint_refuses_what_would_never_match_and_gives_places() {
    let dir = tempfile::tempdir().unwrap();
    let issues = dir.path().join("kb/issues");
    std::fs::create_dir_all(&issues).unwrap();
    let entry = |id: &str, regex: &str| {
        format!("id: {id}\ntitle: T\nkind: known-issue\nphase: any\nseverity: error\napplies_to: [\"2016\"]\nsignatures:\n  - regex: '{regex}'\ncause: c\nfix:\n  - step: s\nreferences: [https://example.invalid]\nexamples: [\"aaa\", \"aaaa\"]\n")
    };
    // Over the compiled-size limit: syntactically fine, never built.
    std::fs::write(issues.join("huge.yaml"), entry("t-huge", r"(?:[a-z0-9]{1000}){500}")).unwrap();
    let (code, _, err) = run(bin(dir.path()).arg("--kb").arg(dir.path().join("kb")).args(["kb", "lint"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("huge.yaml:8: error: regex") && err.contains("compiles to more than 16 MB"), "{err}");
    std::fs::write(issues.join("bad.yaml"), entry("t-bad", "a(b")).unwrap();
    std::fs::write(issues.join("dup.yaml"), entry("t-huge", "aaa")).unwrap();
    let (code, _, err) = run(bin(dir.path()).arg("--kb").arg(dir.path().join("kb")).args(["kb", "lint"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.yaml:8:5: error: invalid regex"), "a bad regex has its column: {err}");
    assert!(err.contains("duplicate id `t-huge`") && err.contains(":1:1: error: duplicate"), "{err}");
}
