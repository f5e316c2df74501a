//! Benchmark responder: the crate's runtime and FastCGI layer with a handler writing a fixed tiny response.
//!
//! Takes its listener as `wwsympa serve` does (LISTEN_FDS, then fd 0), serves it on one
//! thread, and stops on SIGTERM/SIGUSR1 like the real service. Used by `benches/fcgi-bench.sh`.

use std::io::Write;
use std::sync::Arc;

use wwsympa::{fcgi, runtime};

/// Always answers "Hello, world!".
struct Hello;

impl fcgi::Handler for Hello {
    fn handle(&self, _request: fcgi::Request<'_>, out: &mut fcgi::Output<'_>) -> u32 {
        let written = out.write_all(
            b"Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nHello, world!\n",
        );
        u32::from(written.is_err())
    }
}

fn main() {
    if let Err(e) = serve() {
        eprintln!("hello_fcgi: {e}");
        std::process::exit(1);
    }
}

fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let events = runtime::install_signals()?;
    let notifier = runtime::Notifier::from_env();
    let (listener, _) = runtime::acquire(None, None)?;
    let front = runtime::FcgiFront::new(listener, Arc::new(Hello), fcgi::Limits::default())?;
    let options = runtime::Options {
        connections: 1,
        idle_timeout: None,
    };
    runtime::run(Arc::new(front), &options, events, &notifier, &|| Ok(()))?;
    Ok(())
}
