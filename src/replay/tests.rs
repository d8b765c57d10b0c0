//! Unit tests of preparing replays: retargeting and putting credentials back.
use super::*;

fn req(url: &str) -> PreparedRequest {
    PreparedRequest {
        method: "POST".into(),
        url: url.into(),
        headers: vec![
            ("Authorization".into(), format!("Basic {MASK}")),
            ("X-API-Key".into(), MASK.into()),
            ("host".into(), "old.example:8080".into()),
        ],
        body: b"{}".to_vec(),
        secret_values: Default::default(),
        secret_headers: vec![],
    }
}

#[test]
fn retarget_keeps_paths_for_an_origin_and_replaces_otherwise() {
    let mut r = req("https://old.example:8080/hooks/a?x=1");
    retarget(&mut r, "http://127.0.0.1:9000").unwrap();
    assert_eq!(r.url, "http://127.0.0.1:9000/hooks/a?x=1");
    assert_eq!(r.header("host"), Some("127.0.0.1:9000"));
    let mut r = req("https://old.example:8080/hooks/a?x=1");
    retarget(&mut r, "http://127.0.0.1:9000/other").unwrap();
    assert_eq!(r.url, "http://127.0.0.1:9000/other");
    assert!(retarget(&mut r, "not a url").is_err());
}

#[test]
fn credentials_replace_masks_or_the_header_is_dropped() {
    let mut r = req("http://a/?api_key=[redacted]&plan=pro&token=[redacted]");
    r.set_body(format!(r#"{{"password":"{MASK}","pin":1,"secret":"{MASK}"}}"#).into_bytes());
    let creds = Credentials {
        headers: vec![("authorization".into(), "Basic abc".into())],
        query: vec![("api_key".into(), "k 1".into())],
        payload: vec![("password".into(), r#""p\"w""#.into())],
        ..Credentials::default()
    };
    let dropped = restore_credentials(&mut r, &creds, &[]);
    assert_eq!(
        dropped,
        [
            "the query parameter `token`",
            "X-API-Key",
            "the body's `secret` (sent masked)"
        ]
    );
    assert_eq!(r.header("authorization"), Some("Basic abc"));
    assert_eq!(r.header("x-api-key"), None);
    assert_eq!(r.url, "http://a/?api_key=k+1&plan=pro");
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        format!(r#"{{"password":"p\"w","pin":1,"secret":"{MASK}"}}"#)
    );
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
}

fn with_body(body: &str) -> PreparedRequest {
    PreparedRequest::plain(
        "POST".into(),
        "http://a/x".into(),
        vec![("host".into(), "a".into())],
        body.as_bytes().to_vec(),
    )
}

#[test]
fn an_edited_json_body_keeps_its_numbers_and_order_as_written() {
    let original = with_body(r#"{"id":123456789012345678901234567890,"z":1.50,"a":"x  y"}"#);
    let text = editable_text(&original);
    assert!(text.contains("123456789012345678901234567890"), "{text}");
    assert!(text.contains("\n  \"z\": 1.50,"), "{text}");
    // Untouched: the original bytes. Edited: compact, as written.
    let mut same = PreparedRequest::from_text(&text).unwrap();
    follow_edits(&original, &mut same);
    assert_eq!(same.body, original.body);
    let mut edited = PreparedRequest::from_text(&text.replace("\"x  y\"", "\"w\"")).unwrap();
    follow_edits(&original, &mut edited);
    assert_eq!(
        String::from_utf8(edited.body).unwrap(),
        r#"{"id":123456789012345678901234567890,"z":1.50,"a":"w"}"#
    );
}
