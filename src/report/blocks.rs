//! The report's content as format-neutral blocks, built once from the redacted JSON tree;
//! Markdown and HTML only decide how each block looks.

use serde_json::Value;

/// One piece of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading (level 1 to 3).
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// Label/value pairs.
    Facts(Vec<(String, String)>),
    /// A table: header and rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Lines shown as they are (log context, commands).
    Code(Vec<String>),
    /// A bulleted list.
    List(Vec<String>),
    /// A numbered list (steps, an order).
    Numbered(Vec<String>),
}

fn s(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Builds the blocks of a redacted report tree (see `ReportData`).
pub fn blocks(tree: &Value) -> Vec<Block> {
    let mut out = vec![Block::Heading(1, "bts-doctor report".into())];
    let tool = &tree["tool"];
    let red = &tree["redaction"];
    let mut masked = vec!["passwords and tokens".to_string()];
    if red["hosts"] == true {
        masked.push("machine names (HOST-n)".into());
    }
    if red["users"] == true {
        masked.push("account names (USER-n)".into());
    }
    out.push(Block::Facts(vec![
        ("Generated".into(), s(&tree["generated_at"])),
        ("Tool".into(), format!("{} {}", s(&tool["name"]), s(&tool["version"]))),
        ("Knowledge base".into(), format!("{} ({} entries)", s(&tool["knowledge_base"]), s(&tool["entries"]))),
        ("Masked".into(), masked.join(", ")),
    ]));
    summary(&tree["summary"], &mut out);
    if !tree["matches"].is_null() {
        matches(&tree["matches"], &mut out);
    }
    if !tree["scan"].is_null() {
        scan(&tree["scan"], &mut out);
    }
    if !tree["checks"].is_null() {
        checks(&tree["checks"], &mut out);
    }
    if !tree["readiness"].is_null() {
        readiness(&tree["readiness"], &mut out);
    }
    if !arr(&tree["guide"]).is_empty() {
        guide(&tree["guide"], &mut out);
    }
    if !tree["server"].is_null() {
        server(&tree["server"], &mut out);
    }
    out
}

/// The server facts `compare` lines up, each with its value or why it is unknown.
fn server(part: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, format!("Server facts: {}", s(&part["host"]))));
    out.push(Block::Table(
        vec!["Fact".into(), "Value".into(), "Source".into()],
        arr(&part["facts"])
            .iter()
            .map(|f| {
                let value = if f["value"].is_null() {
                    format!("unknown: {}", s(&f["unknown_reason"]))
                } else if f["detail"].is_string() {
                    format!("{} ({})", s(&f["value"]), s(&f["detail"]))
                } else {
                    s(&f["value"])
                };
                vec![s(&f["title"]), value, s(&f["source"])]
            })
            .collect(),
    ));
}

fn matches(m: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, "Pasted error".into()));
    out.push(Block::Code(s(&m["query"]).lines().map(str::to_string).collect()));
    let list = arr(&m["matches"]);
    if list.is_empty() || m["verdict"] == "no-known-issue" {
        out.push(Block::Para("No known issue matches with confidence.".into()));
    }
    codes(&m["codes"], out);
    for item in list.iter().filter(|i| i["confidence"] != "low") {
        out.push(Block::Heading(3, format!("{} — {}", s(&item["id"]), s(&item["title"]))));
        out.push(Block::Facts(vec![
            ("Confidence".into(), format!("{} (score {})", s(&item["confidence"]), s(&item["score"]))),
            ("Why this confidence".into(), s(&item["reason"])),
            ("Severity".into(), s(&item["severity"])),
        ]));
        out.push(Block::Para(s(&item["cause"])));
        entry_fix(&item["fix"], out);
    }
}

fn entry_fix(fix: &Value, out: &mut Vec<Block>) {
    let steps: Vec<String> = arr(fix)
        .iter()
        .map(|f| {
            let command =
                if f["command"].is_null() { String::new() } else { format!(" (command: {})", s(&f["command"])) };
            format!("{}{command}", s(&f["step"]))
        })
        .collect();
    if !steps.is_empty() {
        out.push(Block::Numbered(steps));
    }
}

fn place(p: &Value) -> String {
    format!("{}:{}", s(&p["path"]), s(&p["line"]))
}

