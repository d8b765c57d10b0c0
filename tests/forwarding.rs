//! `listen --forward-to`: the receiver as a relay to the app under test,
//! and signatures as each provider makes them, both ways. Every signature
//! is checked against an implementation written here from the provider's
//! published algorithm, on another HMAC library (RustCrypto's) than the one
//! hookbench signs with.

mod support;

use std::io::{Read, Write};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use support::{Answer, Server, Workspace, listen, stderr, stop};

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Stripe: `t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>`.
fn stripe(secret: &str, ts: i64, body: &[u8]) -> String {
    let v1 = hex(&mac(
        secret.as_bytes(),
        &[ts.to_string().as_bytes(), b".", body],
    ));
    format!("t={ts},v1={v1}")
}

/// GitHub: `sha256=<hex HMAC-SHA256(secret, body)>`.
fn github(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&mac(secret.as_bytes(), &[body])))
}

/// Shopify: base64 of HMAC-SHA256(secret, body).
fn shopify(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(mac(secret.as_bytes(), &[body]))
}

/// Slack: `v0=<hex HMAC-SHA256(secret, "v0:<ts>:<body>")>`.
fn slack(secret: &str, ts: i64, body: &[u8]) -> String {
    let sig = mac(
        secret.as_bytes(),
        &[b"v0:", ts.to_string().as_bytes(), b":", body],
    );
    format!("v0={}", hex(&sig))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One request written by hand, so its header order and bytes are ours;
/// the whole answer back.
fn send_raw(port: u16, head: &[(&str, &str)], target: &str, body: &[u8]) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut req = format!("POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for (n, v) in head {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Connection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_app_gets_the_exact_bytes_and_headers_and_the_sender_gets_its_answer() {
    let app = Server::start(Answer {
        body: br#"{"handled":false}"#.to_vec(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-app".into(), "yes".into()),
        ],
        ..Answer::status(500)
    });
    let ws = Workspace::new();
    let (child, port) = listen(&ws, &["--forward-to", &app.url("")]);
    // Bytes a re-serialiser would change; a signature header to keep.
    let body = b"{ \"b\" : 2,\n  \"a\": [1, 2.50] }";
    let sig = stripe("whsec_abc", now(), body);
    let answer = send_raw(
        port,
        &[
            ("X-Second", "2"),
            ("X-First", "1"),
            ("Stripe-Signature", &sig),
            ("Content-Type", "application/json"),
        ],
        "/hooks/pay?attempt=3",
        body,
    );
    let got = app.only();
    assert_eq!(got.target, "/hooks/pay?attempt=3");
    assert_eq!(got.body, body);
    assert_eq!(got.header("stripe-signature"), Some(sig.as_str()));
    let names: Vec<&str> = got.headers.iter().map(|(n, _)| n.as_str()).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(at("x-second") < at("x-first"), "{names:?}");
    assert!(
        !names.contains(&"connection"),
        "hop-by-hop passed on: {names:?}"
    );
    // The sender gets the app's status, headers and body.
    assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("x-app: yes"),
        "{answer}"
    );
    assert!(answer.ends_with(r#"{"handled":false}"#), "{answer}");

    // A URL with a path replaces the path.
    let (child2, port2) = listen(
        &ws,
        &["--forward-to", &app.url("/webhooks/stripe"), "--no-history"],
    );
    send_raw(port2, &[], "/anything?x=1", b"{}");
    assert_eq!(app.requests()[1].target, "/webhooks/stripe");
    let _ = stop(child2);

    let (_, printed) = stop(child);
    assert!(
        printed.contains("POST /hooks/pay?attempt=3 29 B -> app 500 in "),
        "{printed}"
    );
    // One record: what arrived, what the app answered.
    let rows = support::history_json(&ws, &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["origin"], "forwarded");
    assert_eq!(rows[0]["status"], 500);
}

#[test]
fn an_app_that_is_down_or_slow_gives_502_or_504_and_a_record_that_says_why() {
    let ws = Workspace::new();
    let down = support::closed_port();
    let (child, port) = listen(
        &ws,
        &[
            "--forward-to",
            &format!("http://app:pw-9931@127.0.0.1:{down}"),
        ],
    );
    let answer = send_raw(port, &[], "/hooks/x", b"{}");
    assert!(answer.starts_with("HTTP/1.1 502"), "{answer}");
    assert!(answer.contains("refused the connection"), "{answer}");
    // The app URL's password is never said to the sender, nor printed.
    assert!(!answer.contains("pw-9931"), "{answer}");
    let (_, printed) = stop(child);
    assert!(!printed.contains("pw-9931"), "{printed}");
    assert!(
        printed.contains("-> app failed: connection_refused"),
        "{printed}"
    );
    let rows = support::history_json(&ws, &[]);
    assert_eq!(rows[0]["origin"], "forwarded");
    assert_eq!(rows[0]["error"], "connection_refused");

    let slow = Server::start(Answer {
        delay: Duration::from_secs(3),
        ..Answer::status(200)
    });
    let (child, port) = listen(
        &ws,
        &["--forward-to", &slow.url(""), "--forward-timeout", "1"],
    );
    let answer = send_raw(port, &[], "/hooks/x", b"{}");
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    let _ = stop(child);
    assert_eq!(support::history_json(&ws, &[])[0]["error"], "timeout");

    // A scripted answer with a relay is refused; a delay is not.
    let out = ws.run(
        &["listen", "--forward-to", &slow.url(""), "--status", "201"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--status scripts an answer"),
        "{}",
        stderr(&out)
    );
}

/// A profile signed as `scheme` fires at a recording server; returns what
/// arrived.
fn fired(scheme: &str, secret: &str) -> support::Recorded {
    let app = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", include_trigger: false,
               payload: {{"id": "evt_1", "amount": 4200}}, signing: {scheme}(secret: "{secret}"))"#,
            app.url("/hook")
        ),
    );
    let out = ws.run(&["fire", "p", "--no-history"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    app.only()
}

#[test]
fn each_providers_signature_made_by_hookbench_verifies_with_the_published_algorithm() {
    let got = fired("Stripe", "whsec_stripe_test");
    let header = got.header("stripe-signature").unwrap().to_string();
    let ts: i64 = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap()
        .parse()
        .unwrap();
    assert!((now() - ts).abs() < 60);
    assert_eq!(header, stripe("whsec_stripe_test", ts, &got.body));

    let got = fired("GitHub", "gh-secret");
    assert_eq!(
        got.header("x-hub-signature-256"),
        Some(github("gh-secret", &got.body).as_str())
    );

    let got = fired("Shopify", "shop-secret");
    assert_eq!(
        got.header("x-shopify-hmac-sha256"),
        Some(shopify("shop-secret", &got.body).as_str())
    );

    let got = fired("Slack", "slack-secret");
    let ts: i64 = got
        .header("x-slack-request-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        got.header("x-slack-signature"),
        Some(slack("slack-secret", ts, &got.body).as_str())
    );
}

/// Headers to send, by name.
type Headers = Vec<(&'static str, String)>;

/// The signature verdicts `listen --json` printed, in order.
fn verdicts(printed: &str) -> Vec<String> {
    printed
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["signature"].as_str().unwrap_or("none").to_string()
        })
        .collect()
}

