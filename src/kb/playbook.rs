//! Playbooks: guided procedures (pre-upgrade readiness, recovery from a failed upgrade,
//! post-upgrade tasks) as a graph of steps in YAML under `knowledge/playbooks/`. The state
//! machine that walks them lives in `guide`; this is the validated data.

use super::model::Origin;
use super::problem::Problem;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// A guided procedure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Playbook {
    /// Stable id (`recover-failed-upgrade`); progress files are keyed by it.
    pub id: String,
    /// One line saying what it is for.
    pub title: String,
    /// The first step's id.
    pub start: String,
    /// Every step, in the order written (the order a checklist reads).
    pub steps: Vec<Step>,
    /// Where the facts come from.
    pub references: Vec<String>,
    /// Where it was loaded from.
    pub origin: Origin,
}

impl Playbook {
    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// A short stable hash of the playbook's content (origin excluded): progress saved against
    /// another hash belongs to a changed playbook.
    pub fn hash(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("origin");
        }
        format!("{:016x}", crate::hash::fnv(crate::hash::FNV_OFFSET, value.to_string().as_bytes()))
    }
}

/// What a step asks of the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Something to read; continue to `next`.
    Info,
    /// A question whose answer picks the branch.
    Question,
    /// A live check: `pass` on a pass, `fail` on a failure or warning, and `unknown` when it
    /// could not tell (or, without `unknown`, its `ask` question put to the user).
    Check,
    /// Something to do (a command to copy or a console action), confirmed done; then `next`.
    Action,
    /// The end of a path.
    Done,
}

/// One answer of a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The value scripts and `--answers` use (`database-upgrade`, `yes`).
    pub value: String,
    /// What the user reads.
    pub label: String,
    /// The step it leads to.
    pub next: String,
}

/// What the scanned logs give a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FromScan {
    /// A question answered by the failed upgrade phase.
    Phase,
    /// An info or action step that shows the logs' root cause and its entry.
    RootCause,
}

/// A procedure whose exact commands are generated for the group (instead of one fixed
/// `command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Procedure {
    /// Every BizTalk database restored to one mark of the Backup BizTalk Server job: full and
    /// log backups with `NORECOVERY`, the last log `WITH STOPATMARK … , RECOVERY`, in order.
    RestoreToMark,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Id, unique in the playbook.
    pub id: String,
    /// What kind of step.
    pub kind: StepKind,
    /// One line.
    pub title: String,
    /// Why this step, and what to do, in plain words.
    #[serde(default)]
    pub text: String,
    /// The knowledge entry behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// A check step's live check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The exact command or console action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// A question's answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Where info and action steps lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Where a check step leads on a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// Where a check step leads when the check found a failure or a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<String>,
    /// Where a check step leads when the check could not tell (skipped, not applicable, error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
    /// A check step's question for the user when the check could not tell and no `unknown`
    /// branch is given: "yes" takes `pass`, "no" takes `fail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<String>,
    /// On an action that changes data irreversibly (restore, delete, uninstall, disabling
    /// SSO): what it affects. The Guide and `recover` ask for an explicit confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive: Option<String>,
    /// An action whose commands are generated for the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<Procedure>,
    /// What the scanned logs give this step: `phase` answers a question, `root-cause` shows
    /// the logs' root cause on an info or action step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_scan: Option<FromScan>,
}

impl Step {
    /// The steps this one can lead to.
    pub fn targets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.choices.iter().map(|c| c.next.as_str()).collect();
        out.extend([&self.next, &self.pass, &self.fail, &self.unknown].into_iter().flatten().map(String::as_str));
        out
    }
}

/// A playbook as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaybook {
    id: Spanned<String>,
    title: String,
    start: String,
    steps: Vec<Spanned<Step>>,
    #[serde(default)]
    references: Vec<String>,
}

