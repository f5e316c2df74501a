//! A tiny browser over `web::App::call`: keeps cookies, finds CSRF tokens, builds requests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use wwsympa::config::Config;
use wwsympa::domain::{ListId, ListName, ListPolicy};
use wwsympa::http::{Method, Request, Response, Service};
use wwsympa::operations::{account, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{NewList, Store};
use wwsympa::web::{App, State};

/// A test site: its configuration and the app over a fresh database in `dir`.
pub struct Site {
    pub config: Config,
    pub app: App,
}

impl Site {
    /// A site whose database lives in `dir`; `tweak` adjusts the configuration. Mail goes
    /// to a closed port unless `tweak` says otherwise, so tests never reach a real MTA.
    pub fn new(dir: &Path, tweak: impl FnOnce(&mut Config)) -> Site {
        let mut config = Config {
            db_name: dir.join("test.db"),
            domain: "lists.example.org".into(),
            wwsympa_url: "http://lists.example.org/sympa".into(),
            listmaster: "boss@example.org".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: crate::support::free_port(),
            ..Config::default()
        };
        tweak(&mut config);
        let mut store = Store::open(&config.db_name).unwrap();
        store.migrate().unwrap();
        let app = App::new(State::new(config.clone()).unwrap(), None);
        Site { config, app }
    }

    /// Starts the outbox sender a serving process runs, woken by this site's requests;
    /// stopped when dropped. Without it, mail stays queued in the outbox.
    pub fn start_sender(&self) -> wwsympa::mail::SenderThread {
        let config = self.config.clone();
        wwsympa::mail::SenderThread::spawn(
            "test",
            self.config.db_name.clone(),
            move || config.clone(),
            self.app.outbox_wake(),
            std::time::Duration::from_secs(5),
        )
        .unwrap()
    }

    /// A connection to the site's database.
    pub fn store(&self) -> Store {
        Store::open(&self.config.db_name).unwrap()
    }

    /// Creates an account with `password`.
    pub fn add_user(&self, email: &str, password: &str) {
        let mut store = self.store();
        let templates = Templates::load(None).unwrap();
        let mut env = Env::new(&mut store, &self.config, &templates);
        account::create_user(&mut env, &Requester::shell(), email, Some(password), false).unwrap();
    }

    /// Creates a list of the site's domain with `policy` (and `policy.visibility`).
    pub fn add_list(&self, name: &str, description: &str, policy: ListPolicy) -> ListId {
        let store = self.store();
        let db = store.db();
        let id = db
            .create_list(
                &self.config.domain,
                &NewList {
                    name: ListName::parse(name).unwrap(),
                    subject: format!("The {name} list"),
                    description: description.into(),
                    topics: vec![],
                    visibility: policy.visibility,
                },
            )
            .unwrap();
        db.set_list_policy(id, &policy).unwrap();
        id
    }

    /// A browser with no cookies, coming from `remote`.
    pub fn browser(&self, remote: &str) -> Browser<'_> {
        Browser {
            app: &self.app,
            cookies: BTreeMap::new(),
            remote: remote.parse().unwrap(),
            https: false,
            last_csrf: None,
        }
    }
}

/// Cookies, a client address and the last CSRF token seen.
pub struct Browser<'a> {
    app: &'a App,
    pub cookies: BTreeMap<String, String>,
    pub remote: IpAddr,
    pub https: bool,
    pub last_csrf: Option<String>,
}

/// The body as text.
pub fn body(response: &Response) -> String {
    String::from_utf8(response.body.clone()).unwrap()
}

/// Every `Set-Cookie` field of a response.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// The value of the first `name="csrf_token" value="..."` in an HTML page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string()).filter(|t| !t.is_empty())
}

impl Browser<'_> {
    fn send(&mut self, method: Method, target: &str, body: Vec<u8>) -> Response {
        let mut request = Request::parse_target(method, target).unwrap();
        request.remote_addr = Some(self.remote);
        request.https = self.https;
        request.body = body;
        if !self.cookies.is_empty() {
            let header = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request.headers.push(("cookie".into(), header));
        }
        request.headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        let response = self.app.call(&request);
        for cookie in set_cookies(&response) {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        if let Some(token) = csrf_in(&String::from_utf8_lossy(&response.body)) {
            self.last_csrf = Some(token);
        }
        response
    }

    /// GET `target`.
    pub fn get(&mut self, target: &str) -> Response {
        self.send(Method::Get, target, Vec::new())
    }

    /// POST the urlencoded `fields` to `target`, as given (no token added).
    pub fn post_raw(&mut self, target: &str, fields: &[(&str, &str)]) -> Response {
        let body = fields
            .iter()
            .map(|(n, v)| {
                format!(
                    "{}={}",
                    n,
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        self.send(Method::Post, target, body.into_bytes())
    }

    /// POST raw bytes.
    pub fn post_bytes(&mut self, target: &str, body: &[u8]) -> Response {
        self.send(Method::Post, target, body.to_vec())
    }

    /// POST `fields` with the last CSRF token seen.
    pub fn post(&mut self, target: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.last_csrf.clone().expect("a page with a form first");
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post_raw(target, &fields)
    }

    /// The session cookie's value.
    pub fn session(&self) -> Option<String> {
        self.cookies.get("sympa_session").cloned()
    }

    /// Logs in through the form; panics unless it works.
    pub fn login(&mut self, email: &str, password: &str) {
        self.get("/sympa/login");
        let response = self.post("/sympa/login", &[("email", email), ("passwd", password)]);
        assert_eq!(response.status, 303, "{}", body(&response));
    }
}
