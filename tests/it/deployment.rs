//! The deployment files agree with each other and with the code: socket path, base URL, static
//! files, config file, state directory, user, binary path, environment knobs, package assets.

use std::path::Path;

use wwsympa::config::{Config, SYSTEM_CONFIG};

const SOCKET: &str = "/run/sympa/wwsympa.socket";
const STATIC_DIR: &str = "/usr/share/wwsympa/static";
const MULTIWATCH_DROPIN: &str = "/usr/share/wwsympa/systemd/multiwatch.conf";

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The values of `key=` in a systemd unit file, in order (comments skipped).
fn unit_values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with(';'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

fn unit_value(text: &str, key: &str) -> String {
    let values = unit_values(text, key);
    assert_eq!(values.len(), 1, "{key}= should be set once, got {values:?}");
    values[0].clone()
}

fn cargo_metadata(which: &str) -> toml::Value {
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    manifest["package"]["metadata"][which].clone()
}

/// (source, dest) of the .deb's assets, dest made absolute.
fn deb_assets() -> Vec<(String, String)> {
    cargo_metadata("deb")["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_array().unwrap();
            (
                a[0].as_str().unwrap().to_string(),
                format!("/{}", a[1].as_str().unwrap()),
            )
        })
        .collect()
}

fn rpm_assets() -> Vec<(String, String)> {
    cargo_metadata("generate-rpm")["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["source"].as_str().unwrap().to_string(),
                a["dest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn dest_of(assets: &[(String, String)], source: &str) -> String {
    assets
        .iter()
        .find(|(s, _)| s == source)
        .unwrap_or_else(|| panic!("no asset from {source}"))
        .1
        .clone()
}

fn shipped_config() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("debian/wwsympa.toml");
    Config::load(Some(&path)).expect("the shipped configuration loads")
}

#[test]
fn one_socket_path_everywhere() {
    assert_eq!(
        unit_value(&read("systemd/wwsympa.socket"), "ListenStream"),
        SOCKET
    );
    assert_eq!(
        unit_value(&read("systemd/wwsympa@.socket"), "ListenStream"),
        SOCKET.replace("wwsympa.socket", "wwsympa-%i.socket")
    );
    assert!(read("nginx/wwsympa.conf").contains(&format!("fastcgi_pass unix:{SOCKET};")));
    assert!(read("apache/wwsympa.conf").contains(&format!("\"proxy:unix:{SOCKET}|fcgi://")));
    assert!(read("lighttpd/50-wwsympa.conf").contains(&format!("\"socket\" => \"{SOCKET}\"")));
    for doc in ["debian/wwsympa.8", "README.md"] {
        assert!(
            read(doc).replace("\\-", "-").contains(SOCKET),
            "{doc} names the socket"
        );
    }
}

#[test]
fn one_base_path_everywhere() {
    let base = Config::default().base_path();
    assert_eq!(base, "/sympa");
    assert_eq!(shipped_config().base_path(), base);
    assert!(read("nginx/wwsympa.conf").contains(&format!("\nlocation {base} {{")));
    assert!(read("apache/wwsympa.conf").contains(&format!("<Location {base}>")));
    assert!(read("lighttpd/50-wwsympa.conf").contains(&format!("\"{base}\" => ((")));
}

#[test]
fn static_files_where_the_pages_point() {
    let url = Config::default().static_content_url;
    assert_eq!(shipped_config().static_content_url, url);
    assert!(read("nginx/wwsympa.conf")
        .contains(&format!("location {url}/ {{\n    alias {STATIC_DIR}/;")));
    assert!(read("apache/wwsympa.conf").contains(&format!("Alias {url} {STATIC_DIR}\n")));
    assert!(read("lighttpd/50-wwsympa.conf")
        .contains(&format!("alias.url += ( \"{url}/\" => \"{STATIC_DIR}/\" )")));
    assert_eq!(
        dest_of(&deb_assets(), "templates/static/*"),
        format!("{STATIC_DIR}/")
    );
    assert_eq!(
        dest_of(&rpm_assets(), "templates/static/*"),
        format!("{STATIC_DIR}/")
    );
}

#[test]
fn body_limit_of_nginx_matches_the_default() {
    assert_eq!(Config::default().max_body_size, 8 * 1024 * 1024);
    assert!(read("nginx/wwsympa.conf").contains("client_max_body_size 8m;"));
}

#[test]
fn shipped_config_documents_the_defaults() {
    // Every commented `#key = value` line, uncommented, is the built-in default.
    let defaults = Config::default();
    let mut seen = 0;
    for line in read("debian/wwsympa.toml").lines() {
        let Some(setting) = line.strip_prefix('#') else {
            continue;
        };
        if !setting.contains(" = ") || setting.starts_with(' ') {
            continue;
        }
        let key = setting.split(" = ").next().unwrap();
        if [
            "template_dir",
            "locale_dir",
            "cookie_domain",
            "db_passwd",
            "db_passwd_file",
            "dkim_private_key_path",
            "dkim_selector",
            "dkim_signer_domain",
            "arc_private_key_path",
            "arc_selector",
            "arc_signer_domain",
            "arc_srvid",
        ]
        .contains(&key)
        {
            continue; // examples: the default is none
        }
        let one: Config = toml::from_str(setting).unwrap_or_else(|e| panic!("{setting}: {e}"));
        assert_eq!(one, defaults, "#{setting} is not the default");
        seen += 1;
    }
    assert!(seen >= 8, "only {seen} documented defaults");
}

#[test]
fn shipped_config_documents_every_key() {
    // The keys of `Config`, from its source: a new key must be documented in the conffile.
    let source = read("src/config/mod.rs");
    let start = source.find("pub struct Config {").expect("struct Config");
    let body = &source[start..start + source[start..].find("\n}\n").unwrap()];
    let keys: Vec<&str> = body
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split_once(':').map(|(name, _)| name))
        .collect();
    assert!(keys.len() >= 10, "keys found: {keys:?}");
    let shipped = read("debian/wwsympa.toml");
    for key in keys {
        assert!(
            shipped.contains(&format!("\n#{key} = ")) || shipped.contains(&format!("\n{key} = ")),
            "debian/wwsympa.toml does not document `{key}`"
        );
    }
}

