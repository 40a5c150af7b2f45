//! Finding and reading knowledge layers: the embedded files first, then overlay directories
//! (platform config dir, `BTS_DOCTOR_KB`, `--kb DIR`), each adding entries or replacing one by id.

use super::catalogue::{parse_catalogue, row_signatures, Catalogue, Catalogues};
use super::check_spec::{parse_check, CheckSpec};
use super::matrix::{parse_matrices, SupportMatrices};
use super::model::{Entry, Origin};
use super::parse::parse_entry;
use super::playbook::{lint_graph, parse_playbook, Playbook};
use super::problem::{LoadError, Problem};
use super::KnowledgeBase;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The id of the support matrices file.
pub const MATRICES_ID: &str = "support-matrices";

/// The environment variable holding overlay directories (separated like `PATH`).
pub const KB_ENV: &str = "BTS_DOCTOR_KB";

/// Which knowledge layers to load, lowest first.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Start from the knowledge embedded in the binary.
    pub embedded: bool,
    /// Overlay directories that may be absent without complaint (the platform config dir).
    pub optional_dirs: Vec<PathBuf>,
    /// Overlay directories the user named; a missing one is an error.
    pub dirs: Vec<PathBuf>,
}

impl Sources {
    /// The embedded knowledge alone.
    pub fn embedded_only() -> Self {
        Sources { embedded: true, ..Default::default() }
    }

    /// The standard stack: embedded (unless `no_embedded`), the platform config directory's
    /// `knowledge` folder, the directories in `BTS_DOCTOR_KB`, then `cli_dirs`.
    pub fn discover(cli_dirs: &[PathBuf], no_embedded: bool) -> Self {
        let optional_dirs = directories::ProjectDirs::from("", "", "bts-doctor")
            .map(|p| vec![p.config_dir().join("knowledge")])
            .unwrap_or_default();
        let mut dirs: Vec<PathBuf> = std::env::var_os(KB_ENV)
            .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
            .unwrap_or_default();
        dirs.extend(cli_dirs.iter().cloned());
        Sources { embedded: !no_embedded, optional_dirs, dirs }
    }

    /// Loads every layer and merges them into one knowledge base.
    pub fn load(&self) -> Result<KnowledgeBase, LoadError> {
        let mut layers = Vec::new();
        let mut problems = Vec::new();
        if self.embedded {
            let pick = |folder: &str| {
                super::embedded::FILES
                    .iter()
                    .filter(|(path, _)| path.starts_with(folder))
                    .map(|(path, text)| (path.to_string(), Ok(text.to_string())))
                    .collect()
            };
            layers.push(Layer {
                name: "embedded".into(),
                files: pick("knowledge/issues/"),
                checks: pick("knowledge/checks/"),
                playbooks: pick("knowledge/playbooks/"),
                readiness: pick("knowledge/readiness/"),
                catalogues: pick("knowledge/catalogues/"),
            });
        }
        for dir in &self.optional_dirs {
            if dir.is_dir() {
                layers.push(read_dir_layer(dir, &mut problems));
            }
        }
        for dir in &self.dirs {
            if dir.is_dir() {
                layers.push(read_dir_layer(dir, &mut problems));
            } else {
                let why = if dir.exists() { "is not a directory" } else { "does not exist" };
                problems.push(Problem::error(
                    &dir.display().to_string(),
                    None,
                    None,
                    format!("knowledge directory {why}"),
                ));
            }
        }
        merge(layers, problems)
    }
}

/// A file's path and text (or why the text could not be read).
type FileText = (String, Result<String, String>);

/// One layer's files: entries, check specs, playbooks and the support matrices.
struct Layer {
    name: String,
    files: Vec<FileText>,
    checks: Vec<FileText>,
    playbooks: Vec<FileText>,
    readiness: Vec<FileText>,
    catalogues: Vec<FileText>,
}

/// Reads entries from `dir/*.yaml` and `dir/issues/**/*.yaml`, checks from `dir/checks/**/*.yaml`.
fn read_dir_layer(dir: &Path, problems: &mut Vec<Problem>) -> Layer {
    let mut paths = Vec::new();
    collect(dir, false, &mut paths, problems);
    let issues = dir.join("issues");
    if issues.is_dir() {
        collect(&issues, true, &mut paths, problems);
    }
    let mut folder = |name: &str| {
        let mut found = Vec::new();
        let path = dir.join(name);
        if path.is_dir() {
            collect(&path, true, &mut found, problems);
        }
        read_all(found)
    };
    Layer {
        name: dir.display().to_string(),
        files: read_all(paths),
        checks: folder("checks"),
        playbooks: folder("playbooks"),
        readiness: folder("readiness"),
        catalogues: folder("catalogues"),
    }
}

