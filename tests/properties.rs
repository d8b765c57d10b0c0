//! Property tests: hostile input never panics a parser, and a saved profile
//! loads back as it was.

use std::path::Path;
use std::time::UNIX_EPOCH;

use hookbench::profile::{Auth, Header, Method, Profile};
use hookbench::request::{Context, assemble};
use hookbench::template::{Scope, Template};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like the inputs: RON and JSON punctuation, template
/// braces, quotes, backslashes and any character.
fn nasty_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("{{".to_string()),
            Just("}}".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("'".to_string()),
            Just("$".to_string()),
            Just(":".to_string()),
            Just(",".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("event.".to_string()),
            Just("env.".to_string()),
            Just("secret.".to_string()),
            Just("name: ".to_string()),
            Just("method: POST".to_string()),
            Just("url: ".to_string()),
            Just("curl ".to_string()),
            Just(" -H ".to_string()),
            Just(" -d ".to_string()),
            any::<char>().prop_map(|c| c.to_string()),
            "[a-z0-9 ]{0,6}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z0-9_.]{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-zA-Z0-9_]{1,8}", json_value(), 0..6)
        .prop_map(|m| m.into_iter().collect())
}

fn profile() -> impl Strategy<Value = Profile> {
    let auth = prop_oneof![
        Just(Auth::None),
        (".*", ".*").prop_map(|(username, password)| Auth::Basic { username, password }),
        (
            ".*",
            prop::option::of("[A-Za-z-]{1,12}"),
            prop::option::of(".*")
        )
            .prop_map(|(token, header, scheme)| Auth::Token {
                token,
                header,
                scheme
            }),
    ];
    let headers = prop::collection::vec(
        (".*", ".*", any::<bool>()).prop_map(|(name, value, enabled)| Header {
            name,
            value,
            enabled,
        }),
        0..4,
    );
    let event = prop_oneof![
        Just((None, None)),
        ".+".prop_map(|p| (Some(p), None)),
        json_object().prop_map(|m| (None, Some(m))),
    ];
    (
        ".+".prop_filter("a name that is not blank", |n: &String| {
            !n.trim().is_empty()
        }),
        prop_oneof![Just(Method::Post), Just(Method::Put), Just(Method::Delete)],
        ".*",
        auth,
        headers,
        any::<bool>(),
        json_object(),
        event,
        1u64..=3600,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                name,
                method,
                url,
                auth,
                headers,
                include_trigger,
                payload,
                (event, sample_event),
                timeout_secs,
                follow_redirects,
                insecure,
            )| {
                let mut p = Profile::new(name, method, url);
                p.auth = auth;
                p.headers = headers;
                p.include_trigger = include_trigger;
                p.payload = payload;
                p.event = event;
                p.sample_event = sample_event;
                p.timeout_secs = timeout_secs;
                p.follow_redirects = follow_redirects;
                p.insecure = insecure;
                p
            },
        )
}

struct AnyScope(Value);

