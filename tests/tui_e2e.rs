//! The real binary in a real terminal (tmux): paste an error as keystrokes and as a bracketed
//! paste, read the match from the screen, quit with Ctrl+C and check the exit. Needs tmux
//! (`.ci/run` installs it); without it the test says so and, under CI, fails.

use std::process::Command;
use std::time::{Duration, Instant};

const CLUSTER: &str =
    "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade.";

/// A tmux session on a tmux server of its own (`-L name`), so tests running at once never
/// race one server's start or shutdown.
struct Session(String);

/// `tmux -L <socket>`: every command of a session goes to its own server.
fn tmux(socket: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", socket]);
    c
}

impl Session {
    fn start(name: &str, command: &str) -> Session {
        let _ = tmux(name).args(["kill-server"]).output();
        let status = tmux(name)
            .args(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", command])
            .env_remove("NO_COLOR")
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Session(name.to_string())
    }

    fn keys(&self, args: &[&str]) {
        let status = tmux(&self.0).args(["send-keys", "-t", &self.0]).args(args).status().unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = tmux(&self.0).args(["capture-pane", "-p", "-t", &self.0]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen contains `text`; the 60 s watchdog only stops a broken test from
    /// hanging (the callers decide on what the screen shows, never on how long it took).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if screen.contains(text) || Instant::now() > deadline {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&self.0).args(["kill-server"]).output();
    }
}

fn tmux_available() -> bool {
    let ok = Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "tmux is required under CI (.ci/run installs it)");
        eprintln!("tmux not installed: end-to-end terminal test skipped");
    }
    ok
}

