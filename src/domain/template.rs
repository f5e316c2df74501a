//! List templates: Sympa's `create_list_templates` names, each a preset of a new list's policies.
//!
//! Sympa creates a list from a template directory (`discussion_list`, `news-letter`, …)
//! whose `config.tt2` sets the list's scenarios. We keep the names, so that portals calling
//! `createList(list, subject, template, …)` work unchanged, and map each template's
//! scenarios to the policies we support. Where Sympa's scenario has no exact match here, the
//! nearest one that opens no more is taken, and the variant's comment says so.

use serde::Serialize;

use super::list::Visibility;
use super::policy::{
    ArchiveAccess, ListPolicy, ReviewPolicy, SendPolicy, SubscribePolicy, UnsubscribePolicy,
};

/// A template a list is created from (Sympa's `create_list_templates/<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ListTemplate {
    /// `discussion_list`: an open discussion; anyone subscribes, members post, outsiders
    /// are moderated, public archives.
    DiscussionList,
    /// `news-letter`: a newsletter; anyone subscribes, only moderated posts go out.
    NewsLetter,
    /// `html-news-letter`: as `news-letter` (Sympa's differs only in its HTML reception
    /// default, which we do not have).
    HtmlNewsLetter,
    /// `private_working_group`: a concealed group; owners accept members, members post.
    PrivateWorkingGroup,
    /// `public_web_forum`: a forum read on the web; anyone subscribes, public archives.
    PublicWebForum,
    /// `web_forum`: a forum of members (ours: Sympa's older template has no shipped file);
    /// anyone subscribes, members post, public archives, members see each other.
    WebForum,
    /// `intranet_list`: for the site's logged-in users. Sympa's `intranet` scenarios
    /// (subscribe, archives) become intranet visibility, open subscription and members-only
    /// archives here; its `privateorpublickey` send scenario, members post and others are
    /// moderated.
    IntranetList,
    /// `confidential`: concealed and closed; owners add members, only members post
    /// (Sympa's `confidential` send scenario, which also hides the sender, is `private` here).
    Confidential,
    /// `hotline`: anyone writes to it; owners accept members, who answer.
    Hotline,
}