/// Log context lines, numbered.
fn context(lines: &Value) -> Block {
    Block::Code(arr(lines).iter().map(|c| format!("{:>6}  {}", s(&c["line"]), s(&c["text"]))).collect())
}

fn scan(r: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, "Log scan".into()));
    let files: Vec<Vec<String>> = arr(&r["files"])
        .iter()
        .map(|f| {
            let read = if f["skipped"].is_null() {
                format!("{} / {}", s(&f["format"]), s(&f["encoding"]))
            } else {
                format!("skipped: {}", s(&f["skipped"]))
            };
            vec![s(&f["path"]), read, s(&f["records"])]
        })
        .collect();
    out.push(Block::Table(vec!["File".into(), "Format / encoding".into(), "Records".into()], files));
    out.push(Block::Facts(vec![
        ("Failed phase".into(), s(&r["phase"])),
        ("Why".into(), s(&r["phase_detail"]["reason"])),
    ]));
    let root = &r["root_cause"];
    if root.is_null() {
        out.push(Block::Para("Nothing failed in these logs.".into()));
    } else {
        out.push(Block::Heading(3, "Root cause".into()));
        let issue = if root["issue_id"].is_null() { "no known issue".to_string() } else { s(&root["issue_id"]) };
        out.push(Block::Facts(vec![
            ("Where".into(), place(root)),
            ("Known issue".into(), issue),
            ("Reason".into(), s(&root["reason"])),
        ]));
        out.push(context(&root["context"]));
    }
    let findings = arr(&r["findings"]);
    if !findings.is_empty() {
        out.push(Block::Heading(3, format!("Known issues ({})", findings.len())));
        out.push(Block::Table(
            vec!["Issue".into(), "Severity".into(), "Count".into(), "First seen".into()],
            findings
                .iter()
                .map(|f| {
                    vec![
                        format!("{} — {}", s(&f["issue_id"]), s(&f["title"])),
                        s(&f["severity"]),
                        s(&f["count"]),
                        place(&f["first"]),
                    ]
                })
                .collect(),
        ));
        for f in findings {
            out.push(Block::Para(format!("{} at {}:", s(&f["issue_id"]), place(&f["first"]))));
            out.push(context(&f["context"]));
        }
    }
    let unmatched = arr(&r["unmatched"]);
    if !unmatched.is_empty() {
        out.push(Block::Heading(3, format!("Errors matching no known issue ({})", unmatched.len())));
        out.push(Block::Table(
            vec!["Count".into(), "Error (variable parts masked)".into(), "First seen".into()],
            unmatched.iter().map(|u| vec![s(&u["count"]), s(&u["template"]), place(&u["first"])]).collect(),
        ));
        if r["unmatched_omitted"].as_u64().unwrap_or(0) > 0 {
            out.push(Block::Para(format!("{} more groups left out.", s(&r["unmatched_omitted"]))));
        }
    }
    codes(&r["codes"], out);
}

/// The codes found in a paste or a log, each explained from its catalogue.
fn codes(list: &Value, out: &mut Vec<Block>) {
    let list = arr(list);
    if list.is_empty() {
        return;
    }
    out.push(Block::Heading(3, format!("Codes explained ({})", list.len())));
    out.push(Block::Table(
        vec!["Code".into(), "Name".into(), "Meaning".into(), "Area / entry".into(), "First seen".into()],
        list.iter()
            .map(|c| {
                let first = if c["first"].is_object() { place(&c["first"]) } else { String::new() };
                let entry = if c["entry"].is_string() {
                    format!("{} / {}", s(&c["area"]), s(&c["entry"]))
                } else {
                    s(&c["area"])
                };
                vec![
                    s(&c["code"]),
                    if c["name"].is_string() { s(&c["name"]) } else { String::new() },
                    s(&c["meaning"]),
                    entry,
                    first,
                ]
            })
            .collect(),
    ));
}