#[test]
fn config_and_state_directory_agree() {
    let service = read("systemd/wwsympa.service");
    let state = format!("/var/lib/{}", unit_value(&service, "StateDirectory"));
    let mode = unit_value(&service, "StateDirectoryMode");
    let user = unit_value(&service, "User");
    assert_eq!(user, "wwsympa");
    assert_eq!(unit_value(&service, "Group"), user);
    // About the packaged default, an SQLite file in the state directory: the same in both
    // runs, whatever database `WWSYMPA_TEST_DB` selects (this test opens none).
    assert_eq!(
        shipped_config().db_name,
        Path::new(&state).join("wwsympa.db")
    );
    let tmpfile = read("systemd/wwsympa.tmpfile");
    assert!(tmpfile.contains(&format!("\nd {state} {mode} {user} {user} -\n")));
    let sysusers = format!("u {user} - \"wwsympa web interface\" {state}");
    assert!(read("systemd/wwsympa.sysusers").contains(&sysusers));
    assert!(read("rpm/pre.sh").contains(&format!("\n{sysusers}\n")));
    assert!(read("rpm/pre.sh").contains(&format!("-d {state} ")));
    // The template instances run the same way, and the sender as the same user on the same data.
    let template = read("systemd/wwsympa@.service");
    for key in [
        "User",
        "StateDirectory",
        "StateDirectoryMode",
        "ExecStart",
        "UMask",
    ] {
        assert_eq!(
            unit_values(&template, key),
            unit_values(&service, key),
            "{key}"
        );
    }
    let sender = read("systemd/sender/wwsympa-sender.service");
    for key in [
        "User",
        "Group",
        "StateDirectory",
        "StateDirectoryMode",
        "UMask",
        "EnvironmentFile",
    ] {
        assert_eq!(
            unit_values(&sender, key),
            unit_values(&service, key),
            "{key}"
        );
    }
    assert_eq!(unit_value(&sender, "ExecStart"), "/usr/bin/wwsympa sender");
}

