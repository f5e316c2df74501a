//! The plain HTTP front door (`serve --http`), on tiny_http, for trying wwsympa out and for browser tests.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{call_guarded, read_body, Method, Request, Service};
use crate::runtime::{Front, WorkerCtx};

/// Plain HTTP on a TCP address, served by the runtime's worker threads.
pub struct HttpFront {
    server: tiny_http::Server,
    service: Arc<dyn Service>,
    max_body: u64,
    addr: String,
}

impl HttpFront {
    /// Binds `addr`.
    pub fn bind(addr: &str, service: Arc<dyn Service>, max_body: u64) -> Result<HttpFront, String> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| format!("cannot listen on http://{addr}: {e}"))?;
        let addr = match server.server_addr() {
            tiny_http::ListenAddr::IP(ip) => ip.to_string(),
            other => other.to_string(),
        };
        Ok(HttpFront {
            server,
            service,
            max_body,
            addr,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> &str {
        &self.addr
    }

    fn answer(&self, mut incoming: tiny_http::Request) {
        let target = incoming.url().to_string();
        let parsed = Request::parse_target(Method::parse(incoming.method().as_str()), &target);
        let Ok(mut request) = parsed else {
            let refusal = tiny_http::Response::from_string(
                "400 Bad Request: the request path is not valid UTF-8\n",
            )
            .with_status_code(400);
            let _ = incoming.respond(refusal);
            return;
        };
        request.headers = incoming
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_string(),
                )
            })
            .collect();
        request.remote_addr = incoming.remote_addr().map(SocketAddr::ip);
        let declared = request.content_length();
        let response = match read_body(incoming.as_reader(), declared, self.max_body) {
            Err(refusal) => refusal,
            Ok(body) => {
                request.body = body;
                call_guarded(self.service.as_ref(), &request)
            }
        };
        let head = request.method == Method::Head;
        let mut reply =
            tiny_http::Response::from_data(if head { Vec::new() } else { response.body })
                .with_status_code(response.status);
        for (name, value) in &response.headers {
            if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                reply.add_header(header);
            }
        }
        if let Err(e) = incoming.respond(reply) {
            log::debug!("http: could not send the response: {e}");
        }
    }
}

impl Front for HttpFront {
    fn run_worker(&self, ctx: &WorkerCtx) {
        while !ctx.stop.load(Ordering::SeqCst) {
            match self.server.recv_timeout(Duration::from_millis(200)) {
                Ok(Some(incoming)) => {
                    let _guard = ctx.activity.begin();
                    self.answer(incoming);
                }
                Ok(None) => {}
                Err(e) => {
                    log::error!("http: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    fn describe(&self) -> String {
        format!("HTTP on http://{}", self.addr)
    }
}
