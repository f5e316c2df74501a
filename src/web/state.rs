//! What a request is served with, replaced whole on reload: configuration, templates, base path, page cache.

use crate::config::Config;
use crate::render::{self, Templates};

use super::cache;

/// What a request is served with; replaced whole on reload.
pub struct State {
    /// The configuration.
    pub config: Config,
    /// The parsed templates.
    pub templates: Templates,
    /// `wwsympa_url`'s path, computed once.
    pub base: String,
    /// Anonymous pages of `cached` actions; dropped with the state on reload.
    pub pages: cache::PageCache,
}

impl State {
    /// Builds the state from a configuration, loading its templates.
    pub fn new(config: Config) -> Result<State, render::Error> {
        let templates =
            Templates::load_with(config.template_dir.as_deref(), config.locale_dir.as_deref())?;
        let base = config.base_path();
        Ok(State {
            config,
            templates,
            base,
            pages: cache::PageCache::default(),
        })
    }
}
