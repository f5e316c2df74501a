//! Which endpoint a path and method name: 404 for a path the API does not have, 405 (with `Allow`) for a method the path does not take.

use crate::http::Method;

use super::error::ApiError;
use super::{lists, me, members, requests, Answer, Call};

/// An endpoint with the values its path carries (each segment already decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET openapi.json`.
    OpenApi,
    /// `GET lists`.
    Lists,
    /// `POST lists`.
    CreateList,
    /// `GET lists/{list}`.
    List(String),
    /// `POST lists/{list}/close`.
    CloseList(String),
    /// `GET lists/{list}/members`.
    Members(String),
    /// `POST lists/{list}/members`.
    AddMember(String),
    /// `GET lists/{list}/members/{email}`.
    Member(String, String),
    /// `PATCH lists/{list}/members/{email}`.
    UpdateMember(String, String),
    /// `DELETE lists/{list}/members/{email}`.
    DeleteMember(String, String),
    /// `GET lists/{list}/admins`.
    Admins(String),
    /// `POST lists/{list}/subscribe`.
    Subscribe(String),
    /// `POST lists/{list}/signoff`.
    Signoff(String),
    /// `GET lists/{list}/requests`.
    Requests(String),
    /// `POST lists/{list}/requests/{kind}/{email}`.
    Decide(String, String, String),
    /// `GET me`.
    Me,
    /// `GET me/lists`.
    MyLists,
}

const GET: &str = "GET, HEAD";
const POST: &str = "POST";
const GET_POST: &str = "GET, HEAD, POST";
const MEMBER: &str = "GET, HEAD, PATCH, DELETE";

/// The method's name as `Allow` lists it.
fn method_name(method: &Method) -> &str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Other(name) => name,
    }
}

/// The endpoint `method` and `path` (the segments after `api/v1`) name.
pub fn route(method: &Method, path: &[String]) -> Result<Endpoint, ApiError> {
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    // HEAD is answered as GET.
    let m = match method_name(method) {
        "HEAD" => "GET",
        other => other,
    };
    let own = |s: &str| s.to_string();
    let (allowed, endpoint) = match (segments.as_slice(), m) {
        (["openapi.json"], "GET") => (GET, Some(Endpoint::OpenApi)),
        (["openapi.json"], _) => (GET, None),
        (["lists"], "GET") => (GET_POST, Some(Endpoint::Lists)),
        (["lists"], "POST") => (GET_POST, Some(Endpoint::CreateList)),
        (["lists"], _) => (GET_POST, None),
        (["lists", list], "GET") => (GET, Some(Endpoint::List(own(list)))),
        (["lists", _], _) => (GET, None),
        (["lists", list, "close"], "POST") => (POST, Some(Endpoint::CloseList(own(list)))),
        (["lists", list, "members"], "GET") => (GET_POST, Some(Endpoint::Members(own(list)))),
        (["lists", list, "members"], "POST") => (GET_POST, Some(Endpoint::AddMember(own(list)))),
        (["lists", _, "members"], _) => (GET_POST, None),
        (["lists", list, "members", email], "GET") => {
            (MEMBER, Some(Endpoint::Member(own(list), own(email))))
        }
        (["lists", list, "members", email], "PATCH") => {
            (MEMBER, Some(Endpoint::UpdateMember(own(list), own(email))))
        }
        (["lists", list, "members", email], "DELETE") => {
            (MEMBER, Some(Endpoint::DeleteMember(own(list), own(email))))
        }
        (["lists", _, "members", _], _) => (MEMBER, None),
        (["lists", list, "admins"], "GET") => (GET, Some(Endpoint::Admins(own(list)))),
        (["lists", list, "subscribe"], "POST") => (POST, Some(Endpoint::Subscribe(own(list)))),
        (["lists", list, "signoff"], "POST") => (POST, Some(Endpoint::Signoff(own(list)))),
        (["lists", list, "requests"], "GET") => (GET, Some(Endpoint::Requests(own(list)))),
        (["lists", _, "admins" | "requests"], _) => (GET, None),
        (["lists", _, "close" | "subscribe" | "signoff"], _) => (POST, None),
        (["lists", list, "requests", kind, email], "POST") => (
            POST,
            Some(Endpoint::Decide(own(list), own(kind), own(email))),
        ),
        (["lists", _, "requests", _, _], _) => (POST, None),
        (["me"], "GET") => (GET, Some(Endpoint::Me)),
        (["me", "lists"], "GET") => (GET, Some(Endpoint::MyLists)),
        (["me"] | ["me", "lists"], _) => (GET, None),
        _ => return Err(ApiError::not_found()),
    };
    endpoint.ok_or_else(|| ApiError::method_not_allowed(allowed))
}

/// Runs the endpoint's handler.
pub fn dispatch(call: &mut Call<'_>, endpoint: Endpoint) -> Answer {
    match endpoint {
        Endpoint::OpenApi => Err(ApiError::not_found()),
        Endpoint::Lists => lists::list_lists(call),
        Endpoint::CreateList => lists::create_list(call),
        Endpoint::List(list) => lists::get_list(call, &list),
        Endpoint::CloseList(list) => lists::close_list(call, &list),
        Endpoint::Members(list) => members::list_members(call, &list),
        Endpoint::AddMember(list) => members::add_member(call, &list),
        Endpoint::Member(list, email) => members::get_member(call, &list, &email),
        Endpoint::UpdateMember(list, email) => members::update_member(call, &list, &email),
        Endpoint::DeleteMember(list, email) => members::delete_member(call, &list, &email),
        Endpoint::Admins(list) => members::list_admins(call, &list),
        Endpoint::Subscribe(list) => members::subscribe(call, &list),
        Endpoint::Signoff(list) => members::signoff(call, &list),
        Endpoint::Requests(list) => requests::list_requests(call, &list),
        Endpoint::Decide(list, kind, email) => requests::decide(call, &list, &kind, &email),
        Endpoint::Me => me::get_me(call),
        Endpoint::MyLists => me::my_lists(call),
    }
}