impl ListTemplate {
    /// Every template, in the order forms offer them.
    pub const ALL: &'static [ListTemplate] = &[
        ListTemplate::DiscussionList,
        ListTemplate::NewsLetter,
        ListTemplate::HtmlNewsLetter,
        ListTemplate::PrivateWorkingGroup,
        ListTemplate::PublicWebForum,
        ListTemplate::WebForum,
        ListTemplate::IntranetList,
        ListTemplate::Confidential,
        ListTemplate::Hotline,
    ];

    /// Sympa's name of the template.
    pub fn as_str(self) -> &'static str {
        match self {
            ListTemplate::DiscussionList => "discussion_list",
            ListTemplate::NewsLetter => "news-letter",
            ListTemplate::HtmlNewsLetter => "html-news-letter",
            ListTemplate::PrivateWorkingGroup => "private_working_group",
            ListTemplate::PublicWebForum => "public_web_forum",
            ListTemplate::WebForum => "web_forum",
            ListTemplate::IntranetList => "intranet_list",
            ListTemplate::Confidential => "confidential",
            ListTemplate::Hotline => "hotline",
        }
    }

    /// The template called `name` (Sympa's names, exactly); `None` for any other.
    pub fn parse(name: &str) -> Option<ListTemplate> {
        ListTemplate::ALL
            .iter()
            .copied()
            .find(|template| template.as_str() == name)
    }

    /// One line saying what the template makes, for the forms that offer it.
    pub fn description(self) -> &'static str {
        match self {
            ListTemplate::DiscussionList => {
                "Discussion list: anyone may subscribe, members post, archives are public."
            }
            ListTemplate::NewsLetter => {
                "Newsletter: anyone may subscribe, every post is approved by a moderator."
            }
            ListTemplate::HtmlNewsLetter => {
                "HTML newsletter: as a newsletter, for messages written in HTML."
            }
            ListTemplate::PrivateWorkingGroup => {
                "Private working group: hidden, owners accept members, archives for members."
            }
            ListTemplate::PublicWebForum => {
                "Public web forum: anyone may subscribe and read the archives on the web."
            }
            ListTemplate::WebForum => {
                "Web forum: anyone may subscribe, members post and see each other."
            }
            ListTemplate::IntranetList => {
                "Intranet list: for the site's logged-in users, archives for members."
            }
            ListTemplate::Confidential => {
                "Confidential list: hidden, owners add the members, only members post."
            }
            ListTemplate::Hotline => "Hotline: anyone may write to it, owners choose who answers.",
        }
    }

    /// The policies a list made from the template starts with.
    pub fn policy(self) -> ListPolicy {
        use ArchiveAccess as A;
        use ReviewPolicy as R;
        use SubscribePolicy as S;
        use UnsubscribePolicy as U;
        use Visibility as V;
        let (visibility, subscribe, unsubscribe, review, archive) = match self {
            ListTemplate::DiscussionList => (
                V::Noconceal,
                S::OpenNotify,
                U::OpenNotify,
                R::Owner,
                A::Public,
            ),
            ListTemplate::NewsLetter | ListTemplate::HtmlNewsLetter => {
                (V::Noconceal, S::Open, U::OpenNotify, R::Owner, A::Public)
            }
            ListTemplate::PrivateWorkingGroup => {
                (V::Conceal, S::Owner, U::OpenNotify, R::Private, A::Private)
            }
            ListTemplate::PublicWebForum => {
                (V::Noconceal, S::Open, U::OpenNotify, R::Owner, A::Public)
            }
            ListTemplate::WebForum => (V::Noconceal, S::Open, U::Open, R::Private, A::Public),
            ListTemplate::IntranetList => {
                (V::Intranet, S::Open, U::OpenNotify, R::Private, A::Private)
            }
            ListTemplate::Confidential => {
                (V::Conceal, S::Closed, U::Closed, R::Private, A::Private)
            }
            ListTemplate::Hotline => (
                V::Noconceal,
                S::Owner,
                U::OpenNotify,
                R::Private,
                A::Private,
            ),
        };
        ListPolicy {
            visibility,
            subscribe,
            unsubscribe,
            review,
            archive,
        }
    }

    /// Who may post to a list made from the template.
    pub fn send(self) -> SendPolicy {
        match self {
            ListTemplate::DiscussionList
            | ListTemplate::PrivateWorkingGroup
            | ListTemplate::PublicWebForum
            | ListTemplate::IntranetList => SendPolicy::PrivateOrModerated,
            ListTemplate::NewsLetter | ListTemplate::HtmlNewsLetter => SendPolicy::ModeratedOnly,
            ListTemplate::WebForum | ListTemplate::Confidential => SendPolicy::Private,
            ListTemplate::Hotline => SendPolicy::Public,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_unknown() {
        for template in ListTemplate::ALL {
            assert_eq!(ListTemplate::parse(template.as_str()), Some(*template));
            assert!(!template.description().is_empty());
        }
        assert_eq!(ListTemplate::ALL.len(), 9);
        // A form offering the templates tells each apart by its line.
        let lines: std::collections::BTreeSet<&str> =
            ListTemplate::ALL.iter().map(|t| t.description()).collect();
        assert_eq!(lines.len(), ListTemplate::ALL.len());
        for unknown in [
            "",
            "Discussion_List",
            "news_letter",
            "discussion_list ",
            "../x",
        ] {
            assert_eq!(ListTemplate::parse(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn presets_follow_sympas_templates() {
        let confidential = ListTemplate::Confidential.policy();
        assert_eq!(confidential.visibility, Visibility::Conceal);
        assert_eq!(confidential.subscribe, SubscribePolicy::Closed);
        assert_eq!(confidential.unsubscribe, UnsubscribePolicy::Closed);
        assert_eq!(ListTemplate::Confidential.send(), SendPolicy::Private);

        let news = ListTemplate::NewsLetter.policy();
        assert_eq!(news.archive, ArchiveAccess::Public);
        assert_eq!(news.review, ReviewPolicy::Owner);
        assert_eq!(ListTemplate::NewsLetter.send(), SendPolicy::ModeratedOnly);

        let discussion = ListTemplate::DiscussionList.policy();
        assert_eq!(discussion.subscribe, SubscribePolicy::OpenNotify);
        assert_eq!(
            ListTemplate::DiscussionList.send(),
            SendPolicy::PrivateOrModerated
        );

        assert_eq!(
            ListTemplate::PrivateWorkingGroup.policy().visibility,
            Visibility::Conceal
        );
        assert_eq!(
            ListTemplate::IntranetList.policy().visibility,
            Visibility::Intranet
        );
        assert_eq!(ListTemplate::Hotline.send(), SendPolicy::Public);
        assert_eq!(
            ListTemplate::Hotline.policy().subscribe,
            SubscribePolicy::Owner
        );
        // No two templates are the same preset, but for the two newsletters.
        for (i, a) in ListTemplate::ALL.iter().enumerate() {
            for b in &ListTemplate::ALL[i + 1..] {
                let same = a.policy() == b.policy() && a.send() == b.send();
                let newsletters = [ListTemplate::NewsLetter, ListTemplate::HtmlNewsLetter];
                assert_eq!(
                    same,
                    newsletters.contains(a) && newsletters.contains(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
