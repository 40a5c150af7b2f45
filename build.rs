//! Embeds every knowledge file under `knowledge/` into the binary, so a fresh install works
//! offline. Generates `$OUT_DIR/embedded_kb.rs` holding `(relative path, contents)` pairs.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let knowledge = root.join("knowledge");
    let mut files = Vec::new();
    collect_yaml(&knowledge, &mut files);
    files.sort();

    let mut out = String::from("/// Knowledge files embedded at build time: (path relative to the crate, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        out.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", file.to_string_lossy()));
        println!("cargo:rerun-if-changed={}", file.display());
    }
    out.push_str("];\n");
    println!("cargo:rerun-if-changed={}", knowledge.display());

    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_kb.rs");
    fs::write(dest, out).expect("write embedded_kb.rs");
}

/// Every `.yaml`/`.yml` file below `dir`, recursively; directories are watched for additions.
fn collect_yaml(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, files);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            files.push(path);
        }
    }
}
