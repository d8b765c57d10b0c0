//! Request assembly is pure: with a fixed context the exact request is known.

use std::time::{Duration, UNIX_EPOCH};

use hookbench::profile::{Auth, Header, Method, Profile};
use hookbench::request::{Context, assemble};
use serde_json::json;

fn ctx() -> Context<'static> {
    let mut n = 0u8;
    Context::fixed(
        |name| (name == "PASS").then(|| "pa:ss".to_string()),
        UNIX_EPOCH + Duration::from_secs(1_769_422_365),
        move || {
            n += 1;
            [n; 16]
        },
    )
}

fn event() -> serde_json::Value {
    json!({"eventName": "Signup Completed", "profile": {"plan": "free", "seats": 2}})
}

#[test]
fn exact_request_with_every_part() {
    let mut p = Profile::new(
        "t",
        Method::Post,
        "https://crm.example.com/leads?src={{event.eventName}}",
    );
    p.auth = Auth::Basic {
        username: "ops".into(),
        password: "{{env.PASS}}".into(),
    };
    p.headers = vec![
        Header::new("X-Trace", "{{uuid}}"),
        Header::new("X-At", "{{now}}"),
    ];
    p.payload = json!({"at": "{{now_unix}}", "plan": "{{event.profile.plan}}"})
        .as_object()
        .unwrap()
        .clone();
    let a = assemble(&p, Some(&event()), &mut ctx()).unwrap();
    let r = &a.request;
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.url,
        "https://crm.example.com/leads?src=Signup%20Completed"
    );
    let body = br#"{"eventName":"Signup Completed","profile":{"plan":"free","seats":2},"at":1769422365,"plan":"free"}"#;
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        String::from_utf8_lossy(body)
    );
    let expected: Vec<(String, String)> = [
        ("X-Trace", "01010101-0101-4101-8101-010101010101"),
        ("X-At", "2026-01-26T10:12:45Z"),
        // base64("ops:pa:ss")
        ("Authorization", "Basic b3BzOnBhOnNz"),
        ("content-type", "application/json"),
        ("user-agent", hookbench::USER_AGENT),
        ("accept", "*/*"),
        ("host", "crm.example.com"),
        ("content-length", &body.len().to_string()),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    assert_eq!(r.headers, expected);
    assert!(a.warnings.is_empty());

    // The redacted copy hides the password and the auth header value.
    let red = r.redacted();
    assert_eq!(red.header("authorization"), Some("Basic [redacted]"));
    assert_eq!(red.body, r.body);
}

#[test]
fn secrets_are_masked_wherever_they_appear() {
    let mut p = Profile::new("t", Method::Post, "http://h/x?k={{env.PASS}}");
    p.auth = Auth::Token {
        token: "{{env.PASS}}".into(),
        header: Some("X-Custom-Auth".into()),
        scheme: Some(String::new()),
    };
    p.include_trigger = false;
    p.payload = json!({"echo": "{{env.PASS}}"}).as_object().unwrap().clone();
    let r = assemble(&p, None, &mut ctx()).unwrap().request;
    assert_eq!(r.header("x-custom-auth"), Some("pa:ss"));
    let red = r.redacted();
    assert_eq!(red.header("x-custom-auth"), Some("[redacted]"));
    assert!(
        !red.url.contains("pa:ss") && !red.url.contains("pa%3Ass"),
        "{}",
        red.url
    );
    assert!(!String::from_utf8_lossy(&red.body).contains("pa:ss"));
}

#[test]
fn port_is_kept_in_host_and_delete_without_body_has_no_body_headers() {
    let mut p = Profile::new("t", Method::Delete, "http://127.0.0.1:8080/x");
    p.include_trigger = false;
    let r = assemble(&p, Some(&event()), &mut ctx()).unwrap().request;
    assert!(r.body.is_empty());
    assert_eq!(r.header("host"), Some("127.0.0.1:8080"));
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("content-length"), None);
}

#[test]
fn a_custom_header_may_replace_the_defaults() {
    let mut p = Profile::new("t", Method::Put, "http://h/");
    p.headers = vec![
        Header::new("User-Agent", "journeys/1"),
        Header::new("Content-Type", "text/plain"),
        Header::new("Accept", "application/json"),
    ];
    let r = assemble(&p, None, &mut ctx()).unwrap().request;
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "User-Agent",
            "Content-Type",
            "Accept",
            "host",
            "content-length"
        ]
    );
    assert_eq!(r.body, b"{}");
}

#[test]
fn auth_replaces_a_custom_header_of_the_same_name_with_a_warning() {
    let mut p = Profile::new("t", Method::Post, "http://h/");
    p.headers = vec![Header::new("authorization", "Bearer old")];
    p.auth = Auth::Token {
        token: "new".into(),
        header: None,
        scheme: None,
    };
    let a = assemble(&p, None, &mut ctx()).unwrap();
    assert_eq!(a.request.header("authorization"), Some("Bearer new"));
    assert_eq!(
        a.request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .count(),
        1
    );
    assert!(a.warnings[0].contains("replaced by the profile's auth"));
}

#[test]
fn every_error_is_collected_with_its_field() {
    let mut p = Profile::new("t", Method::Post, "http://h/{{event.missing}}");
    p.headers = vec![
        Header::new("Bad Header", "x"),
        Header::new("X-Ok", "{{env.UNSET}}"),
    ];
    p.payload = json!({"a": {"b": "{{nope}}"}}).as_object().unwrap().clone();
    p.signing = Some(hookbench::signing::Signing::Hmac {
        secret: "s".into(),
        header: "X Sig".into(),
        prefix: String::new(),
        encoding: Default::default(),
    });
    let errors = assemble(&p, Some(&event()), &mut ctx()).unwrap_err();
    let fields: Vec<String> = errors.iter().map(|e| e.field.to_string()).collect();
    assert_eq!(
        fields,
        [
            "url",
            "headers[0].name",
            "headers[1].value",
            "payload.a.b",
            "signing.header"
        ]
    );
    assert_eq!(errors[0].offset, 9);
}

#[test]
fn lenient_context_lists_unset_variables_instead_of_failing() {
    let mut p = Profile::new("t", Method::Post, "https://{{env.SUB}}.example.com/");
    p.auth = Auth::Token {
        token: "{{env.TOKEN}}".into(),
        header: None,
        scheme: None,
    };
    let mut c = Context::fixed(|_| None, UNIX_EPOCH, || [0; 16]).lenient();
    let a = assemble(&p, None, &mut c).unwrap();
    assert_eq!(a.missing_env, ["SUB", "TOKEN"]);
    assert_eq!(a.request.url, "https://env-sub.example.com/");
}