#[test]
fn signatures_made_by_the_published_algorithm_verify_and_bad_ones_are_told_apart() {
    let ws = Workspace::new();
    let (child, port) = listen(
        &ws,
        &[
            "--json",
            "--no-history",
            "--verify",
            "stripe:whsec_stripe_test",
            "--verify",
            "github:gh-secret",
            "--verify",
            "shopify:shop-secret",
            "--verify",
            "slack:slack-secret",
            "--verify",
            "hmac:X-Signature:sha256=:hex:own-secret",
        ],
    );
    let body = br#"{"id":"evt_1","amount":4200}"#;
    let t = now();
    let cases: Vec<(Headers, &[u8])> = vec![
        // Valid, one per scheme.
        (
            vec![("Stripe-Signature", stripe("whsec_stripe_test", t, body))],
            body,
        ),
        (
            vec![("X-Hub-Signature-256", github("gh-secret", body))],
            body,
        ),
        (
            vec![("X-Shopify-Hmac-Sha256", shopify("shop-secret", body))],
            body,
        ),
        (
            vec![
                ("X-Slack-Request-Timestamp", t.to_string()),
                ("X-Slack-Signature", slack("slack-secret", t, body)),
            ],
            body,
        ),
        (vec![("X-Signature", github("own-secret", body))], body),
        // A tampered body, a wrong secret, an old timestamp, nothing.
        (
            vec![("Stripe-Signature", stripe("whsec_stripe_test", t, body))],
            br#"{"id":"evt_1","amount":1}"#,
        ),
        (vec![("X-Hub-Signature-256", github("not-it", body))], body),
        (
            vec![(
                "Stripe-Signature",
                stripe("whsec_stripe_test", t - 3600, body),
            )],
            body,
        ),
        (
            vec![
                ("X-Slack-Request-Timestamp", (t - 900).to_string()),
                ("X-Slack-Signature", slack("slack-secret", t - 900, body)),
            ],
            body,
        ),
        (vec![], body),
    ];
    for (headers, b) in &cases {
        let h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        send_raw(port, &h, "/in", b);
    }
    let (_, printed) = stop(child);
    assert_eq!(
        verdicts(&printed),
        [
            "valid", "valid", "valid", "valid", "valid", "invalid", "invalid", "expired",
            "expired", "missing"
        ],
        "{printed}"
    );
    // A wrong secret is explained, and no secret is printed.
    let line = printed.lines().nth(6).unwrap();
    assert!(line.contains("GitHub: the secret differs"), "{line}");
    assert!(
        !printed.contains("gh-secret") && !printed.contains("slack-secret"),
        "{printed}"
    );
}