/// Most bytes one knowledge file may hold.
pub const FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// Reads each file as UTF-8 text, sorted by path, at most [`FILE_LIMIT`] bytes each.
fn read_all(mut paths: Vec<PathBuf>) -> Vec<FileText> {
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = crate::input::read_path(&p, FILE_LIMIT)
                .map_err(|e| match e {
                    crate::input::InputError::Io { source, .. } => source.to_string(),
                    other => other.to_string(),
                })
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string()));
            (p.display().to_string(), text)
        })
        .collect()
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// The YAML files of `dir` (and below it when `recurse`), through the bounded walk that never
/// follows a loop; FIFOs and devices are reported instead of read.
fn collect(dir: &Path, recurse: bool, out: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let limits =
        if recurse { crate::walk::LIMITS } else { crate::walk::Limits { max_depth: 0, ..crate::walk::LIMITS } };
    for found in crate::walk::walk(dir, limits, &is_yaml) {
        match found {
            crate::walk::Found::File(p) => out.push(p),
            // Folders below the top level of an overlay are not read there: not a problem.
            crate::walk::Found::Skipped(_, why) if !recurse && why.starts_with("deeper than") => {}
            crate::walk::Found::Skipped(p, why) if why.starts_with("cannot read this folder") => {
                problems.push(Problem::error(&p.display().to_string(), None, None, why))
            }
            crate::walk::Found::Skipped(p, why) => {
                problems.push(Problem::warning(&p.display().to_string(), None, format!("not read: {why}")))
            }
        }
    }
}

/// Parses every layer, then lets each later layer add entries and checks or replace them by id.
/// Links between them (an entry's checks, a check's entry) are checked once all are merged.
fn merge(layers: Vec<Layer>, mut problems: Vec<Problem>) -> Result<KnowledgeBase, LoadError> {
    let mut entries: HashMap<String, Entry> = HashMap::new();
    let mut checks: HashMap<String, CheckSpec> = HashMap::new();
    let mut playbooks: HashMap<String, Playbook> = HashMap::new();
    let mut matrices: HashMap<String, SupportMatrices> = HashMap::new();
    let mut catalogues: HashMap<String, Catalogue> = HashMap::new();
    let mut replaced = Vec::new();
    for layer in layers {
        let origin = |file: &str| Origin { layer: layer.name.clone(), file: file.to_string(), line: 0 };
        let (r, p) = (&mut replaced, &mut problems);
        merge_files(layer.files, |text, file| parse_entry(text, origin(file)), &mut entries, r, p);
        merge_files(layer.checks, |text, file| parse_check(text, origin(file)), &mut checks, r, p);
        merge_files(layer.playbooks, |text, file| parse_playbook(text, origin(file)), &mut playbooks, r, p);
        merge_files(layer.readiness, |text, file| parse_matrices(text, origin(file)), &mut matrices, r, p);
        merge_files(layer.catalogues, |text, file| parse_catalogue(text, origin(file)), &mut catalogues, r, p);
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    let mut checks: Vec<CheckSpec> = checks.into_values().collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    links(&entries, &checks, &mut problems);
    let catalogues = Catalogues::new(catalogues.into_values().collect());
    catalogue_links(&mut entries, &catalogues, &mut problems);
    let mut playbooks: Vec<Playbook> = playbooks.into_values().collect();
    playbooks.sort_by(|a, b| a.id.cmp(&b.id));
    for playbook in &playbooks {
        let entry = |id: &str| entries.binary_search_by(|e| e.id.as_str().cmp(id)).is_ok();
        let check = |id: &str| checks.binary_search_by(|c| c.id.as_str().cmp(id)).is_ok();
        problems.extend(lint_graph(playbook, entry, check));
    }
    let matrices = matrices.remove(MATRICES_ID);
    if problems.iter().any(|p| p.level == super::problem::Level::Error) {
        return Err(LoadError { problems });
    }
    let mut kb = KnowledgeBase::from_parts(entries, checks, replaced);
    kb.playbooks = playbooks;
    kb.matrices = matrices;
    kb.catalogues = catalogues;
    kb.warnings = problems;
    Ok(kb)
}

/// Something loaded from a file under an id: an entry or a check.
trait Identified {
    fn id(&self) -> &str;
    fn origin(&self) -> &Origin;
}

/// Each model loaded from files names its id and where it came from.
macro_rules! identified {
    ($($t:ty),*) => {$(
        impl Identified for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn origin(&self) -> &Origin {
                &self.origin
            }
        }
    )*};
}
identified!(Entry, CheckSpec, Playbook, SupportMatrices, Catalogue);

