//! The webhook block profile: the shareable file format.
//!
//! One profile per `*.ron` file. The model here is the contract of that file:
//! every field but `name`, `method` and `url` has a default, and unknown
//! fields are an error so that a typo is never silently ignored.

mod file;

pub use file::{
    LoadedProfile, ProfileError, create_starter, default_dir, find, load, load_str, save, save_new,
    scan_dir, to_ron,
};

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The HTTP methods a webhook block sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "DELETE")]
    Delete,
    /// CRMs update records with it.
    #[serde(rename = "PATCH")]
    Patch,
}

impl Method {
    /// The webhook block's three first, in the form's order.
    pub const ALL: [Method; 4] = [Method::Post, Method::Put, Method::Delete, Method::Patch];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the request authenticates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Basic base64(username:password)`.
    Basic { username: String, password: String },
    /// `<header>: <scheme> <token>`; the header defaults to `Authorization`,
    /// the scheme to `Bearer` on `Authorization` and to nothing elsewhere.
    Token {
        token: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            serialize_with = "bare"
        )]
        header: Option<String>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            serialize_with = "bare"
        )]
        scheme: Option<String>,
    },
}

impl Auth {
    pub fn is_none(&self) -> bool {
        matches!(self, Auth::None)
    }

    /// The header a token is sent in.
    pub fn token_header(header: &Option<String>) -> &str {
        header.as_deref().unwrap_or("Authorization")
    }

    /// The scheme word put before a token ("" for none).
    pub fn token_scheme<'a>(header: &Option<String>, scheme: &'a Option<String>) -> &'a str {
        match scheme {
            Some(s) => s,
            None if Auth::token_header(header).eq_ignore_ascii_case("authorization") => "Bearer",
            None => "",
        }
    }
}

/// A custom header. Written as `("Name", "value")`, or `("Name", "value",
/// false)` when it is kept in the profile but not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
    pub enabled: bool,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
            enabled: true,
        }
    }
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = if self.enabled { 2 } else { 3 };
        let mut t = s.serialize_tuple(len)?;
        t.serialize_element(&self.name)?;
        t.serialize_element(&self.value)?;
        if !self.enabled {
            t.serialize_element(&false)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Header, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Header;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a header (\"Name\", \"value\") or (\"Name\", \"value\", false)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Header, A::Error> {
                let name: String = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let value: String = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let enabled: bool = seq.next_element()?.unwrap_or(true);
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(Header {
                    name,
                    value,
                    enabled,
                })
            }
        }
        d.deserialize_tuple(3, V)
    }
}

/// Writes an optional value as the bare value (`"x"`, not `Some("x")`); the
/// file is read with RON's `implicit_some`, so both forms load.
fn bare<T: Serialize, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => x.serialize(s),
        None => s.serialize_none(),
    }
}

pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

fn yes() -> bool {
    true
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

/// A webhook block: where to send, how to authenticate, what to put in the
/// body. Field order here is the order in a saved file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub method: Method,
    pub url: String,
    /// Defaults of `{{var.NAME}}`, used when neither the command line nor
    /// the selected environment sets the variable.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
    /// Left out of a saved file when `None` (RON would write `r#None`).
    #[serde(default, skip_serializing_if = "Auth::is_none")]
    pub auth: Auth,
    #[serde(default)]
    pub headers: Vec<Header>,
    /// Put the trigger event in the body, with the payload on top.
    #[serde(default = "yes")]
    pub include_trigger: bool,
    /// Custom payload; its string values may be templates.
    #[serde(default)]
    pub payload: Map<String, Value>,
    /// Sample trigger event, a JSON file relative to the profile file.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "bare"
    )]
    pub event: Option<String>,
    /// The sample event written inline, for a profile that travels as one
    /// file (`hookbench share`); used when `event` names no file.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "bare"
    )]
    pub sample_event: Option<Map<String, Value>>,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default)]
    pub follow_redirects: bool,
    /// Accept any TLS certificate (self-signed, expired, another host's):
    /// for test servers only; warned about wherever the profile is used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// Sign each request: `StandardWebhooks(secret: "{{env.WHSEC}}")` or
    /// `Hmac(secret: "...", header: "X-Signature", prefix: "sha256=", encoding: Hex)`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "bare"
    )]
    pub signing: Option<crate::signing::Signing>,
    /// Try again on transport errors, 429 and 5xx:
    /// `(max_attempts: 5, backoff: Exponential(initial_ms: 500, max_ms: 30000), jitter: true)`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "bare"
    )]
    pub retry: Option<crate::retry::Retry>,
}

impl Profile {
    /// A new profile with defaults for everything but what must be named.
    pub fn new(name: impl Into<String>, method: Method, url: impl Into<String>) -> Profile {
        Profile {
            name: name.into(),
            method,
            url: url.into(),
            variables: BTreeMap::new(),
            auth: Auth::None,
            headers: Vec::new(),
            include_trigger: true,
            payload: Map::new(),
            event: None,
            sample_event: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            follow_redirects: false,
            insecure: false,
            signing: None,
            retry: None,
        }
    }
}
