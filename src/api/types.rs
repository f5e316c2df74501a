//! The JSON the API reads and writes: every body a handler serializes or parses is one of these types, and the OpenAPI document is derived from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Admin, ListSummary, ListTemplate, Member, Membership, Roles};
use crate::operations::lists::Permissions;
use crate::store::PendingRecord;

/// A list as the index shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListItem {
    /// The list's name.
    pub name: String,
    /// Its subject line.
    pub subject: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// `noconceal` (in the index for everyone) or `conceal`.
    pub visibility: String,
}

impl From<ListSummary> for ListItem {
    fn from(list: ListSummary) -> ListItem {
        ListItem {
            name: list.name.to_string(),
            subject: list.subject,
            topics: list.topics,
            visibility: list.visibility.as_str().to_string(),
        }
    }
}

/// One page of lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListPage {
    /// The lists of this page, by name.
    pub lists: Vec<ListItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What the caller is on a list.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct RolesJson {
    /// A member.
    pub subscriber: bool,
    /// A moderator.
    pub editor: bool,
    /// An owner.
    pub owner: bool,
    /// A privileged owner.
    pub privileged_owner: bool,
    /// A listmaster of the domain.
    pub listmaster: bool,
}

impl From<Roles> for RolesJson {
    fn from(roles: Roles) -> RolesJson {
        RolesJson {
            subscriber: roles.subscriber,
            editor: roles.editor,
            owner: roles.owner,
            privileged_owner: roles.privileged_owner,
            listmaster: roles.listmaster,
        }
    }
}

/// What the caller may do on a list.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PermissionsJson {
    /// Subscribe.
    pub subscribe: bool,
    /// Unsubscribe.
    pub signoff: bool,
    /// See the members.
    pub review: bool,
    /// Read the archives.
    pub archive: bool,
    /// Decide on held requests.
    pub requests: bool,
}

impl From<Permissions> for PermissionsJson {
    fn from(may: Permissions) -> PermissionsJson {
        PermissionsJson {
            subscribe: may.subscribe,
            signoff: may.signoff,
            review: may.review,
            archive: may.archive,
            requests: may.requests,
        }
    }
}

/// An owner or moderator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminJson {
    /// The address.
    pub email: String,
    /// The display name.
    pub name: String,
    /// `owner` or `editor`.
    pub role: String,
    /// A privileged owner.
    pub privileged: bool,
}

impl From<Admin> for AdminJson {
    fn from(admin: Admin) -> AdminJson {
        AdminJson {
            email: admin.email.to_string(),
            name: admin.name,
            role: admin.role.as_str().to_string(),
            privileged: admin.privileged,
        }
    }
}

/// A list's page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListDetail {
    /// The list's name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// Its subject line.
    pub subject: String,
    /// Its description.
    pub description: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// `noconceal` or `conceal`.
    pub visibility: String,
    /// How many members it has.
    pub member_count: u64,
    /// Its owners (none shown to anonymous callers).
    pub owners: Vec<AdminJson>,
    /// What the caller is on it.
    pub roles: RolesJson,
    /// What the caller may do on it.
    pub may: PermissionsJson,
}

/// The owners and moderators of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminList {
    /// Owners.
    pub owners: Vec<AdminJson>,
    /// Moderators.
    pub editors: Vec<AdminJson>,
}

/// A membership.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberJson {
    /// The address.
    pub email: String,
    /// The display name.
    pub name: String,
    /// The reception mode (`mail`, `digest`, `nomail`, …).
    pub reception: String,
    /// `conceal` or `noconceal`.
    pub visibility: String,
    /// The list's custom attributes, by id.
    pub custom_attributes: BTreeMap<String, String>,
    /// When the address was subscribed, in seconds since the epoch.
    pub subscribed_at: i64,
    /// When the membership last changed, in seconds since the epoch.
    pub updated_at: i64,
}

impl From<Member> for MemberJson {
    fn from(member: Member) -> MemberJson {
        MemberJson {
            email: member.email.to_string(),
            name: member.name,
            reception: member.reception.as_str().to_string(),
            visibility: member.visibility.as_str().to_string(),
            custom_attributes: member.custom_attributes,
            subscribed_at: member.subscribed_at,
            updated_at: member.updated_at,
        }
    }
}

