//! The mailing-list vocabulary and its rules: names, lists, members, roles, policies and the
//! authorization decision; no IO, no HTTP, no SQL, no templates.

pub mod archive;
pub mod authz;
pub mod bounce;
pub mod calendar;
pub mod digest;
pub mod list;
pub mod list_names;
pub mod member;
pub mod names;
pub mod params;
pub mod policy;
pub mod post;
pub mod role;
pub mod template;
pub mod text;
pub mod texts;
pub mod user;

pub use archive::{
    ArchivedState, IndexText, Month, SearchCombine, SearchField, SearchOrder, SearchQuery,
    SearchTerm,
};
pub use authz::{decide, ActionKind, Decision, Reason};
pub use bounce::{BounceScore, BounceSettings};
pub use digest::DigestSettings;
pub use list::{List, ListId, ListSummary, Visibility};
pub use list_names::{check_new_list_name, NameProblem};
pub use member::{Admin, AdminRole, Member, MemberVisibility, ReceptionMode};
pub use names::{Email, ListName, NameError};
pub use policy::{
    ArchiveAccess, ListPolicy, ListStatus, ReviewPolicy, SendPolicy, SubscribePolicy,
    UnsubscribePolicy,
};
pub use post::{
    DeliveryMode, DmarcProtection, HoldReason, ListAddress, MailSettings, PostVerdict,
    RejectReason, SenderRule,
};
pub use role::{Role, Roles};
pub use template::ListTemplate;
pub use texts::{TextFormat, TextKind, TextScope, TextUse};
pub use user::{Membership, MembershipBounce, User};