#[test]
fn reject_invalid_answers_401_to_a_bad_or_missing_signature() {
    let ws = Workspace::new();
    let (child, port) = listen(
        &ws,
        &[
            "--no-history",
            "--verify",
            "github:gh-secret",
            "--reject-invalid",
        ],
    );
    let body = br#"{"ref":"refs/heads/main"}"#;
    let good = send_raw(
        port,
        &[("X-Hub-Signature-256", &github("gh-secret", body))],
        "/gh",
        body,
    );
    assert!(good.starts_with("HTTP/1.1 200"), "{good}");
    let bad = send_raw(
        port,
        &[("X-Hub-Signature-256", &github("wrong", body))],
        "/gh",
        body,
    );
    assert!(bad.starts_with("HTTP/1.1 401"), "{bad}");
    assert!(bad.contains("signature invalid"), "{bad}");
    let none = send_raw(port, &[], "/gh", body);
    assert!(none.starts_with("HTTP/1.1 401"), "{none}");
    let _ = stop(child);
    let out = ws.run(&["listen", "--reject-invalid"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_replay_of_a_provider_signed_delivery_is_signed_again() {
    let app = Server::start(Answer::status(500));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", include_trigger: false,
               payload: {{"id": "evt_1"}}, signing: Slack(secret: "{{{{secret.SLACK_SIGNING_SECRET}}}}"))"#,
            app.url("/slack")
        ),
    );
    let out = ws.run_with_input(&["secret", "set", "SLACK_SIGNING_SECRET"], "slack-secret\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(ws.run(&["fire", "p"], &[]).status.code(), Some(1));
    app.set_answer(Answer::status(200));
    let out = ws.run(&["replay", "1"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = &app.requests()[1];
    let ts: i64 = again
        .header("x-slack-request-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        again.header("x-slack-signature"),
        Some(slack("slack-secret", ts, &again.body).as_str())
    );
}

#[test]
fn a_forwarded_request_replayed_with_sign_reaches_the_app_signed_and_loops_are_refused() {
    let app = Server::start(Answer::status(500));
    let ws = Workspace::new();
    let (child, port) = listen(&ws, &["--forward-to", &app.url("")]);
    let body = br#"{"ref":"refs/heads/main"}"#;
    send_raw(
        port,
        &[("X-Hub-Signature-256", &github("gh-secret", body))],
        "/gh",
        body,
    );
    let _ = stop(child);
    let id = support::history_json(&ws, &[])[0]["id"].as_i64().unwrap();
    app.set_answer(Answer::status(200));
    // The history masked the signature: without --sign it is not sent, and
    // that is said; with it, the request is signed again.
    let out = ws.run(&["replay", &id.to_string(), "--url", &app.url("")], &[]);
    assert!(
        stderr(&out).contains("x-hub-signature-256"),
        "{}",
        stderr(&out)
    );
    assert_eq!(app.requests()[1].header("x-hub-signature-256"), None);
    let out = ws.run(
        &[
            "replay",
            &id.to_string(),
            "--url",
            &app.url(""),
            "--sign",
            "github:gh-secret",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = &app.requests()[2];
    assert_eq!(again.body, body);
    assert_eq!(
        again.header("x-hub-signature-256"),
        Some(github("gh-secret", body).as_str())
    );

    // Forwarding to itself is refused, and a forward timeout needs a target.
    let port = support::closed_port().to_string();
    let out = ws.run(
        &[
            "listen",
            "--port",
            &port,
            "--forward-to",
            &format!("http://127.0.0.1:{port}/"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("this receiver's own address"),
        "{}",
        stderr(&out)
    );
    let out = ws.run(&["listen", "--forward-timeout", "5"], &[]);
    assert_eq!(out.status.code(), Some(2));
    // A secret written first is not repeated in the error.
    let out = ws.run(&["listen", "--verify", "S3cr3tV4lue:github"], &[]);
    assert!(
        !stderr(&out).to_lowercase().contains("s3cr3t"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_custom_hmac_header_is_masked_as_a_signature() {
    let ws = Workspace::new();
    let (child, port) = listen(
        &ws,
        &["--json", "--verify", "hmac:X-B64::base64:own-secret"],
    );
    let body = b"{}";
    let sig = shopify("own-secret", body);
    send_raw(port, &[("X-B64", &sig)], "/in", body);
    let (_, printed) = stop(child);
    assert!(printed.contains("\"signature\":\"valid\""), "{printed}");
    assert!(!printed.contains(&sig), "{printed}");
    let rows = ws.run(&["export", "--format", "jsonl"], &[]);
    assert!(
        !support::stdout(&rows).contains(&sig),
        "{}",
        support::stdout(&rows)
    );
}
