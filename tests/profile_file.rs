//! The profile file format: the example from the docs reads, saving is
//! pretty, stable and atomic, and load → save → load is the identity.

use std::path::Path;

use hookbench::profile::{self, Auth, Header, Method, Profile};
use serde_json::json;

const DOC_EXAMPLE: &str = r#"(
    name: "CRM: create lead on signup",
    method: POST,                                   // POST | PUT | DELETE | PATCH
    url: "https://crm.example.com/api/leads?src={{event.eventName}}",
    auth: Basic(username: "ops", password: "{{secret.CRM_PASSWORD}}"),
    headers: [("X-Journey", "onboarding"), ("X-Trace", "{{uuid}}")],   // custom headers, in order
    include_trigger: true,                          // default event trigger information in the body
    payload: {"plan": "{{event.profile.plan}}", "source": "journey", "score": 3},  // custom payload
    event: "events/signup_completed.json",          // sample trigger event, relative to this file
    timeout_secs: 15,
    follow_redirects: false,
)
"#;

#[test]
fn the_documented_example_reads() {
    let p = profile::load_str(Path::new("x.ron"), DOC_EXAMPLE).unwrap();
    assert_eq!(p.name, "CRM: create lead on signup");
    assert_eq!(p.method, Method::Post);
    assert_eq!(
        p.auth,
        Auth::Basic {
            username: "ops".into(),
            password: "{{secret.CRM_PASSWORD}}".into()
        }
    );
    assert_eq!(
        p.headers,
        vec![
            Header::new("X-Journey", "onboarding"),
            Header::new("X-Trace", "{{uuid}}")
        ]
    );
    assert_eq!(
        serde_json::Value::Object(p.payload.clone()),
        json!({"plan": "{{event.profile.plan}}", "source": "journey", "score": 3})
    );
    assert_eq!(p.event.as_deref(), Some("events/signup_completed.json"));
    assert_eq!(p.timeout_secs, 15);
    assert!(!p.follow_redirects);
}

#[test]
fn only_name_method_and_url_are_required() {
    let p = profile::load_str(
        Path::new("x.ron"),
        r#"(name: "n", method: DELETE, url: "http://a/")"#,
    )
    .unwrap();
    assert_eq!(p, Profile::new("n", Method::Delete, "http://a/"));
    assert!(p.include_trigger);
    assert_eq!(p.timeout_secs, profile::DEFAULT_TIMEOUT_SECS);
    for missing in [
        r#"(method: POST, url: "http://a/")"#,
        r#"(name: "n", url: "http://a/")"#,
        r#"(name: "n", method: POST)"#,
    ] {
        let e = profile::load_str(Path::new("x.ron"), missing).unwrap_err();
        assert!(e.message.contains("missing"), "{}", e.message);
    }
}

fn full_profile() -> Profile {
    let mut p = Profile::new(
        "Every field",
        Method::Put,
        "https://h.example/x/{{event.id}}",
    );
    p.auth = Auth::Token {
        token: "{{env.T}}".into(),
        header: Some("X-API-Key".into()),
        scheme: Some(String::new()),
    };
    p.headers = vec![
        Header::new("X-A", "1"),
        Header {
            name: "X-Off".into(),
            value: "kept, not sent".into(),
            enabled: false,
        },
    ];
    p.include_trigger = false;
    p.payload = json!({
        "s": "text \"quoted\" ünïcode",
        "n": 3, "neg": -7, "f": 1.5, "b": false, "null": null,
        "list": [1, "two", {"three": 3}],
        "obj": {"nested": {"deep": "{{event.profile.plan}}"}}
    })
    .as_object()
    .unwrap()
    .clone();
    p.event = Some("events/e.json".into());
    p.timeout_secs = 7;
    p.follow_redirects = true;
    p.signing = Some(hookbench::signing::Signing::Hmac {
        secret: "{{env.SIG}}".into(),
        header: "X-Signature".into(),
        prefix: "sha256=".into(),
        encoding: hookbench::signing::Encoding::Hex,
    });
    p
}

