//! Our list mail verifies with an independent verifier (dkimpy, Debian's python3-dkim): each
//! copy's DKIM signature passes and covers both unsubscribe headers (a changed
//! `List-Unsubscribe-Post` fails it), the ARC set validates, and the author's own DKIM
//! signature still verifies in the copies (we change none of the bytes it signs).

use std::path::Path;
use std::process::Command;

use wwsympa::domain::ReceptionMode;
use wwsympa::mail::dmarc::Table;

use crate::distribution::{add_members, distribute, message, post, site, Received, Sink};
use crate::support::{free_port, missing_peers_allowed, peer, python_with_aiosmtpd};

/// Signs (as the author) or verifies every DKIM signature and the ARC chain of a message with
/// dkimpy; public keys come from files instead of DNS.
const DKIM_TOOL: &str = r#"
import sys, dkim
mode = sys.argv[1]
def record(path):
    return b"v=DKIM1; k=rsa; p=" + b"".join(
        line.strip().encode() for line in open(path) if not line.startswith("-----"))
if mode == "sign":
    key, source, target = sys.argv[2:5]
    message = open(source, "rb").read()
    signature = dkim.sign(message, b"author", b"example.org", open(key, "rb").read(),
                          canonicalize=(b"relaxed", b"relaxed"),
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    open(target, "wb").write(signature + message)
else:
    source = sys.argv[2]
    records = {}
    for pair in sys.argv[3:]:
        name, path = pair.split("=", 1)
        records[name.encode()] = record(path)
    def dns(name, timeout=5):
        return records.get(name)
    message = open(source, "rb").read()
    headers, _ = dkim.rfc822_parse(message)
    count = sum(1 for name, _ in headers if name.lower() == b"dkim-signature")
    d = dkim.DKIM(message)
    for i in range(count):
        ok = d.verify(idx=i, dnsfunc=dns)
        print("dkim", i, d.domain.decode() if d.domain else "?", "pass" if ok else "fail")
    cv, results, comment = dkim.arc_verify(message, dnsfunc=dns)
    print("arc", cv.decode(), comment)
"#;

/// Debian's python3 when it has dkimpy.
fn python_with_dkim() -> Option<&'static str> {
    let python = "/usr/bin/python3";
    let found = Command::new(python)
        .args(["-c", "import dkim"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            missing_peers_allowed(),
            "python3-dkim is missing: run .ci/install-deps (or set WWSYMPA_ALLOW_MISSING_PEERS=1 to skip its tests)"
        );
        eprintln!("SKIPPED: python3-dkim is not installed (run .ci/install-deps)");
        return None;
    }
    Some(python)
}

