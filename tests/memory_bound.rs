//! Matching memory stays a small multiple of the text, whatever its size: the peak resident
//! memory of `match -` on a 6 MB paste, above the binary's own baseline, is at most four times
//! the text. Its own test binary, so the children counted are only these. Linux only
//! (getrusage's maximum resident set of waited-for children).
#![cfg(target_os = "linux")]

use std::io::Write;
use std::process::{Command, Stdio};

fn children_peak_kb() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    usage.ru_maxrss
}

fn match_stdin(text: &[u8]) -> i32 {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("bts-doctor"))
        .args(["match", "-"])
        .env("XDG_CONFIG_HOME", "/nonexistent-bts-doctor-config")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text).unwrap();
    child.wait().unwrap().code().unwrap_or(-1)
}

#[test]
fn matching_memory_is_at_most_four_times_the_text() {
    assert!(match_stdin(b"Error 1603") >= 0);
    let baseline = children_peak_kb();
    let line = "2017-01-12 10:16:09.085 ERROR Import-SsoSettings: Could not load file or assembly 'Microsoft.BizTalk.Interop.SSOClient, Version=7.0.2300.0' or one of its dependencies. The system cannot find the file specified. Login failed for user 'CONTOSO\\btsadmin'. 0x80070005\n";
    let text = line.repeat(6 * 1024 * 1024 / line.len());
    let code = match_stdin(text.as_bytes());
    assert!(code == 0 || code == 1, "the paste is matched: {code}");
    let peak = children_peak_kb();
    let over = (peak - baseline).max(0) * 1024;
    assert!(
        over <= 4 * text.len() as i64,
        "matching {} bytes took {} bytes above the baseline ({} KB)",
        text.len(),
        over,
        baseline
    );
}
