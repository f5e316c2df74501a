//! Tidy checks run as tests: module docs on every file, and imports that point only one way between layers.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(under: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(under), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let mut missing = Vec::new();
    for dir in ["src", "tests", "benches"] {
        if !Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).exists() {
            continue;
        }
        for (path, text) in sources(dir) {
            if !text.starts_with("//! ") {
                missing.push(path.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without a leading `//!` line: {missing:#?}"
    );
}

/// `(module directory, words it must not contain)`: the layering of `src/lib.rs`.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "src/fcgi",
        &[
            "crate::http",
            "crate::web",
            "crate::store",
            "crate::domain",
            "crate::runtime",
            "crate::render",
            "rusqlite",
            "tera::",
            "lettre",
        ],
    ),
    (
        "src/runtime",
        &[
            "crate::http",
            "crate::web",
            "crate::store",
            "crate::domain",
            "crate::render",
            "rusqlite",
            "tera::",
            "lettre",
        ],
    ),
    (
        "src/http",
        &[
            "crate::web",
            "crate::store",
            "crate::domain",
            "crate::render",
            "rusqlite",
            "tera::",
            "lettre",
        ],
    ),
    (
        "src/domain",
        &[
            "crate::web",
            "crate::http",
            "crate::store",
            "crate::render",
            "crate::fcgi",
            "rusqlite",
            "tera::",
            "lettre",
            "std::fs",
            "std::net",
        ],
    ),
    (
        "src/operations",
        &["crate::web", "crate::http", "crate::fcgi", "crate::runtime"],
    ),
    (
        "src/mail",
        &[
            "crate::web",
            "crate::http",
            "crate::fcgi",
            "crate::runtime",
            "crate::operations",
        ],
    ),
];

/// Crates only one module may import.
const OWNERS: &[(&str, &str)] = &[
    ("rusqlite", "src/store/sqlite"),
    ("tera::", "src/render"),
    ("lettre", "src/mail"),
];

#[test]
fn layers_import_only_downwards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut violations = Vec::new();
    for (path, text) in sources("src") {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Only code lines count: doc comments may name other layers to explain what is absent.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (dir, words) in FORBIDDEN {
            if relative.starts_with(dir) {
                for word in *words {
                    if code.contains(word) {
                        violations.push(format!("{relative} uses {word}"));
                    }
                }
            }
        }
        for (word, owner) in OWNERS {
            if !relative.starts_with(owner) && code.contains(word) {
                violations.push(format!("{relative} uses {word}, which only {owner} may"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering violations: {violations:#?}"
    );
}