/// An RSA-2048 key pair made by openssl: (private PEM, public PEM).
fn key_pair(openssl: &Path, dir: &Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let private = dir.join(format!("{name}.key"));
    let public = dir.join(format!("{name}.pub"));
    let run = |args: &[&str]| {
        let out = Command::new(openssl).args(args).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    run(&["genrsa", "-out", private.to_str().unwrap(), "2048"]);
    run(&[
        "rsa",
        "-in",
        private.to_str().unwrap(),
        "-pubout",
        "-out",
        public.to_str().unwrap(),
    ]);
    (private, public)
}

/// The verifier's lines for `bytes`: `dkim N DOMAIN pass|fail`, `arc CV COMMENT`.
fn verify(python: &str, dir: &Path, bytes: &[u8], records: &[(&str, &Path)]) -> Vec<String> {
    let script = dir.join("dkim_tool.py");
    std::fs::write(&script, DKIM_TOOL).unwrap();
    let source = dir.join("copy.eml");
    std::fs::write(&source, bytes).unwrap();
    let mut command = Command::new(python);
    command.arg(&script).arg("verify").arg(&source);
    for (name, path) in records {
        command.arg(format!("{name}={}", path.display()));
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The `h=` tag of our (the first) DKIM-Signature, lowercased names.
fn signed_headers(copy: &Received) -> Vec<String> {
    let signature = copy.header("DKIM-Signature").unwrap();
    let compact: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
    let h = compact
        .split(';')
        .find_map(|tag| tag.strip_prefix("h="))
        .unwrap_or_else(|| panic!("no h= in {signature}"));
    h.split(':').map(|n| n.to_ascii_lowercase()).collect()
}

#[test]
fn each_copy_passes_dkim_over_both_unsubscribe_headers_and_arc_and_keeps_the_authors_signature() {
    let (Some(python), Some(dkimpy), Some(openssl)) =
        (python_with_aiosmtpd(), python_with_dkim(), peer("openssl"))
    else {
        return;
    };
    let port = free_port();
    let dir = crate::support::TempDir::new("dkim-keys");
    let (list_key, list_pub) = key_pair(&openssl, dir.path(), "list");
    let (author_key, author_pub) = key_pair(&openssl, dir.path(), "author");
    let site = site(
        "dist-dkim",
        port,
        &format!(
            "dkim_feature = true\ndkim_private_key_path = \"{}\"\ndkim_selector = \"lists\"\narc_feature = true\n",
            list_key.display()
        ),
    );
    let sink = Sink::start(&python, port, site.path());
    add_members(
        &site,
        &[
            ("ann@a.example", ReceptionMode::Mail),
            ("bob@b.example", ReceptionMode::Mail),
        ],
    );
    // The author signs the post (relaxed, as most senders do).
    let original = dir.path().join("original.eml");
    std::fs::write(&original, message("Ann <ann@example.org>", "signed post")).unwrap();
    let signed = dir.path().join("signed.eml");
    std::fs::write(dir.path().join("dkim_tool.py"), DKIM_TOOL).unwrap();
    let out = Command::new(dkimpy)
        .arg(dir.path().join("dkim_tool.py"))
        .args(["sign"])
        .arg(&author_key)
        .arg(&original)
        .arg(&signed)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    post(&site, &std::fs::read(&signed).unwrap());
    let report = distribute(&site, Table(vec![]));
    assert_eq!(report.sent, 2, "{report:?}");

    let records: [(&str, &Path); 2] = [
        ("lists._domainkey.lists.example.org.", &list_pub),
        ("author._domainkey.example.org.", &author_pub),
    ];
    let received = sink.received();
    assert_eq!(received.len(), 2);
    let mut unsubscribes = Vec::new();
    for copy in &received {
        let lines = verify(dkimpy, dir.path(), &copy.data, &records);
        assert_eq!(
            lines[..2],
            ["dkim 0 lists.example.org pass", "dkim 1 example.org pass"],
            "{lines:?}\n{}",
            copy.text()
        );
        assert!(
            lines[2].starts_with("arc pass"),
            "{lines:?}\n{}",
            copy.text()
        );
        let h = signed_headers(copy);
        for name in [
            "list-unsubscribe",
            "list-unsubscribe-post",
            "from",
            "subject",
            "date",
            "message-id",
            "list-id",
        ] {
            assert!(h.contains(&name.to_string()), "{name} not in h={h:?}");
        }
        unsubscribes.push(copy.header("List-Unsubscribe").unwrap());
        // Changing what one-click relies on breaks our signature (not the author's).
        let tampered = copy.text().replacen(
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Clack",
            1,
        );
        let lines = verify(dkimpy, dir.path(), tampered.as_bytes(), &records);
        assert_eq!(
            lines[..2],
            ["dkim 0 lists.example.org fail", "dkim 1 example.org pass"],
            "{lines:?}"
        );
    }
    assert_ne!(unsubscribes[0], unsubscribes[1], "one URL per recipient");
}

#[test]
fn a_key_that_cannot_be_read_holds_list_mail_back_instead_of_sending_it_unsigned() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site(
        "dist-nokey",
        port,
        "dkim_feature = true\ndkim_private_key_path = \"/nonexistent/dkim.key\"\ndkim_selector = \"lists\"\n",
    );
    let sink = Sink::start(&python, port, site.path());
    add_members(&site, &[("ann@a.example", ReceptionMode::Mail)]);
    post(&site, &message("ann@a.example", "no key"));
    let report = distribute(&site, Table(vec![]));
    assert_eq!((report.sent, report.deferred), (0, 1));
    assert!(sink.received().is_empty());
    let row = site.db.store().db().delivery_rcpt(1).unwrap().unwrap();
    assert!(
        row.last_text
            .as_deref()
            .unwrap_or("")
            .contains("/nonexistent/dkim.key"),
        "{row:?}"
    );
}
