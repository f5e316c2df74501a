//! The archive keeps the original bytes: a DKIM-signed message, imported, still verifies when fetched raw and when read back out of the month's mbox.gz export (signed and verified by dkimpy, Debian's python3-dkim, a real peer).

use std::path::Path;
use std::process::Command;

use wwsympa::domain::{ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility};
use wwsympa::http::{Method, Request};

use crate::browser::Site;
use crate::support::{missing_peers_allowed, run_cli, TempDir};

/// Signs or verifies with dkimpy; the public key comes from a file instead of DNS.
const DKIM_TOOL: &str = r#"
import sys, dkim
mode = sys.argv[1]
if mode == "sign":
    key, source, target = sys.argv[2:5]
    message = open(source, "rb").read()
    signature = dkim.sign(message, b"arc", b"example.org", open(key, "rb").read(),
                          canonicalize=(b"simple", b"simple"),
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    open(target, "wb").write(signature + message)
else:
    public, source = sys.argv[2:4]
    record = b"v=DKIM1; k=rsa; p=" + b"".join(
        line.strip().encode() for line in open(public) if not line.startswith("-----"))
    def dns(name, timeout=5):
        return record if name == b"arc._domainkey.example.org." else None
    sys.exit(0 if dkim.verify(open(source, "rb").read(), dnsfunc=dns) else 1)
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

fn tool(python: &str, dir: &Path, args: &[&str]) -> bool {
    let script = dir.join("dkim_tool.py");
    std::fs::write(&script, DKIM_TOOL).unwrap();
    let out = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    if !out.status.success() && !out.stderr.is_empty() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    out.status.success()
}

/// A message whose bytes a re-serializing archive would change: CRLF line ends, a folded
/// header, odd spacing and case in header names, trailing spaces, an 8-bit body, a line that
/// starts with `From ` (escaped in the mbox export, unescaped on reading it back).
const MESSAGE: &str = "From: Ann Example <ann@example.org>\r\n\
To: pubarc@lists.example.org\r\n\
subject:   A  signed\r\n  message   \r\n\
Date: Tue, 05 Mar 2024 10:00:00 +0000\r\n\
Message-ID: <signed-1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Caf\u{e9} cr\u{e8}me, trailing spaces   \r\n\
From the archive, byte for byte.\r\n\
>From a quoted line too.\r\n\
\r\n";

#[test]
fn a_dkim_signed_message_still_verifies_raw_and_out_of_the_mbox_export() {
    let Some(python) = python_with_dkim() else {
        return;
    };
    let dir = TempDir::new("arc-dkim");
    let key = dir.path().join("key.pem");
    let public = dir.path().join("public.pem");
    for args in [
        vec!["genrsa", "-out", key.to_str().unwrap(), "2048"],
        vec![
            "rsa",
            "-in",
            key.to_str().unwrap(),
            "-pubout",
            "-out",
            public.to_str().unwrap(),
        ],
    ] {
        let out = Command::new("openssl").args(&args).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    }
    let unsigned = dir.path().join("unsigned.eml");
    std::fs::write(&unsigned, MESSAGE).unwrap();
    let maildir = dir.path().join("maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let signed = maildir.join("cur/1709632800.1.example:2,S");
    assert!(tool(
        python,
        dir.path(),
        &[
            "sign",
            key.to_str().unwrap(),
            unsigned.to_str().unwrap(),
            signed.to_str().unwrap()
        ]
    ));
    assert!(tool(
        python,
        dir.path(),
        &["verify", public.to_str().unwrap(), signed.to_str().unwrap()]
    ));
    // The check can fail: one changed byte and the signature no longer verifies.
    let tampered = dir.path().join("tampered.eml");
    let mut bytes = std::fs::read(&signed).unwrap();
    let at = bytes.windows(6).position(|w| w == b"signed").unwrap();
    bytes[at] = b'S';
    std::fs::write(&tampered, &bytes).unwrap();
    assert!(!tool(
        python,
        dir.path(),
        &[
            "verify",
            public.to_str().unwrap(),
            tampered.to_str().unwrap()
        ]
    ));

    let site = Site::new(dir.path(), |_| {});
    site.add_list(
        "pubarc",
        "",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Owner,
            archive: wwsympa::domain::ArchiveAccess::Public,
        },
    );
    let config = dir.path().join("wwsympa.toml");
    std::fs::write(
        &config,
        format!(
            "domain = {:?}\nwwsympa_url = {:?}\n{}log_level = 'warn'\n",
            site.config.domain,
            site.config.wwsympa_url,
            site.db.toml(),
        ),
    )
    .unwrap();
    run_cli(
        &config,
        &["archive", "import", "pubarc", maildir.to_str().unwrap()],
        "",
    );

    let get = |target: &str| {
        let request = Request::parse_target(Method::Get, target).unwrap();
        let response = wwsympa::http::Service::call(&site.app, &request);
        assert_eq!(response.status, 200, "{target}");
        response.into_bytes().unwrap()
    };
    let original = std::fs::read(&signed).unwrap();
    let raw = get("/sympa/arc/pubarc/2024-03/msg00000/raw");
    assert!(
        raw == original,
        "the raw message differs from what was imported"
    );
    let fetched = dir.path().join("raw.eml");
    std::fs::write(&fetched, &raw).unwrap();
    assert!(tool(
        python,
        dir.path(),
        &[
            "verify",
            public.to_str().unwrap(),
            fetched.to_str().unwrap()
        ]
    ));

    let gz = get("/sympa/arc/pubarc/2024-03.mbox.gz");
    let mut mbox = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut mbox).unwrap();
    let messages: Vec<Vec<u8>> = wwsympa::archive::mbox::Reader::new(&mbox[..])
        .map(|m| m.unwrap().1)
        .collect();
    assert_eq!(messages.len(), 1);
    assert!(messages[0] == original, "the exported message differs");
    let exported = dir.path().join("exported.eml");
    std::fs::write(&exported, &messages[0]).unwrap();
    assert!(tool(
        python,
        dir.path(),
        &[
            "verify",
            public.to_str().unwrap(),
            exported.to_str().unwrap()
        ]
    ));
}