#[test]
fn binary_and_config_paths_agree() {
    let service = read("systemd/wwsympa.service");
    assert_eq!(unit_value(&service, "ExecStart"), "/usr/bin/wwsympa serve");
    assert_eq!(
        dest_of(&deb_assets(), "target/release/wwsympa"),
        "/usr/bin/wwsympa"
    );
    assert_eq!(
        dest_of(&rpm_assets(), "target/release/wwsympa"),
        "/usr/bin/wwsympa"
    );
    assert_eq!(dest_of(&deb_assets(), "debian/wwsympa.toml"), SYSTEM_CONFIG);
    assert_eq!(dest_of(&rpm_assets(), "debian/wwsympa.toml"), SYSTEM_CONFIG);
    let env_files = unit_values(&service, "EnvironmentFile");
    assert_eq!(
        env_files,
        ["-/etc/default/wwsympa", "-/etc/sysconfig/wwsympa"]
    );
    assert_eq!(
        dest_of(&deb_assets(), "debian/default"),
        "/etc/default/wwsympa"
    );
    assert_eq!(
        dest_of(&rpm_assets(), "debian/default"),
        "/etc/sysconfig/wwsympa"
    );
}

#[test]
fn multiwatch_drop_in_is_where_the_docs_say() {
    assert_eq!(
        dest_of(&deb_assets(), "systemd/multiwatch.conf"),
        MULTIWATCH_DROPIN
    );
    assert_eq!(
        dest_of(&rpm_assets(), "systemd/multiwatch.conf"),
        MULTIWATCH_DROPIN
    );
    for doc in [
        "systemd/multiwatch.conf",
        "debian/wwsympa.8",
        "README.md",
        "debian/default",
    ] {
        assert!(
            read(doc).replace("\\-", "-").contains(MULTIWATCH_DROPIN),
            "{doc} names {MULTIWATCH_DROPIN}"
        );
    }
    let dropin = read("systemd/multiwatch.conf");
    assert_eq!(
        unit_values(&dropin, "ExecStart"),
        [
            "",
            "/usr/bin/multiwatch -f ${WWSYMPA_WORKERS} -- /usr/bin/wwsympa serve"
        ]
    );
    assert_eq!(unit_value(&dropin, "KillMode"), "mixed");
    // multiwatch exits 0 when it gives up: only Restart=always brings it back.
    assert_eq!(unit_value(&dropin, "Restart"), "always");
    assert_eq!(
        unit_value(&read("systemd/wwsympa.service"), "Restart"),
        "on-failure"
    );
}

#[test]
fn environment_knobs_exist_in_the_cli() {
    // Every WWSYMPA_* variable the packaging documents is one `wwsympa serve` reads.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_wwsympa"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let documented = read("debian/default");
    for var in ["WWSYMPA_THREADS", "WWSYMPA_IDLE_TIMEOUT", "WWSYMPA_CONFIG"] {
        assert!(documented.contains(&format!("#{var}=")), "{var} documented");
        assert!(
            help.contains(&format!("env: {var}=")),
            "{var} read by wwsympa serve"
        );
    }
}

