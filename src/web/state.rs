//! What a request is served with, replaced whole on reload: configuration, templates, base path, page cache.

use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::i18n::Language;
use crate::render::{self, Templates};

use crate::http::cache::ResponseCache;

/// What a request is served with; replaced whole on reload.
pub struct State {
    /// The configuration.
    pub config: Config,
    /// The parsed templates.
    pub templates: Templates,
    /// `wwsympa_url`'s path, computed once.
    pub base: String,
    /// Anonymous pages of `cached` actions; dropped with the state on reload.
    pub pages: ResponseCache,
    /// The JSON API's anonymous answers, kept until the lists change (see [`crate::api`]).
    pub api_answers: ResponseCache,
    /// The site's language (`lang`; English when the site has no such catalogue).
    pub language: Arc<Language>,
    /// The language menu: every language the site has.
    pub languages: Vec<LanguageChoice>,
}

/// One entry of the language menu.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageChoice {
    /// The tag (`fr`).
    pub tag: String,
    /// The language's name in itself (`Français`).
    pub name: String,
}

impl State {
    /// Builds the state from a configuration, loading its templates.
    pub fn new(config: Config) -> Result<State, render::Error> {
        let templates =
            Templates::load_with(config.template_dir.as_deref(), config.locale_dir.as_deref())?;
        let base = config.base_path();
        let language = Arc::clone(templates.language(&config.lang));
        let languages = templates
            .catalogues()
            .languages()
            .iter()
            .map(|language| LanguageChoice {
                tag: language.tag().to_string(),
                name: language.name().to_string(),
            })
            .collect();
        Ok(State {
            config,
            templates,
            base,
            pages: ResponseCache::default(),
            api_answers: ResponseCache::default(),
            language,
            languages,
        })
    }
}