fn checks(c: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, "Live checks".into()));
    let sql = &c["sql"];
    let target = if sql.is_null() {
        "no SQL Server".to_string()
    } else {
        format!("{} / {} ({}, encrypt {})", s(&sql["server"]), s(&sql["database"]), s(&sql["auth"]), s(&sql["encrypt"]))
    };
    out.push(Block::Facts(vec![("SQL Server".into(), target)]));
    out.push(Block::Table(
        vec!["Status".into(), "Check".into(), "Detail".into(), "Knowledge".into()],
        arr(&c["results"])
            .iter()
            .map(|r| {
                let fix = if r["fix"].is_null() { String::new() } else { format!(" — fix: {}", s(&r["fix"])) };
                vec![
                    s(&r["status"]).to_uppercase(),
                    format!("{} — {}", s(&r["id"]), s(&r["title"])),
                    s(&r["detail"]),
                    format!("{}{fix}", s(&r["issue_id"])),
                ]
            })
            .collect(),
    ));
}

/// The overall verdict first: what the report establishes, and what it could not.
fn summary(sum: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, "Summary".into()));
    let verdict = match s(&sum["verdict"]).as_str() {
        "problems" => "Problems found: see the items below.",
        "incomplete" => "Incomplete: nothing failed, but some things could not be evaluated (listed below).",
        _ => "Complete: everything asked for was evaluated and nothing failed.",
    };
    out.push(Block::Para(verdict.into()));
    let problems: Vec<String> = arr(&sum["problems"]).iter().map(s).collect();
    if !problems.is_empty() {
        out.push(Block::List(problems));
    }
    let open: Vec<String> = arr(&sum["not_evaluated"]).iter().map(|n| format!("Not evaluated: {}", s(n))).collect();
    if !open.is_empty() {
        out.push(Block::List(open));
    }
}

fn readiness(r: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, "Upgrade readiness".into()));
    let verdict = match s(&r["verdict"]).as_str() {
        "ready" if r["checks_run"] == true => {
            "Ready: every support matrix allows the upgrade and every live check passed."
        }
        "ready" => "Ready on the support matrices; the live checks were not run.",
        "blocked" => "Not ready: resolve the blockers first.",
        _ => "Incomplete: no blocker found, but some things could not be evaluated.",
    };
    out.push(Block::Para(verdict.into()));
    out.push(Block::Table(
        vec!["Dimension".into(), "Value".into(), "Verdict".into(), "Why".into()],
        arr(&r["dimensions"])
            .iter()
            .map(|d| vec![s(&d["name"]), s(&d["value"]), s(&d["verdict"]), s(&d["detail"])])
            .collect(),
    ));
    for note in arr(&r["notes"]) {
        out.push(Block::Para(format!("Note: {}", s(note))));
    }
    let open: Vec<String> = arr(&r["not_evaluated"]).iter().map(s).collect();
    if !open.is_empty() {
        out.push(Block::Para("Not evaluated:".into()));
        out.push(Block::List(open));
    }
    out.push(Block::Heading(3, "Before the upgrade".into()));
    out.push(Block::Table(
        vec!["Status".into(), "Item".into(), "Detail".into()],
        arr(&r["checklist"])
            .iter()
            .map(|i| vec![s(&i["status"]).to_uppercase(), s(&i["title"]), s(&i["detail"])])
            .collect(),
    ));
    let order: Vec<String> = arr(&r["upgrade_order"]).iter().map(s).collect();
    if !order.is_empty() {
        out.push(Block::Para("Upgrade the computers one at a time, in this order:".into()));
        out.push(Block::Numbered(order));
    }
}

fn guide(parts: &Value, out: &mut Vec<Block>) {
    out.push(Block::Heading(2, "Guided procedures".into()));
    for p in arr(parts) {
        let state = if p["finished"] == true {
            format!("finished: {}", s(&p["current_title"]))
        } else {
            format!("waiting at: {}", s(&p["current_title"]))
        };
        out.push(Block::Heading(3, format!("{} ({state})", s(&p["title"]))));
        let steps: Vec<String> = arr(&p["steps"])
            .iter()
            .map(|st| {
                if st["outcome"].is_null() {
                    s(&st["title"])
                } else {
                    format!("{} → {}", s(&st["title"]), s(&st["outcome"]))
                }
            })
            .collect();
        if steps.is_empty() {
            out.push(Block::Para("No step taken yet.".into()));
        } else {
            out.push(Block::List(steps));
        }
    }
}