#[test]
fn both_packages_ship_the_same_units_and_sources_exist() {
    let units = [
        "wwsympa.socket",
        "wwsympa.service",
        "wwsympa@.socket",
        "wwsympa@.service",
    ];
    // The .deb gets the units from systemd/ (and the sender from systemd/sender/) through
    // systemd-units.
    let deb_units: Vec<(String, String)> = cargo_metadata("deb")["systemd-units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit-name"].as_str().unwrap().to_string(),
                u["unit-scripts"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        deb_units,
        [
            ("wwsympa".to_string(), "systemd/".to_string()),
            ("wwsympa-sender".to_string(), "systemd/sender/".to_string()),
            ("wwsympa-lmtp".to_string(), "systemd/lmtp/".to_string()),
            (
                "wwsympa-socketmap".to_string(),
                "systemd/socketmap/".to_string()
            ),
            ("sympasoap".to_string(), "systemd/soap/".to_string())
        ]
    );
    let rpm = rpm_assets();
    assert_eq!(
        dest_of(&rpm, "systemd/sender/wwsympa-sender.service"),
        "/usr/lib/systemd/system/wwsympa-sender.service"
    );
    for script in ["rpm/post.sh", "rpm/preun.sh", "rpm/postun.sh"] {
        assert!(
            read(script).contains(
                "wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service"
            ),
            "{script} handles every enabled unit"
        );
    }
    for unit in ["wwsympa-lmtp.socket", "wwsympa-lmtp.service"] {
        assert_eq!(
            dest_of(&rpm, &format!("systemd/lmtp/{unit}")),
            format!("/usr/lib/systemd/system/{unit}")
        );
    }
    for unit in ["sympasoap.socket", "sympasoap.service"] {
        assert_eq!(
            dest_of(&rpm, &format!("systemd/soap/{unit}")),
            format!("/usr/lib/systemd/system/{unit}")
        );
    }
    assert_eq!(
        dest_of(&rpm, "rpm/socket-group-soap.conf"),
        "/usr/lib/systemd/system/sympasoap.socket.d/50-socket-group.conf"
    );
    for unit in units {
        assert_eq!(
            dest_of(&rpm, &format!("systemd/{unit}")),
            format!("/usr/lib/systemd/system/{unit}")
        );
    }
    for (source, _) in deb_assets().iter().chain(rpm.iter()) {
        if source.starts_with("target/") {
            continue;
        }
        let path = source.trim_end_matches('*');
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists(),
            "{source} exists"
        );
    }
}