/// Parses one playbook and checks each step's own shape (the graph is checked by
/// [`lint_graph`] once entries and checks are known).
pub fn parse_playbook(text: &str, mut origin: Origin) -> Result<Playbook, Vec<Problem>> {
    let raw: RawPlaybook = super::parse::from_yaml(text, &origin.file)?;
    origin.line = raw.id.referenced.line();
    let id = raw.id.value.trim().to_string();
    let file = origin.file.clone();
    let mut problems = Vec::new();
    if !super::parse::is_kebab_id(&id) {
        problems.push(Problem::error(
            &file,
            Some(origin.line),
            None,
            format!("playbook id `{id}` must be lower-case words joined by `-`"),
        ));
    }
    let mut steps = Vec::with_capacity(raw.steps.len());
    for spanned in raw.steps {
        let line = spanned.referenced.line();
        let step = spanned.value;
        let mut at =
            |m: String| problems.push(Problem::error(&file, Some(line), None, format!("step `{}`: {m}", step.id)));
        if steps.iter().any(|s: &Step| s.id == step.id) {
            at("a step with this id comes earlier".into());
        }
        match step.kind {
            StepKind::Question if step.choices.len() < 2 => at("a question needs at least two choices".into()),
            StepKind::Check if step.check.is_none() || step.pass.is_none() || step.fail.is_none() => {
                at("a check step needs `check`, `pass` and `fail`".into())
            }
            StepKind::Check if step.unknown.is_none() && step.ask.as_deref().is_none_or(|a| a.trim().is_empty()) => at(
                "a check step needs a way through when its check cannot tell: an `unknown` branch, or an `ask` question (yes takes `pass`, no takes `fail`)"
                    .into(),
            ),
            StepKind::Info | StepKind::Action if step.next.is_none() => at("needs `next`".into()),
            StepKind::Done if !step.targets().is_empty() => at("a done step leads nowhere".into()),
            StepKind::Action if step.command.is_none() && step.text.is_empty() => {
                at("an action needs a `command` or a `text` saying what to do".into())
            }
            _ => {}
        }
        if step.kind != StepKind::Question && !step.choices.is_empty() {
            at("only a question has choices".into());
        }
        match (step.from_scan, step.kind) {
            (Some(FromScan::Phase), k) if k != StepKind::Question => {
                at("`from_scan: phase` answers a question only".into())
            }
            (Some(FromScan::RootCause), k) if !matches!(k, StepKind::Info | StepKind::Action) => {
                at("`from_scan: root-cause` is shown on an info or action step only".into())
            }
            _ => {}
        }
        if step.kind != StepKind::Check && (step.unknown.is_some() || step.ask.is_some()) {
            at("only a check step has `unknown` or `ask`".into());
        }
        if step.kind != StepKind::Action && (step.destructive.is_some() || step.procedure.is_some()) {
            at("only an action has `destructive` or `procedure`".into());
        }
        if step.destructive.as_deref().is_some_and(|d| d.trim().is_empty()) {
            at("`destructive` must say what the action affects".into());
        }
        steps.push(step);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Playbook {
        id,
        title: raw.title.trim().to_string(),
        start: raw.start,
        steps,
        references: raw.references,
        origin,
    })
}