/// Parses one layer's files of one model into `by_id`: a duplicate id within the layer is an
/// error, the same id as a lower layer replaces it.
fn merge_files<T: Identified>(
    files: Vec<FileText>,
    parse: impl Fn(&str, &str) -> Result<T, Vec<Problem>>,
    by_id: &mut HashMap<String, T>,
    replaced: &mut Vec<Replacement>,
    problems: &mut Vec<Problem>,
) {
    let mut seen_here: HashMap<String, String> = HashMap::new();
    for (file, text) in files {
        let text = match text {
            Ok(t) => t,
            Err(why) => {
                problems.push(Problem::error(&file, None, None, format!("cannot read: {why}")));
                continue;
            }
        };
        let item = match parse(&text, &file) {
            Ok(item) => item,
            Err(mut errs) => {
                problems.append(&mut errs);
                continue;
            }
        };
        let id = item.id().to_string();
        if let Some(first) = seen_here.get(&id) {
            // The `id:` key opens the document, at column 1.
            problems.push(Problem::error(
                &file,
                Some(item.origin().line),
                Some(1),
                format!("duplicate id `{id}`: already defined in {first}"),
            ));
            continue;
        }
        seen_here.insert(id.clone(), file.clone());
        if let Some(old) = by_id.insert(id.clone(), item) {
            replaced.push(Replacement { id, old: old.origin().clone(), new_file: file });
        }
    }
}

/// Every check names an entry that exists (and a fix step it has); every check an entry or a
/// fix step names exists.
fn links(entries: &[Entry], checks: &[CheckSpec], problems: &mut Vec<Problem>) {
    let entry = |id: &str| entries.binary_search_by(|e| e.id.as_str().cmp(id)).ok().map(|i| &entries[i]);
    let check_exists = |id: &str| checks.binary_search_by(|c| c.id.as_str().cmp(id)).is_ok();
    for check in checks {
        let at = |message: String| Problem::error(&check.origin.file, Some(check.origin.line), None, message);
        match entry(&check.issue) {
            None => problems.push(at(format!(
                "check `{}` names issue `{}`, which is not in the knowledge base",
                check.id, check.issue
            ))),
            Some(e) => {
                if let Some(step) = check.fix_step.filter(|&s| s > e.fix.len()) {
                    problems.push(at(format!(
                        "check `{}`: fix_step {step} but `{}` has {} fix steps",
                        check.id,
                        e.id,
                        e.fix.len()
                    )));
                }
            }
        }
    }
    for e in entries {
        let named = e.checks.iter().chain(e.fix.iter().filter_map(|s| s.check.as_ref()));
        for id in named {
            if !check_exists(id) {
                problems.push(Problem::error(
                    &e.origin.file,
                    Some(e.origin.line),
                    None,
                    format!("`{}` names check `{id}`, which is not in the knowledge base", e.id),
                ));
            }
        }
    }
}

/// Every catalogue row names an entry that exists; each row then gives that entry its anchors
/// and message (see [`row_signatures`]), unless the entry already has the same pattern.
fn catalogue_links(entries: &mut [Entry], catalogues: &Catalogues, problems: &mut Vec<Problem>) {
    for catalogue in catalogues.all() {
        for row in &catalogue.rows {
            let Some(id) = &row.entry else { continue };
            let Ok(i) = entries.binary_search_by(|e| e.id.as_str().cmp(id)) else {
                problems.push(Problem::error(
                    &catalogue.origin.file,
                    Some(row.line),
                    None,
                    format!(
                        "catalogue `{}`: row `{}` names entry `{id}`, which is not in the knowledge base",
                        catalogue.id, row.id
                    ),
                ));
                continue;
            };
            let entry = &mut entries[i];
            for sig in row_signatures(catalogue, row) {
                if !entry.signatures.iter().any(|s| s.pattern == sig.pattern) {
                    entry.signatures.push(sig);
                }
            }
        }
    }
}

/// An overlay entry that replaced a lower layer's entry with the same id.
#[derive(Debug, Clone, PartialEq)]
pub struct Replacement {
    /// The id both define.
    pub id: String,
    /// Where the replaced entry came from.
    pub old: Origin,
    /// The file that replaced it.
    pub new_file: String,
}