#[test]
fn paste_an_error_in_the_real_terminal_and_read_the_match() {
    if !tmux_available() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_bts-doctor");
    let command = format!("env -u BTS_DOCTOR_KB XDG_CONFIG_HOME=/nonexistent {bin}; echo EXIT=$?; sleep 30");
    let s = Session::start("bts-doctor-e2e", &command);
    let first = s.wait_for("Paste an error");
    assert!(first.contains("1 Paste"), "{first}");

    // typed as a stream of key presses (how Windows consoles deliver a paste)
    s.keys(&["-l", CLUSTER]);
    let screen = s.wait_for("sso-cluster-master-secret-not-running");
    assert!(screen.contains("sso-cluster-master-secret-not-running"), "{screen}");
    assert!(screen.contains("high"), "{screen}");

    // cleared, then a real bracketed paste
    s.keys(&["C-l"]);
    let status = tmux(&s.0)
        .args([
            "set-buffer",
            "-b",
            "e2e",
            "Could not open certificate store, the system cannot find the file specified (System).",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let status = tmux(&s.0).args(["paste-buffer", "-p", "-b", "e2e", "-t", &s.0]).status().unwrap();
    assert!(status.success());
    let screen = s.wait_for("certificate-store-missing");
    assert!(screen.contains("certificate-store-missing"), "{screen}");
    assert!(!screen.contains("sso-cluster-master-secret-not-running"), "old matches are gone: {screen}");

    // Ctrl+C leaves at once and the terminal is given back
    s.keys(&["C-c"]);
    let screen = s.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn run_the_live_checks_from_the_checks_screen() {
    if !tmux_available() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_bts-doctor");
    // Nothing listens on port 1 of the loopback, so the SQL connection is refused at once.
    let command = format!(
        "env -u BTS_DOCTOR_KB -u BTS_DOCTOR_SQL_PASSWORD XDG_CONFIG_HOME=/nonexistent {bin}; echo EXIT=$?; sleep 30"
    );
    let s = Session::start("bts-doctor-e2e-checks", &command);
    s.wait_for("Paste an error");
    // Keys reach the app in order: Tab leaves the paste box before 4 arrives.
    s.keys(&["Tab"]);
    s.keys(&["4"]);
    let screen = s.wait_for("r run all checks");
    assert!(screen.contains("SQL Server (read-only"), "{screen}");

    s.keys(&["r"]);
    let screen = s.wait_for(" skipped)");
    let total = screen.lines().filter(|l| l.contains("– skip")).count();
    assert!(total >= 20, "without a SQL Server every check here skips: {screen}");

    s.keys(&["e"]);
    s.keys(&["-l", "127.0.0.1,1"]);
    s.keys(&["Tab"]);
    s.keys(&["Tab"]);
    s.keys(&["-l", "sa"]);
    s.keys(&["Tab"]);
    s.keys(&["-l", "NotShown!9"]);
    let screen = s.wait_for("Password ••••••••");
    assert!(!screen.contains("NotShown"), "the password is masked: {screen}");
    assert!(!screen.contains("•••••••••"), "its length is not shown either: {screen}");
    s.keys(&["Enter"]);
    let screen = s.wait_for("fail  sql-connection");
    assert!(screen.contains("✗ fail  sql-connection"), "a refused connection fails the connection check: {screen}");
    assert!(screen.contains("not run"), "what could not be checked is said: {screen}");
    assert!(screen.contains("sql-network-error-40"), "the result names its entry: {screen}");
    assert!(!screen.contains("NotShown"), "{screen}");

    s.keys(&["q"]);
    let screen = s.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn check_asks_for_the_password_without_echoing_it() {
    if !tmux_available() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_bts-doctor");
    let command = format!(
        "env -u BTS_DOCTOR_SQL_PASSWORD -u BTS_DOCTOR_SQL {bin} check --only sql-connection --sql 'Server=tcp:127.0.0.1,1;User ID=bts_check;Encrypt=DANGER_PLAINTEXT'; echo EXIT=$?; sleep 30"
    );
    let s = Session::start("bts-doctor-e2e-password", &command);
    let screen = s.wait_for("Password for SQL login bts_check");
    assert!(screen.contains("Password for SQL login bts_check on tcp:127.0.0.1,1"), "{screen}");
    s.keys(&["-l", "Typed-Secret-77"]);
    s.keys(&["Enter"]);
    let screen = s.wait_for("EXIT=");
    assert!(screen.contains("sql-network-error-40"), "{screen}");
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(!screen.contains("Typed-Secret"), "the password was echoed: {screen}");
}

#[test]
fn walk_the_recovery_guide_quit_and_resume_where_it_stopped() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_bts-doctor");
    let log = "tests/fixtures/logs/msi-database-upgrade-failed.log";
    let start = |name: &str, args: &str| {
        let command = format!(
            "env -u BTS_DOCTOR_KB BTS_DOCTOR_DATA={} XDG_CONFIG_HOME=/nonexistent {bin} {args}; echo EXIT=$?; sleep 30",
            data.path().display()
        );
        Session::start(name, &command)
    };
    let s = start("bts-doctor-e2e-guide", log);
    s.wait_for("Root cause");
    s.keys(&["5"]);
    let screen = s.wait_for("(from the scanned logs)");
    assert!(screen.contains("▶ While upgrading the BizTalk databases  (from the scanned logs)"), "{screen}");
    s.keys(&["Enter"]);
    let screen = s.wait_for("Enter runs check sql-biztalk-version");
    assert!(screen.contains("✓ Where did the upgrade fail? → database-upg"), "{screen}");
    // No SQL Server: the check cannot tell, and its `unknown` branch asks the question itself.
    s.keys(&["Enter"]);
    let screen = s.wait_for("Do the databases record BizTalk Server 2016");
    assert!(screen.contains("? Which version do the BizTalk databases"), "not marked as established: {screen}");
    s.keys(&["Down"]);
    s.keys(&["Enter"]);
    let screen = s.wait_for("Enter runs check local-biztalk-version");
    s.keys(&["Enter"]);
    let screen2 = s.wait_for("Answer it yourself");
    assert!(screen2.contains("could not tell"), "{screen2}");
    assert!(screen2.contains("Programs and Features"), "{screen2}");
    assert!(!screen2.contains("▶ Nothing of the previous"), "nothing is asserted: {screen2} (before: {screen})");
    s.keys(&["q"]);
    s.wait_for("EXIT=0");
    drop(s);

    let s = start("bts-doctor-e2e-guide-2", "");
    s.wait_for("Paste an error");
    // Keys reach the app in order: Tab leaves the paste box before 5 arrives.
    s.keys(&["Tab"]);
    s.keys(&["5"]);
    let screen = s.wait_for("Saved progress found");
    assert!(screen.contains("You stopped at “Is a BizTalk Server version still installed"), "{screen}");
    s.keys(&["Enter"]);
    let screen = s.wait_for("Enter runs check local-biztalk-version");
    assert!(screen.contains("? Which version do the BizTalk databases"), "{screen}");
    s.keys(&["q"]);
    s.wait_for("EXIT=0");
}

#[test]
fn ctrl_e_exports_a_report_of_the_session() {
    if !tmux_available() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_bts-doctor");
    let command = format!(
        "env -u BTS_DOCTOR_KB BTS_DOCTOR_DATA={} XDG_CONFIG_HOME=/nonexistent {bin} tests/fixtures/logs/msi-upgrade-failed.log; echo EXIT=$?; sleep 30",
        data.path().display()
    );
    let s = Session::start("bts-doctor-e2e-export", &command);
    s.wait_for("Root cause");
    s.keys(&["C-e"]);
    let screen = s.wait_for("bts-doctor-report-");
    assert!(screen.contains(".md"), "the tab bar names the file: {screen}");
    let reports: Vec<_> = std::fs::read_dir(data.path().join("reports")).unwrap().flatten().collect();
    assert_eq!(reports.len(), 1);
    let text = std::fs::read_to_string(reports[0].path()).unwrap();
    assert!(text.starts_with("# bts-doctor report"), "{text}");
    assert!(text.contains("## Log scan") && text.contains("setup-regsvcs-5003"), "{text}");
    s.keys(&["q"]);
    s.wait_for("EXIT=0");
}

#[test]
fn a_signal_from_outside_gives_the_terminal_back() {
    if !tmux_available() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_bts-doctor");
    for signal in ["TERM", "HUP", "INT"] {
        let name = format!("bts-doctor-e2e-signal-{signal}");
        // After the app ends, the shell prints the terminal's modes: cooked mode has icanon and echo.
        let command = format!(
            "env -u BTS_DOCTOR_KB XDG_CONFIG_HOME=/nonexistent {bin}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo MODES; sleep 30"
        );
        let s = Session::start(&name, &command);
        s.wait_for("Paste an error");
        let shell = tmux(&s.0).args(["display", "-p", "-t", &s.0, "#{pane_pid}"]).output().unwrap();
        let shell = String::from_utf8_lossy(&shell.stdout).trim().to_string();
        let child = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        let pid = String::from_utf8_lossy(&child.stdout).lines().next().unwrap_or("").trim().to_string();
        assert!(!pid.is_empty(), "the app runs under the pane's shell");
        let killed = Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
        assert!(killed.success());
        let screen = s.wait_for("MODES");
        assert!(screen.contains("EXIT="), "the app ended on SIG{signal}: {screen}");
        assert!(screen.contains("icanon echo"), "cooked mode again after SIG{signal}: {screen}");
        assert!(!screen.contains("Paste an error"), "the main screen is back (no alternate screen left): {screen}");
    }
}