/// The graph rules: the start and every branch name a step that exists, every check and
/// entry named exists, and every step reachable from the start can still reach a `done`.
pub fn lint_graph(
    playbook: &Playbook,
    entry_exists: impl Fn(&str) -> bool,
    check_exists: impl Fn(&str) -> bool,
) -> Vec<Problem> {
    let file = &playbook.origin.file;
    let at =
        |m: String| Problem::error(file, Some(playbook.origin.line), None, format!("playbook `{}`: {m}", playbook.id));
    let mut problems = Vec::new();
    if playbook.step(&playbook.start).is_none() {
        problems.push(at(format!("start `{}` is not a step", playbook.start)));
    }
    for step in &playbook.steps {
        for target in step.targets() {
            if playbook.step(target).is_none() {
                problems.push(at(format!("step `{}` leads to `{target}`, which is not a step", step.id)));
            }
        }
        if let Some(check) = step.check.as_deref().filter(|c| !check_exists(c)) {
            problems.push(at(format!("step `{}` runs check `{check}`, which is not in the knowledge base", step.id)));
        }
        if let Some(issue) = step.issue.as_deref().filter(|i| !entry_exists(i)) {
            problems.push(at(format!("step `{}` names issue `{issue}`, which is not in the knowledge base", step.id)));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    // Steps that can reach a done, found backwards from every done.
    let mut finishes: Vec<&str> =
        playbook.steps.iter().filter(|s| s.kind == StepKind::Done).map(|s| s.id.as_str()).collect();
    loop {
        let before = finishes.len();
        for step in &playbook.steps {
            if !finishes.contains(&step.id.as_str()) && step.targets().iter().any(|t| finishes.contains(t)) {
                finishes.push(&step.id);
            }
        }
        if finishes.len() == before {
            break;
        }
    }
    let mut reachable = vec![playbook.start.as_str()];
    let mut i = 0;
    while i < reachable.len() {
        if let Some(step) = playbook.step(reachable[i]) {
            for t in step.targets() {
                if !reachable.contains(&t) {
                    reachable.push(t);
                }
            }
        }
        i += 1;
    }
    for step in &playbook.steps {
        let id = step.id.as_str();
        if reachable.contains(&id) && !finishes.contains(&id) {
            problems.push(at(format!("from step `{id}` no path reaches a done step")));
        }
        if !reachable.contains(&id) {
            problems.push(Problem::warning(
                file,
                Some(playbook.origin.line),
                format!("playbook `{}`: step `{id}` cannot be reached from the start", playbook.id),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin { layer: "test".into(), file: "playbooks/t.yaml".into(), line: 0 }
    }

    const GOOD: &str = "id: t-book\ntitle: T\nstart: q\nsteps:\n  - id: q\n    kind: question\n    title: Which?\n    choices:\n      - {value: a, label: A, next: c}\n      - {value: b, label: B, next: end}\n  - id: c\n    kind: check\n    title: Check\n    check: x-check\n    pass: end\n    fail: loop\n    ask: Is it so?\n  - id: loop\n    kind: info\n    title: Loop back\n    next: q\n  - id: end\n    kind: done\n    title: Done\n";

    #[test]
    fn a_playbook_parses_and_its_graph_is_sound() {
        let p = parse_playbook(GOOD, origin()).unwrap();
        assert_eq!(p.steps.len(), 4);
        assert!(lint_graph(&p, |_| true, |c| c == "x-check").is_empty());
        assert_eq!(p.hash(), parse_playbook(GOOD, origin()).unwrap().hash());
        assert_ne!(p.hash(), parse_playbook(&GOOD.replace("Which?", "Which one?"), origin()).unwrap().hash());
    }

    #[test]
    fn dangling_branches_unknown_checks_and_dead_ends_are_errors() {
        let p = parse_playbook(&GOOD.replace("next: end}", "next: nowhere}"), origin()).unwrap();
        let problems = lint_graph(&p, |_| true, |_| true);
        assert!(problems.iter().any(|m| m.message.contains("leads to `nowhere`, which is not a step")), "{problems:?}");
        let p = parse_playbook(GOOD, origin()).unwrap();
        let problems = lint_graph(&p, |_| true, |_| false);
        assert!(problems.iter().any(|m| m.message.contains("runs check `x-check`")), "{problems:?}");
        // A cycle with no way out.
        let trapped = GOOD.replace("pass: end", "pass: loop").replace("next: end}", "next: c}");
        let p = parse_playbook(&trapped, origin()).unwrap();
        let problems = lint_graph(&p, |_| true, |_| true);
        assert!(problems.iter().any(|m| m.message.contains("no path reaches a done step")), "{problems:?}");
    }

    #[test]
    fn a_check_step_without_a_way_through_for_unknown_is_refused() {
        let bad = GOOD.replace("    ask: Is it so?\n", "");
        let problems = parse_playbook(&bad, origin()).unwrap_err();
        assert!(problems[0].message.contains("cannot tell"), "{problems:?}");
        let branch = GOOD.replace("    ask: Is it so?\n", "    unknown: loop\n");
        let p = parse_playbook(&branch, origin()).unwrap();
        assert!(p.step("c").unwrap().targets().contains(&"loop"));
        assert!(lint_graph(&p, |_| true, |_| true).is_empty());
        let dangling = GOOD.replace("    ask: Is it so?\n", "    unknown: nowhere\n");
        let p = parse_playbook(&dangling, origin()).unwrap();
        let problems = lint_graph(&p, |_| true, |_| true);
        assert!(problems.iter().any(|m| m.message.contains("leads to `nowhere`")), "{problems:?}");
    }

    #[test]
    fn destructive_and_procedure_belong_to_actions() {
        let bad = GOOD.replace("    title: Loop back\n", "    title: Loop back\n    destructive: everything\n");
        let problems = parse_playbook(&bad, origin()).unwrap_err();
        assert!(problems[0].message.contains("only an action"), "{problems:?}");
    }

    #[test]
    fn step_shapes_are_checked_when_parsed() {
        let bad = GOOD.replace("    pass: end\n", "");
        let problems = parse_playbook(&bad, origin()).unwrap_err();
        assert!(problems[0].message.contains("needs `check`, `pass` and `fail`"), "{problems:?}");
        assert!(problems[0].line.is_some());
    }
}
