//! The JSON API fuzzed against its own OpenAPI document by schemathesis (from PyPI), through a real `wwsympa serve --http` on a seeded site: no 5xx, no response that breaks the schema.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wwsympa::domain::{ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility};
use wwsympa::operations::{tokens, Channel, Env, Requester};
use wwsympa::render::Templates;

use crate::subscription::{email, site_with};
use crate::support::missing_peers_allowed;

/// schemathesis: `$WWSYMPA_SCHEMATHESIS`, else the venv `.ci/run` makes; a missing one fails
/// the test unless missing peers are allowed.
fn schemathesis() -> Option<PathBuf> {
    let path = std::env::var_os("WWSYMPA_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/wwsympa-tests/venv/bin/schemathesis"));
    if path.is_file() {
        return Some(path);
    }
    assert!(
        missing_peers_allowed(),
        "schemathesis is missing at {}: install it (python3 -m venv /opt/wwsympa-tests/venv && /opt/wwsympa-tests/venv/bin/pip install schemathesis), or set WWSYMPA_ALLOW_MISSING_PEERS=1 to skip",
        path.display()
    );
    eprintln!("SKIPPED: schemathesis is not installed");
    None
}

/// How long schemathesis may run, at most.
const LIMIT: Duration = Duration::from_secs(240);

#[test]
fn schemathesis_finds_no_server_error_and_no_response_outside_the_schema() {
    let Some(schemathesis) = schemathesis() else {
        return;
    };
    let (dir, site) = site_with(
        "api-schemathesis",
        &[
            (
                "pub",
                SubscribePolicy::Open,
                UnsubscribePolicy::Open,
                ReviewPolicy::Private,
                Visibility::Noconceal,
            ),
            (
                "hid",
                SubscribePolicy::Owner,
                UnsubscribePolicy::Owner,
                ReviewPolicy::Owner,
                Visibility::Conceal,
            ),
        ],
    );
    let token = {
        let mut store = site.store();
        let templates = Templates::load(None).unwrap();
        let mut env = Env::new(&mut store, &site.config, &templates);
        let owner = Requester {
            email: Some(email("owner@example.org")),
            listmaster: false,
            remote_addr: None,
            channel: Channel::Web,
            known_roles: None,
        };
        tokens::create(&mut env, &owner, "schemathesis", "write", None)
            .unwrap()
            .secret
    };
    site.through_http_door();
    let addr = site.door_addr().unwrap();
    let url = format!("http://{addr}/sympa/api/v1/openapi.json");
    let report = dir.path().join("schemathesis.log");
    // Schema-valid data may still be refused for what a schema cannot say: an address that
    // does not parse, a name with hidden characters, a cursor this API did not make, a list
    // that exists already. Those are 422 (or 409) with a code, and count as answers; 5xx and
    // responses outside the document never do.
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        "[checks.positive_data_acceptance]\nexpected-statuses = [\"2xx\", \"401\", \"403\", \"404\", \"409\", \"422\", \"429\"]\n",
    )
    .unwrap();
    let mut child = Command::new(&schemathesis)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(&url)
        .args(["--checks", "all"])
        .args(["--max-examples", "25"])
        .args(["--request-timeout", "10"])
        .args(["--generation-deterministic"])
        .args(["--url", &format!("http://{addr}/sympa/api/v1")])
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .env("SCHEMATHESIS_HOOKS", "")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&report).unwrap())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting schemathesis");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&report).unwrap_or_default();
    let status = status.unwrap_or_else(|| panic!("schemathesis ran past {LIMIT:?}:\n{output}"));
    assert!(
        status.success(),
        "schemathesis failed ({status}):\n{output}"
    );
    assert!(!output.contains("500 Internal"), "{output}");
}