#[test]
fn load_save_load_is_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    for p in [
        full_profile(),
        Profile::new("min", Method::Post, "http://a/"),
        profile::load_str(Path::new("x"), DOC_EXAMPLE).unwrap(),
    ] {
        let path = dir.path().join("p.ron");
        profile::save(&path, &p).unwrap();
        let back = profile::load(&path).unwrap().profile;
        assert_eq!(back, p);
        // Saving again writes the same bytes: the format is stable.
        let first = std::fs::read_to_string(&path).unwrap();
        profile::save(&path, &back).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    }
}

#[test]
fn saved_file_is_readable_ron_in_field_order() {
    let text = profile::to_ron(&full_profile());
    let order = [
        "name:",
        "method:",
        "url:",
        "auth:",
        "headers:",
        "include_trigger:",
        "payload:",
        "event:",
        "timeout_secs:",
        "follow_redirects:",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains("method: PUT,"), "{text}");
    assert!(
        text.contains(r#"auth: Token(token: "{{env.T}}", header: "X-API-Key", scheme: ""),"#)
            || text.contains("auth: Token("),
        "{text}"
    );
    assert!(text.contains(r#"("X-A", "1")"#), "{text}");
    assert!(
        text.contains(r#"("X-Off", "kept, not sent", false)"#),
        "{text}"
    );
    assert!(text.contains(r#"event: "events/e.json","#), "{text}");
    assert!(!text.contains("Some("), "{text}");
    // One field per line.
    assert!(text.lines().count() > 10, "{text}");
}

#[test]
fn save_is_atomic_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.ron");
    std::fs::write(&path, "old contents").unwrap();
    profile::save(&path, &full_profile()).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["p.ron"]);
    assert_eq!(profile::load(&path).unwrap().profile, full_profile());

    // A save that cannot complete leaves the old file as it was.
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let target = ro.join("p.ron");
    std::fs::write(&target, "keep me").unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    perms.set_mode(0o500);
    std::fs::set_permissions(&ro, perms.clone()).unwrap();
    let result = profile::save(&target, &full_profile());
    perms.set_mode(0o700);
    std::fs::set_permissions(&ro, perms).unwrap();
    // Root can write anyway; then the save simply succeeds whole.
    match result {
        Err(e) => {
            assert!(e.to_string().contains("cannot save"), "{e}");
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        }
        Ok(()) => assert_eq!(profile::load(&target).unwrap().profile, full_profile()),
    }
}

#[test]
fn some_wrapped_optionals_also_read() {
    let p = profile::load_str(
        Path::new("x.ron"),
        r#"(name: "n", method: POST, url: "http://a/", event: Some("e.json"))"#,
    )
    .unwrap();
    assert_eq!(p.event.as_deref(), Some("e.json"));
}

#[test]
fn one_broken_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.ron"),
        r#"(name: "a", method: POST, url: "http://a/")"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("b.ron"), "(name: ").unwrap();
    std::fs::write(
        dir.path().join("c.ron"),
        r#"(name: "c", method: PUT, url: "http://c/")"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let all = profile::scan_dir(dir.path()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].as_ref().unwrap().profile.name, "a");
    let err = all[1].as_ref().unwrap_err();
    assert!(err.path.ends_with("b.ron"));
    assert_eq!(all[2].as_ref().unwrap().profile.name, "c");
}

#[test]
fn an_inline_sample_event_reads_and_cannot_stand_beside_a_file() {
    let p = profile::load_str(
        Path::new("x.ron"),
        r#"(name: "n", method: POST, url: "http://a/", sample_event: {"eventName": "Signup", "profile": {"plan": "pro"}})"#,
    )
    .unwrap();
    assert_eq!(p.sample_event.unwrap()["profile"]["plan"], json!("pro"));
    let e = profile::load_str(
        Path::new("x.ron"),
        "(name: \"n\", method: POST, url: \"http://a/\", event: \"e.json\",\n sample_event: {})",
    )
    .unwrap_err();
    assert_eq!((e.line, e.col), (2, 2), "{e}");
    assert!(e.message.contains("keep one"), "{e}");
}

#[test]
fn a_profile_without_auth_saves_without_an_auth_line() {
    let text = profile::to_ron(&Profile::new("n", Method::Post, "http://a/"));
    assert!(!text.contains("auth"), "{text}");
    let back = profile::load_str(Path::new("x.ron"), &text).unwrap();
    assert_eq!(back.auth, Auth::None);
}
