//! Installing like a real tool: completions for every shell and the man page from the same
//! clap definitions, the knowledge-base version in `--version`, and a log file that never
//! holds a secret.

use assert_cmd::Command;
use bts_doctor::kb::KnowledgeBase;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("bts-doctor").unwrap().args(args).env_remove("BTS_DOCTOR_LOG").output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn completions_generate_for_every_shell_and_know_every_subcommand() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef bts-doctor"),
        ("fish", "complete -c bts-doctor"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer"),
    ] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, Some(0), "{shell}: {err}");
        assert!(out.contains(marker), "{shell} script lacks `{marker}`");
        for sub in ["check", "readiness", "recover", "report", "scan", "match"] {
            assert!(out.contains(sub), "{shell} script does not know `{sub}`");
        }
    }
    let (code, _, err) = run(&["completions", "tcsh"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn the_man_page_comes_from_the_same_definitions() {
    let (code, out, _) = run(&["man"]);
    assert_eq!(code, Some(0));
    assert!(out.contains(".TH bts-doctor 1"), "{out}");
    assert!(out.contains("\\-\\-kb") && out.contains("\\-\\-log\\-file"), "global options are documented");
    assert!(out.contains("report") && out.contains("readiness"));
}

#[test]
fn version_names_the_knowledge_base() {
    let kb = KnowledgeBase::embedded().unwrap();
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with(&format!("bts-doctor {}", env!("CARGO_PKG_VERSION"))), "{out}");
    assert!(out.contains(&format!("knowledge base {}", kb.fingerprint())), "{out}");
    assert!(out.contains(&format!("{} entries", kb.entries().len())), "{out}");
}

#[test]
fn the_log_file_records_what_happened_without_any_secret() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bts.log");
    let logfile = dir.path().join("setup.log");
    std::fs::write(
        &logfile,
        "MSI (s) (1C:28) [23:04:42:420]: Error 1920. Connection: Server=SQL01;User ID=sa;Password=InLogSecret1\r\n",
    )
    .unwrap();
    let conn = "Server=tcp:127.0.0.1,1;User ID=bts;Password=ArgSecret2;Encrypt=DANGER_PLAINTEXT";
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["--log-file"])
        .arg(&log)
        .args(["check", "--only", "sql-connection", "--sql", conn])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a refused connection is a failed connection check");
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["scan", "--json"])
        .arg(&logfile)
        .env("BTS_DOCTOR_LOG", &log)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("InLogSecret1"));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("bts-doctor started") && text.contains("SQL connection failed") && text.contains("file scanned"),
        "{text}"
    );
    assert!(text.contains("sql-network-error-40"), "{text}");
    for secret in ["ArgSecret2", "InLogSecret1"] {
        assert!(!text.contains(secret), "{secret} in the log: {text}");
    }
    let (code, _, err) = run(&["--log-file", "/nonexistent/dir/x.log", "kb", "list"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot open the log file"), "{err}");
}
