//! Tidy checks run as tests: module docs on every file, and a layering check that parses every
//! path and import of `src/` against the rules written once in `src/lib.rs`'s code map.
//!
//! The layering check reads each file with `syn` and resolves every path it names, in `use`
//! trees (groups, renames, globs) and in code and types alike (`crate::store::Store::open`),
//! through `crate::`, `self::` and any number of `super::`, to the crate module it reaches.
//! A bare first segment that the file itself declares (`mod postgres;`) or imports from the
//! crate (`use super::postgres;`) is that crate module, not the crate of the same name, as
//! in Rust, where a file's own names shadow the extern prelude.
//! Limits: paths inside macro invocations (`format!`, `json!`) are tokens, not paths, and
//! are not seen; names declared inside nested inline modules are not tracked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

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

/// The layering, as `src/lib.rs` states it in its "Layers" section.
#[derive(Debug, Default)]
struct Rules {
    /// Crate modules each module may name (besides itself).
    may_use: BTreeMap<String, BTreeSet<String>>,
    /// Paths outside the crate each module may not name (`std::fs`).
    may_not_use: BTreeMap<String, Vec<Vec<String>>>,
    /// Crates only some modules may name: crate → the owning module paths (`store::sqlite`).
    owners: BTreeMap<String, Vec<Vec<String>>>,
}

/// The backticked words of `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Reads the rules from lines of `lib.rs` such as
/// `` //! - `runtime` may use: `fcgi`. ``, `` //! - `domain` may not use: `std::fs`. `` and
/// `` //! - crate `tera`: only in `render`. ``.
fn rules_from(lib: &str) -> Rules {
    let mut rules = Rules::default();
    for line in lib.lines() {
        let Some(rule) = line.strip_prefix("//! - ") else {
            continue;
        };
        if let Some((head, tail)) = rule.split_once(" may not use:") {
            let module = backticked(head)[0].to_string();
            let paths = backticked(tail)
                .iter()
                .map(|p| p.split("::").map(str::to_string).collect())
                .collect();
            rules.may_not_use.insert(module, paths);
        } else if let Some((head, tail)) = rule.split_once(" may use:") {
            let module = backticked(head)[0].to_string();
            let allowed = backticked(tail).iter().map(|m| m.to_string()).collect();
            rules.may_use.insert(module, allowed);
        } else if let Some(rest) = rule.strip_prefix("crate ") {
            if let Some((head, tail)) = rest.split_once(": only in") {
                let krate = backticked(head)[0].to_string();
                let owners = backticked(tail)
                    .iter()
                    .map(|owner| owner.split("::").map(str::to_string).collect())
                    .collect();
                rules.owners.insert(krate, owners);
            }
        }
    }
    rules
}

/// Where a file sits in the crate: its module path (`src/web/handlers/home.rs` →
/// `[web, handlers, home]`), and whether it belongs to the binary (`main.rs`, `cli/`).
fn module_of(relative: &str) -> (Vec<String>, bool) {
    let trimmed = relative
        .trim_start_matches("src/")
        .trim_end_matches(".rs")
        .trim_end_matches("/mod");
    let path: Vec<String> = match trimmed {
        "lib" | "main" => Vec::new(),
        other => other.split('/').map(str::to_string).collect(),
    };
    let binary = trimmed == "main" || path.first().is_some_and(|m| m == "cli");
    (path, binary)
}

/// Every path a file names, resolved: `Crate(segments)` for the library's own modules,
/// `Outside(segments)` for anything else (std, other crates, or names in scope).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Named {
    Crate(Vec<String>),
    Outside(Vec<String>),
}

struct Collector<'a> {
    module: &'a [String],
    binary: bool,
    /// Names the file declares (`mod x;`) or imports from the crate (`use super::x;`), with
    /// the crate module each stands for.
    local: BTreeMap<String, Vec<String>>,
    found: Vec<Named>,
}

