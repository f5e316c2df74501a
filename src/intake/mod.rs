//! The mail door: the LMTP [`Mailbox`] over the store, which classifies each recipient and
//! hands each message to the intake operations (posts, commands, bounces).

use std::sync::Arc;

use crate::config::Config;
use crate::lmtp::{Envelope, Mailbox, Reply};
use crate::mail::Wake;
use crate::store::Target;

/// Why the door could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The templates (for notices) could not be loaded.
    #[error("loading templates: {0}")]
    Templates(String),
}

/// The intake door: one per process, shared by the LMTP connection threads.
pub struct Door {
    config: Config,
    target: Target,
    wake: Arc<Wake>,
}

impl Door {
    /// A door over the database `target`; `wake` is the process's sender, woken after each
    /// commit that queued mail.
    pub fn new(config: Config, target: Target, wake: Arc<Wake>) -> Result<Door, Error> {
        Ok(Door {
            config,
            target,
            wake,
        })
    }
}

impl Mailbox for Door {
    fn recipient(&self, recipient: &str) -> Reply {
        let _ = (&self.target, &self.wake, recipient);
        todo!("issue 11: intake")
    }

    fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Vec<Reply> {
        let _ = (envelope, message);
        todo!("issue 11: intake")
    }

    fn max_size(&self) -> u64 {
        self.config.max_body_size
    }
}
