//! Build script: embeds every gettext catalogue `po/<lang>/<domain>.po` of the repository, listing `po/` so that adding a file needs no code.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=po");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("po");
    let mut files = Vec::new();
    if let Ok(languages) = std::fs::read_dir(&root) {
        for language in languages.flatten() {
            let Ok(name) = language.file_name().into_string() else {
                continue;
            };
            if !language.path().is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", language.path().display());
            let Ok(entries) = std::fs::read_dir(language.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(domain) = path
                    .file_name()
                    .and_then(|f| f.to_str())
                    .and_then(|f| f.strip_suffix(".po"))
                else {
                    continue;
                };
                files.push((name.clone(), domain.to_string(), path.clone()));
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// Every catalogue of `po/`: language, domain, text.\npub static EMBEDDED: &[(&str, &str, &str)] = &[\n",
    );
    for (language, domain, path) in &files {
        writeln!(
            out,
            "    ({language:?}, {domain:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a string");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("po.rs");
    std::fs::write(dest, out).expect("writing the catalogue table");
}