#[test]
fn the_lmtp_units_run_like_the_web_service() {
    let service = read("systemd/wwsympa.service");
    let lmtp = read("systemd/lmtp/wwsympa-lmtp.service");
    assert_eq!(unit_value(&lmtp, "ExecStart"), "/usr/bin/wwsympa lmtp");
    // The same user, data and environment files; the same hardening, key by key.
    for key in [
        "User",
        "Group",
        "StateDirectory",
        "StateDirectoryMode",
        "UMask",
        "EnvironmentFile",
        "Type",
        "NotifyAccess",
        "Restart",
        "WatchdogSec",
    ] {
        assert_eq!(unit_values(&lmtp, key), unit_values(&service, key), "{key}");
    }
    let hardening = service
        .split("# Hardening:")
        .nth(1)
        .unwrap()
        .split("[Install]")
        .next()
        .unwrap();
    for line in hardening
        .lines()
        .filter(|l| l.contains('=') && !l.starts_with('#'))
    {
        let key = line.split('=').next().unwrap();
        assert_eq!(unit_values(&lmtp, key), unit_values(&service, key), "{key}");
    }
    // The socket's name is the one `wwsympa lmtp` looks for, on the loopback.
    let socket = read("systemd/lmtp/wwsympa-lmtp.socket");
    assert_eq!(unit_value(&socket, "FileDescriptorName"), "wwsympa-lmtp");
    assert_eq!(unit_value(&socket, "ListenStream"), "127.0.0.1:8024");
    assert_eq!(unit_value(&socket, "Accept"), "no");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_wwsympa"))
        .args(["lmtp", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: wwsympa-lmtp]"), "{help}");
    // The knobs the packaging documents are the ones it reads.
    let documented = read("debian/default");
    for var in ["WWSYMPA_LMTP_CONNS", "WWSYMPA_LMTP_IDLE_TIMEOUT"] {
        assert!(documented.contains(&format!("#{var}=")), "{var} documented");
        assert!(lmtp.contains(var), "{var} named in the unit");
        assert!(
            help.contains(&format!("env: {var}=")),
            "{var} read by wwsympa lmtp"
        );
    }
    // The address the documentation gives Postfix is the socket's.
    for doc in ["debian/wwsympa.8", "README.md"] {
        assert!(
            read(doc)
                .replace("\\-", "-")
                .contains("lmtp:inet:[127.0.0.1]:8024"),
            "{doc}"
        );
    }
}

/// The hardening block of wwsympa.service: its `Key=value` lines from "# Hardening:" to [Install].
fn web_hardening_lines() -> Vec<String> {
    read("systemd/wwsympa.service")
        .split("# Hardening:")
        .nth(1)
        .unwrap()
        .split("[Install]")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.contains('=') && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_soap_units_run_like_the_web_service() {
    let service = read("systemd/wwsympa.service");
    let soap = read("systemd/soap/sympasoap.service");
    assert_eq!(
        unit_value(&soap, "ExecStart"),
        "/usr/bin/wwsympa serve --soap"
    );
    // The same user, data, environment files and restart policy; the same hardening, key by key.
    for key in [
        "User",
        "Group",
        "StateDirectory",
        "StateDirectoryMode",
        "UMask",
        "EnvironmentFile",
        "Type",
        "NotifyAccess",
        "Restart",
        "WatchdogSec",
        "ExecReload",
    ] {
        assert_eq!(unit_values(&soap, key), unit_values(&service, key), "{key}");
    }
    let hardening = web_hardening_lines();
    assert!(hardening.len() >= 30, "{hardening:?}");
    for line in hardening {
        let key = line.split('=').next().unwrap();
        assert_eq!(unit_values(&soap, key), unit_values(&service, key), "{key}");
    }
    // The socket comes as LISTEN_FDS, named as the SOAP door looks for it; standard input is not it.
    assert_eq!(unit_value(&soap, "StandardInput"), "null");
    assert_eq!(unit_value(&soap, "Requires"), "sympasoap.socket");
    let socket = read("systemd/soap/sympasoap.socket");
    let web_socket = read("systemd/wwsympa.socket");
    assert_eq!(unit_value(&socket, "FileDescriptorName"), "sympasoap");
    assert_eq!(
        unit_value(&socket, "ListenStream"),
        "/run/sympa/sympasoap.socket"
    );
    for key in [
        "SocketUser",
        "SocketGroup",
        "SocketMode",
        "Accept",
        "RemoveOnStop",
    ] {
        assert_eq!(
            unit_values(&socket, key),
            unit_values(&web_socket, key),
            "{key}"
        );
    }
}

#[test]
fn the_web_servers_send_the_soap_url_to_the_soap_socket() {
    let soap_path = Config::default()
        .soap_url
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .expect("a path in soap_url");
    assert_eq!(soap_path, "/sympasoap");
    let socket = "/run/sympa/sympasoap.socket";
    let nginx = read("nginx/wwsympa.conf");
    let at = nginx
        .find(&format!("\nlocation {soap_path} {{"))
        .expect("an nginx location for the SOAP path");
    let block = &nginx[at..at + nginx[at..].find("\n}").unwrap()];
    assert!(
        block.contains(&format!("fastcgi_pass unix:{socket};")),
        "{block}"
    );
    let apache = read("apache/wwsympa.conf");
    let at = apache
        .find(&format!("<Location {soap_path}>"))
        .expect("an Apache Location for the SOAP path");
    let block = &apache[at..at + apache[at..].find("</Location>").unwrap()];
    assert!(
        block.contains(&format!("\"proxy:unix:{socket}|fcgi://")),
        "{block}"
    );
    // lighttpd takes the first matching prefix: the SOAP path must come before the web's.
    let lighttpd = read("lighttpd/50-wwsympa.conf");
    let soap_at = lighttpd
        .find(&format!("\"{soap_path}\" => (("))
        .expect("a lighttpd fastcgi.server entry for the SOAP path");
    let web_at = lighttpd.find("\"/sympa\" => ((").unwrap();
    assert!(
        soap_at < web_at,
        "/sympasoap must come first in fastcgi.server"
    );
    assert!(lighttpd[soap_at..web_at].contains(&format!("\"socket\" => \"{socket}\"")));
    for doc in ["debian/wwsympa.8", "README.md"] {
        assert!(
            read(doc).replace("\\-", "-").contains(socket),
            "{doc} names the SOAP socket"
        );
    }
}