impl Scope for AnyScope {
    fn event(&self) -> Option<&Value> {
        Some(&self.0)
    }
    fn env(&self, name: &str) -> Option<String> {
        name.len().is_multiple_of(2).then(|| name.to_string())
    }
    fn secret(&self, name: &str) -> Result<String, String> {
        Err(format!("no {name}"))
    }
    fn var(&self, name: &str) -> Result<String, String> {
        // Variables that refer to each other, cycles included.
        Ok(if name.len() < 6 {
            format!("{{{{var.{name}x}}}}")
        } else {
            name.to_string()
        })
    }
    fn now(&self) -> (String, i64) {
        ("2026-01-01T00:00:00Z".into(), 0)
    }
    fn uuid(&mut self) -> String {
        "u".into()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_profile_parser_never_panics(text in nasty_text()) {
        let _ = hookbench::profile::load_str(Path::new("p.ron"), &text);
    }

    #[test]
    fn the_profile_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = hookbench::profile::load_str(Path::new("p.ron"), &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn templates_never_panic(text in nasty_text(), event in json_value()) {
        if let Ok(t) = Template::parse(&text) {
            let mut scope = AnyScope(event);
            let _ = t.render(&mut scope, Some(hookbench::template::percent_encode));
            let _ = t.render_value(&mut scope);
        }
    }

    #[test]
    fn curl_parsing_never_panics(text in nasty_text()) {
        let store = hookbench::secrets::Secrets::default();
        let _ = hookbench::curl::from_curl(&text, &store);
        let _ = hookbench::curl::from_curl(&format!("curl {text}"), &store);
    }

    #[test]
    fn jsonl_and_har_import_never_panic(text in nasty_text(), value in json_value()) {
        let _ = hookbench::history::io::parse_jsonl(&text);
        let _ = hookbench::history::io::parse_har(&text);
        let line = value.to_string();
        let _ = hookbench::history::io::parse_jsonl(&line);
        let _ = hookbench::history::io::parse_har(&line);
        let har = serde_json::json!({"log": {"entries": [{"request": value.clone(), "response": value}]}});
        let _ = hookbench::history::io::parse_har(&har.to_string());
    }

    #[test]
    fn event_files_never_panic(text in nasty_text()) {
        let _ = hookbench::event::parse(Path::new("e.json"), &text);
    }

    #[test]
    fn a_saved_profile_loads_back_the_same(p in profile()) {
        let text = hookbench::profile::to_ron(&p);
        let back = hookbench::profile::load_str(Path::new("p.ron"), &text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, p);
    }

    #[test]
    fn assembling_against_any_event_never_panics(p in profile(), event in json_object()) {
        let mut ctx = Context::fixed(|n| n.len().is_multiple_of(2).then(|| n.to_string()), UNIX_EPOCH, || [7; 16]);
        let _ = assemble(&p, Some(&Value::Object(event)), &mut ctx);
    }
}

/// A secret no mask text and no escape can form: capitals and digits,
/// starting with a capital that is not a hex digit (JSON's `\u0001`,
/// Debug's `\u{85}` and `%E2` write hex digits, which an all-digit secret
/// could match without being there), and none of the letters of
/// `[redacted]`, which a lowercased secret (hosts are lowercased) could
/// otherwise find in the mask itself (`RED`).
fn secret_value() -> impl Strategy<Value = String> {
    "[GHIJKLMNOPQSUVWXYZ][BFGHIJKLMNOPQSUVWXYZ0-9]{2,7}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn masking_never_panics_and_leaves_no_known_secret(
        body in nasty_text(),
        secret in secret_value(),
        around in nasty_text(),
    ) {
        let set = hookbench::wire::SecretSet::new(vec![secret.clone()]);
        let json = serde_json::json!({"note": format!("{around}{secret}{around}"), "password": around.clone()});
        let req = hookbench::wire::PreparedRequest {
            method: "POST".into(),
            url: format!("http://{}.example/x?token={around}&q={secret}", secret.to_lowercase()),
            headers: vec![("X-Note".into(), format!("{around}{secret}"))],
            body: json.to_string().into_bytes(),
            secret_values: set.clone(),
            secret_headers: vec![],
        };
        let shown = req.redacted();
        let text = format!("{} {:?} {}", shown.url, shown.headers, String::from_utf8_lossy(&shown.body));
        prop_assert!(!text.contains(&secret), "{}", text);
        // Hosts are lowercased: the host must not show the secret either.
        let host = shown.url.split('/').nth(2).unwrap_or_default();
        prop_assert!(!host.contains(&secret.to_lowercase()), "{}", shown.url);
        let _ = hookbench::wire::credential_spans(&body);
        let _ = set.mask(&body);
        let _ = set.mask_bytes(body.as_bytes());
        let odd = hookbench::wire::PreparedRequest::plain("POST".into(), body.clone(), vec![(body.clone(), body.clone())], body.clone().into_bytes());
        let _ = odd.redacted();
    }

    #[test]
    fn a_har_time_of_any_size_never_panics(ms in any::<f64>()) {
        let har = serde_json::json!({"log": {"entries": [{"time": ms, "startedDateTime": "2026-01-26T10:12:45Z",
            "request": {"method": "POST", "url": "http://a/", "headers": []},
            "response": {"status": 200, "headers": [], "content": {}}}]}});
        let _ = hookbench::history::io::parse_har(&har.to_string());
    }

    #[test]
    fn dates_parse_without_panics_and_read_back(text in nasty_text(), secs in -62_135_596_800i64..253_402_300_799) {
        let _ = hookbench::clock::parse_rfc3339(&text);
        let _ = hookbench::clock::parse_http_date(&text);
        let _ = hookbench::clock::parse_duration(&text);
        let t = hookbench::clock::from_unix_millis(secs * 1000);
        prop_assert_eq!(hookbench::clock::parse_rfc3339(&hookbench::clock::rfc3339(t)), Some(t));
    }

    #[test]
    fn answer_lines_set_paths_and_header_lines_never_panic(text in nasty_text()) {
        let mut script = hookbench::receiver::Script::default();
        let _ = script.apply_text(&text);
        let mut event = serde_json::json!({"a": [1, {"b": 2}]});
        let _ = hookbench::event::apply_set(&mut event, &text);
        let _ = hookbench::event::apply_set(&mut event, &format!("event.{text}=1"));
        if let Ok((n, v)) = hookbench::wire::header_line(&text) {
            prop_assert!(hookbench::wire::check_headers(&[(n, v)]).is_ok());
        }
    }
}