/// One page of members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberPage {
    /// The members of this page, by address.
    pub members: Vec<MemberJson>,
    /// How many the caller may see in all.
    pub total: u64,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST lists/{list}/members`: a member to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The address.
    pub email: String,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
    /// No welcome mail.
    #[serde(default)]
    pub quiet: Option<bool>,
}

/// `PATCH lists/{list}/members/{email}`: what changes; what is absent stays.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// The reception mode.
    #[serde(default)]
    pub reception: Option<String>,
    /// `conceal` or `noconceal`.
    #[serde(default)]
    pub visibility: Option<String>,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Custom attributes to set (merged: the others stay).
    #[serde(default)]
    pub custom_attributes: Option<BTreeMap<String, String>>,
}

/// `POST lists/{list}/subscribe` and `signoff`: an anonymous caller names the address (a
/// link is mailed to it); an authenticated caller acts for their own address.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipRequest {
    /// The address (anonymous callers only).
    #[serde(default)]
    pub email: Option<String>,
    /// The display name (subscribe only).
    #[serde(default)]
    pub name: Option<String>,
    /// Answers to the list's custom attributes (Sympa's `custom_attribute`), by attribute
    /// id (subscribe only). Checked as the web form's are: a required attribute missing is
    /// `custom_attribute_required`, a value over 500 characters
    /// `custom_attribute_too_long`, an id the list does not ask `unknown_custom_attribute`,
    /// a value of the wrong type or not offered `invalid_custom_attribute`; the error names
    /// the attribute (`attribute`). Kept with the membership, through a mailed confirmation
    /// or an owner's approval too, and shown in the member's details.
    #[serde(default)]
    pub custom_attributes: Option<BTreeMap<String, String>>,
}

/// What became of a subscription or unsubscription.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestOutcome {
    /// `subscribed`, `unsubscribed`, `confirmation_sent` or `held_for_owner`.
    pub outcome: String,
}

/// The caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    /// The address the token stands for.
    pub email: String,
    /// A listmaster of the domain.
    pub listmaster: bool,
    /// The token's scope: `read` or `write`.
    pub scope: String,
}

/// One of the caller's lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyList {
    /// The list's name.
    pub name: String,
    /// Its subject.
    pub subject: String,
    /// Every role held on it (`subscriber`, `editor`, `owner`, `privileged_owner`).
    pub roles: Vec<String>,
}

impl From<Membership> for MyList {
    fn from(membership: Membership) -> MyList {
        MyList {
            name: membership.list.to_string(),
            subject: membership.subject,
            roles: membership
                .roles
                .into_iter()
                .map(|r| r.as_str().replace(' ', "_"))
                .collect(),
        }
    }
}

/// The caller's lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyLists {
    /// The lists, by name.
    pub lists: Vec<MyList>,
}

/// A list template, by Sympa's name (what `POST lists` starts a list from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum TemplateName {
    /// An open discussion.
    #[serde(rename = "discussion_list")]
    DiscussionList,
    /// A newsletter.
    #[serde(rename = "news-letter")]
    NewsLetter,
    /// A newsletter (HTML).
    #[serde(rename = "html-news-letter")]
    HtmlNewsLetter,
    /// A concealed working group.
    #[serde(rename = "private_working_group")]
    PrivateWorkingGroup,
    /// A forum read on the web.
    #[serde(rename = "public_web_forum")]
    PublicWebForum,
    /// A forum of members.
    #[serde(rename = "web_forum")]
    WebForum,
    /// For the site's logged-in users.
    #[serde(rename = "intranet_list")]
    IntranetList,
    /// Concealed and closed.
    #[serde(rename = "confidential")]
    Confidential,
    /// Anyone writes to it.
    #[serde(rename = "hotline")]
    Hotline,
}

impl From<TemplateName> for ListTemplate {
    fn from(name: TemplateName) -> ListTemplate {
        match name {
            TemplateName::DiscussionList => ListTemplate::DiscussionList,
            TemplateName::NewsLetter => ListTemplate::NewsLetter,
            TemplateName::HtmlNewsLetter => ListTemplate::HtmlNewsLetter,
            TemplateName::PrivateWorkingGroup => ListTemplate::PrivateWorkingGroup,
            TemplateName::PublicWebForum => ListTemplate::PublicWebForum,
            TemplateName::WebForum => ListTemplate::WebForum,
            TemplateName::IntranetList => ListTemplate::IntranetList,
            TemplateName::Confidential => ListTemplate::Confidential,
            TemplateName::Hotline => ListTemplate::Hotline,
        }
    }
}

/// `POST lists`: a list to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListJson {
    /// The list's name: letters, digits and `._+-`, starting with a letter or digit.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._+-]{0,49}$", max_length = 50)]
    pub name: String,
    /// Its subject line: one line of visible characters.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    /// The list template it starts from.
    pub template: TemplateName,
    /// Its description.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Its topics.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub topics: Option<Vec<String>>,
}

/// A list just created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedList {
    /// The list's name.
    pub name: String,
    /// `open`, or `pending` while it waits for a listmaster.
    pub status: String,
}

/// A request waiting for an owner.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingJson {
    /// `subscribe` or `signoff`.
    pub kind: String,
    /// The address.
    pub email: String,
    /// The display name given, if any.
    pub name: String,
    /// When it was made, in seconds since the epoch.
    pub requested_at: i64,
}

impl From<PendingRecord> for PendingJson {
    fn from(pending: PendingRecord) -> PendingJson {
        PendingJson {
            name: pending
                .data
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or_default()
                .to_string(),
            kind: pending.kind,
            email: pending.email.to_string(),
            requested_at: pending.created_at,
        }
    }
}

/// The requests waiting for a list's owners.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingList {
    /// Oldest first.
    pub requests: Vec<PendingJson>,
}

/// `POST lists/{list}/requests/{kind}/{email}`: an owner's decision.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionJson {
    /// Accept (true) or decline (false).
    pub accept: bool,
    /// No mail to the address.
    #[serde(default)]
    pub quiet: Option<bool>,
}

/// Done; nothing more to say.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Done {
    /// Always true.
    pub ok: bool,
}

#[cfg(test)]
mod tests {
    use super::TemplateName;
    use crate::domain::ListTemplate;

    #[test]
    fn every_template_has_its_sympa_name_in_the_api() {
        for template in ListTemplate::ALL {
            let name: TemplateName =
                serde_json::from_value(serde_json::json!(template.as_str())).unwrap();
            assert_eq!(ListTemplate::from(name), *template);
        }
        assert!(serde_json::from_value::<TemplateName>(serde_json::json!("nonsense")).is_err());
    }
}
