//! Eight `wwsympa` processes adding and removing members of one list at once, on one database
//! (the selected one: an SQLite file or a PostgreSQL database): nothing is lost, nothing is
//! doubled, and the kept member count stays exact.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use crate::support::db::SiteDb;
use crate::support::{binary, free_port, TempDir};
use wwsympa::domain::ListName;

fn wwsympa(config: &std::path::Path) -> Command {
    let mut command = Command::new(binary());
    command.arg("--config").arg(config);
    command
}

#[test]
fn eight_processes_subscribing_and_unsubscribing_lose_and_double_nothing() {
    let dir = TempDir::new("concurrency");
    let config = dir.path().join("wwsympa.toml");
    let db = SiteDb::new(dir.path(), "crowd.db");
    std::fs::write(
        &config,
        format!(
            "domain = 'lists.example.org'\n{}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
            db.toml(),
            free_port()
        ),
    )
    .unwrap();
    let status = wwsympa(&config)
        .args(["list", "create", "crowd", "--subject", "Crowd"])
        .status()
        .unwrap();
    assert!(status.success());
    // 200 members to be removed, 50 by each of four processes.
    let doomed: Vec<String> = (0..200).map(|i| format!("d{i:03}@example.org")).collect();
    std::fs::write(dir.path().join("doomed.txt"), doomed.join("\n")).unwrap();
    let status = wwsympa(&config)
        .args(["member", "import", "crowd"])
        .arg(dir.path().join("doomed.txt"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    // Four adders: 40 addresses of their own each, and the same 20 shared ones;
    // four removers: 50 of the imported addresses each. All at once, each address its own
    // transaction.
    let shared: Vec<String> = (0..20)
        .map(|i| format!("shared{i:02}@example.org"))
        .collect();
    let mut children = Vec::new();
    for k in 0..8 {
        let mut command = wwsympa(&config);
        if k < 4 {
            let mut addresses: Vec<String> = (0..40)
                .map(|i| format!("n{k}-{i:02}@example.org"))
                .collect();
            // Interleave the shared ones, in a different order per process.
            for (j, address) in shared.iter().enumerate() {
                let at = (j * 2 + k) % addresses.len();
                addresses.insert(at, address.clone());
            }
            command.args(["member", "add", "crowd"]).args(&addresses);
        } else {
            let slice = &doomed[(k - 4) * 50..(k - 3) * 50];
            command.args(["member", "del", "crowd"]).args(slice);
        }
        children.push(
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    let mut lines = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        lines.extend(
            String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    let count = |word: &str| lines.iter().filter(|l| l.starts_with(word)).count();
    assert_eq!(
        count("added\t"),
        4 * 40 + 20,
        "each shared address added once"
    );
    assert_eq!(
        count("already\t"),
        3 * 20,
        "and found there by the three others"
    );
    assert_eq!(count("removed\t"), 200);
    assert_eq!(count("absent\t"), 0);
    let added_shared: BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("added\tshared"))
        .collect();
    assert_eq!(added_shared.len(), 20);

    // The list holds exactly what it should.
    let output = wwsympa(&config)
        .args(["member", "ls", "crowd"])
        .output()
        .unwrap();
    let members: BTreeSet<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    let mut expected: BTreeSet<String> = shared.iter().cloned().collect();
    for k in 0..4 {
        expected.extend((0..40).map(|i| format!("n{k}-{i:02}@example.org")));
    }
    assert_eq!(members, expected);
    let store = db.connect();
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("crowd").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        store.db().member_count(list.id).unwrap(),
        expected.len() as u64
    );
    let audit = store.db().recent_audit(10_000).unwrap();
    assert_eq!(audit.iter().filter(|(_, a, _)| a == "add").count(), 180);
    assert_eq!(audit.iter().filter(|(_, a, _)| a == "del").count(), 200);
}