impl Collector<'_> {
    /// Resolves one path given as segments (a leading `::` already dropped).
    fn add(&mut self, segments: Vec<String>) {
        let resolved = self.resolve(segments);
        if let Some(resolved) = resolved {
            self.found.push(resolved);
        }
    }

    /// Notes the crate names the file's own items bring into scope: child modules, and
    /// the last segment (or rename) of each `use` that reaches the crate.
    fn declare(&mut self, file: &syn::File) {
        if self.binary {
            return; // the binary's modules are not the library's
        }
        for item in &file.items {
            match item {
                syn::Item::Mod(item) => {
                    let mut path = self.module.to_vec();
                    path.push(item.ident.to_string());
                    self.local.insert(item.ident.to_string(), path);
                }
                syn::Item::Use(item) => self.declare_use(&mut Vec::new(), &item.tree),
                _ => {}
            }
        }
    }

    fn declare_use(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        let (name, full) = match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.declare_use(prefix, &path.tree);
                prefix.pop();
                return;
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.declare_use(prefix, tree);
                }
                return;
            }
            syn::UseTree::Glob(_) => return,
            syn::UseTree::Name(name) if name.ident == "self" => {
                (prefix.last().cloned(), prefix.clone())
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                full.push(name.ident.to_string());
                (Some(name.ident.to_string()), full)
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                (Some(rename.rename.to_string()), full)
            }
        };
        if let (Some(name), Some(Named::Crate(path))) = (name, self.resolve(full)) {
            self.local.insert(name, path);
        }
    }

    /// The crate module or outside path `segments` reaches, if any.
    fn resolve(&self, segments: Vec<String>) -> Option<Named> {
        let first = segments.first()?;
        if let Some(path) = self.local.get(first) {
            let mut path = path.clone();
            path.extend(segments[1..].iter().cloned());
            return Some(Named::Crate(path));
        }
        Some(match first.as_str() {
            "crate" if !self.binary => Named::Crate(segments[1..].to_vec()),
            "wwsympa" if self.binary => Named::Crate(segments[1..].to_vec()),
            "self" | "super" if !self.binary => {
                let mut base = self.module.to_vec();
                let mut rest = segments.as_slice();
                if rest.first().is_some_and(|s| s == "self") {
                    rest = &rest[1..];
                }
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Named::Crate(base)
            }
            _ => Named::Outside(segments),
        })
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                self.add(full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                self.add(full);
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if item.leading_colon.is_some() {
            // `use ::name::…`: the crate `name`, whatever the file calls `name`.
            let local = std::mem::take(&mut self.local);
            self.use_tree(&mut Vec::new(), &item.tree);
            self.local = local;
        } else {
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_some() {
            self.found.push(Named::Outside(segments));
        } else {
            self.add(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

/// The paths `source` names, resolved from the file at `relative` (`src/...`).
fn named_paths(relative: &str, source: &str) -> Vec<Named> {
    let (module, binary) = module_of(relative);
    let file = syn::parse_file(source).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut collector = Collector {
        module: &module,
        binary,
        local: BTreeMap::new(),
        found: Vec::new(),
    };
    collector.declare(&file);
    collector.visit_file(&file);
    collector.found
}

/// The layering violations of the file at `relative` with `source`.
fn violations(rules: &Rules, relative: &str, source: &str) -> Vec<String> {
    let (module, binary) = module_of(relative);
    let Some(top) = module.first() else {
        return Vec::new(); // lib.rs and main.rs: the wiring
    };
    let mut out = BTreeSet::new();
    for named in named_paths(relative, source) {
        let segments = match &named {
            Named::Crate(segments) => {
                let Some(target) = segments.first() else {
                    continue;
                };
                let allowed = binary
                    || target == top
                    || rules
                        .may_use
                        .get(top)
                        .is_some_and(|set| set.contains(target));
                // Names declared at the crate root that are not modules (macros) pass.
                if !allowed && rules.may_use.contains_key(target) {
                    out.insert(format!("{relative}: `{top}` may not use `{target}`"));
                }
                continue;
            }
            Named::Outside(segments) => segments,
        };
        if let Some(forbidden) = rules.may_not_use.get(top) {
            for path in forbidden {
                if segments.starts_with(path) {
                    out.insert(format!(
                        "{relative}: `{top}` may not use `{}`",
                        path.join("::")
                    ));
                }
            }
        }
        if let Some(owners) = segments.first().and_then(|k| rules.owners.get(k)) {
            if !owners.iter().any(|owner| module.starts_with(owner)) {
                let names: Vec<String> = owners.iter().map(|o| o.join("::")).collect();
                out.insert(format!(
                    "{relative}: only `{}` may use the crate `{}`",
                    names.join("` or `"),
                    segments[0]
                ));
            }
        }
    }
    out.into_iter().collect()
}

fn lib_rules() -> Rules {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    rules_from(&lib)
}

#[test]
fn layers_import_only_what_the_code_map_allows() {
    let rules = lib_rules();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    let mut modules = BTreeSet::new();
    for (path, text) in sources("src") {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let (module, binary) = module_of(&relative);
        if let (Some(top), false) = (module.first(), binary) {
            modules.insert(top.clone());
        }
        found.extend(violations(&rules, &relative, &text));
    }
    // Every library module has its rule, and no rule names a module that is gone.
    let ruled: BTreeSet<String> = rules.may_use.keys().cloned().collect();
    assert_eq!(
        ruled, modules,
        "every module of src/ needs a `may use:` line in lib.rs"
    );
    assert!(found.is_empty(), "layering violations: {found:#?}");
}

#[test]
fn the_layering_check_catches_every_kind_of_violation() {
    let rules = lib_rules();
    let caught = |file: &str, source: &str| !violations(&rules, file, source).is_empty();
    // Each line alone is a violation the old substring check let through, or one it caught.
    for (file, source) in [
        ("src/domain/names.rs", "use crate::{store, web};"),
        (
            "src/domain/names.rs",
            "use crate::{self as c, render::Templates};",
        ),
        ("src/domain/names.rs", "use super::super::store::Db;"),
        (
            "src/domain/names.rs",
            "use super::Email; fn f() { let _ = super::super::web::App::new; }",
        ),
        (
            "src/web/handlers/home.rs",
            "use super::super::super::fcgi::Params;",
        ),
        ("src/http/form.rs", "use crate::store as s;"),
        (
            "src/fcgi/conn.rs",
            "fn f() { let _ = crate::render::Templates::load(None); }",
        ),
        ("src/fcgi/conn.rs", "fn f(_: &crate::web::App) {}"),
        ("src/domain/names.rs", "use std::{fs, io};"),
        (
            "src/domain/names.rs",
            "fn f() { std::net::TcpStream::connect(\"x\").ok(); }",
        ),
        ("src/web/mod.rs", "use rusqlite::Connection;"),
        ("src/store/records.rs", "use rusqlite::Row;"),
        ("src/web/mod.rs", "use ::tera::Tera;"),
        (
            "src/operations/mod.rs",
            "fn f() -> lettre::Address { todo!() }",
        ),
        (
            "src/runtime/mod.rs",
            "mod inner { use crate::http::Request; }",
        ),
        // The crate itself, where no module of that name is declared or imported.
        (
            "src/store/mod.rs",
            "fn f() { let _ = postgres::Client::connect; }",
        ),
        (
            "src/store/target.rs",
            "use super::Error; fn f(_: postgres::Config) {}",
        ),
        (
            "src/store/mod.rs",
            "mod postgres; fn f(_: ::postgres::Config) {}",
        ),
        ("src/store/mod.rs", "mod postgres; use ::postgres::Client;"),
        // A module imported under a crate's name still reaches the module.
        (
            "src/domain/names.rs",
            "use crate::store as postgres; fn f(_: postgres::Db) {}",
        ),
    ] {
        assert!(caught(file, source), "not caught in {file}: {source}");
    }
    // And what is allowed passes.
    for (file, source) in [
        (
            "src/web/mod.rs",
            "use crate::{http::Request, operations::Refusal, domain};",
        ),
        ("src/web/handlers/home.rs", "use super::super::ctx::Ctx;"),
        (
            "src/domain/names.rs",
            "use std::{fmt, collections::BTreeMap};",
        ),
        ("src/main.rs", "use wwsympa::store::Store;"),
        ("src/cli/mod.rs", "use wwsympa::{fcgi, store};"),
        ("src/store/sqlite/lists.rs", "use rusqlite::Row;"),
        // A child module, or one imported, named like a crate is that module.
        (
            "src/store/mod.rs",
            "mod postgres; fn f() { let _ = postgres::Store::connect; }",
        ),
        (
            "src/store/target.rs",
            "use super::{postgres, Error}; fn f(_: postgres::Target) {}",
        ),
    ] {
        assert!(!caught(file, source), "wrongly refused in {file}: {source}");
    }
}
