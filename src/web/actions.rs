//! The action table: one entry per action, sorted by name, and the old names that still work.

use super::action::{Access, Action, Methods};
use super::handlers::home;

/// Every action, sorted by name.
pub static ACTIONS: &[Action] = &[
    Action {
        name: "home",
        handler: home::home,
        args: &[],
        access: Access::Anyone,
        methods: Methods::Read,
    },
    Action {
        name: "lists",
        handler: home::lists,
        args: &["topic", "subtopic"],
        access: Access::Anyone,
        methods: Methods::Read,
    },
];

/// Old action names WWSympa still answers (reference §1.10), mapped to today's.
pub static ALIASES: &[(&str, &str)] = &[("lists_categories", "lists")];

/// The action called `name`, directly or through an alias.
pub fn find(name: &str) -> Option<&'static Action> {
    let name = ALIASES
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new);
    ACTIONS.iter().find(|action| action.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in ACTIONS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must come before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn aliases_point_at_real_actions() {
        for (old, new) in ALIASES {
            assert!(find(new).is_some(), "alias {old} points at unknown {new}");
            assert!(
                ACTIONS.iter().all(|a| a.name != *old),
                "alias {old} shadows an action"
            );
        }
    }

    #[test]
    fn every_action_has_a_template_named_after_it() {
        let templates = crate::render::Templates::load(None).unwrap();
        for action in ACTIONS {
            assert!(
                templates.has(&format!("web/{}.html", action.name)),
                "no template for {}",
                action.name
            );
        }
    }
}
