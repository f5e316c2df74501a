//! Shared test helpers: temporary directories, the binary under test, required peers.

#![allow(dead_code)]

pub mod fcgi_client;
pub mod nginx;
pub mod process;

use std::path::{Path, PathBuf};

/// The wwsympa binary cargo built for these tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wwsympa"))
}

/// A fresh directory under the target dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `target/tmp/<name>-<pid>-<n>`.
    pub fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Returns the path of the peer program `name`, or `None` outside CI when it is missing.
///
/// Under CI (`CI` set) a missing peer is a failure, never a skip.
pub fn peer(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "peer `{name}` is missing under CI: run .ci/install-deps"
        );
        eprintln!("SKIPPED: peer `{name}` is not installed (run .ci/install-deps)");
    }
    found
}
