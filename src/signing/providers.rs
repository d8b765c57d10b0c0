//! Providers' own signature schemes, both ways: Stripe, GitHub, Shopify,
//! Slack and any single-header HMAC, beside Standard Webhooks.
//!
//! | scheme   | header(s)                                   | HMAC-SHA256 of        | written       |
//! |----------|---------------------------------------------|-----------------------|---------------|
//! | Stripe   | `Stripe-Signature: t=..,v1=..`              | `{t}.{body}`          | hex           |
//! | GitHub   | `X-Hub-Signature-256: sha256=..`            | the body              | hex           |
//! | Shopify  | `X-Shopify-Hmac-Sha256`                     | the body              | base64        |
//! | Slack    | `X-Slack-Signature: v0=..`, `X-Slack-Request-Timestamp` | `v0:{ts}:{body}` | hex |
//!
//! Each is keyed with the secret's text as it is (Stripe's `whsec_...`
//! included). Stripe and Slack carry a timestamp, checked against a
//! tolerance of five minutes.

use super::{
    Encoding, Explanation, TOLERANCE_SECS, Verdict, any_equal, b64, header, hex, hmac_sha256,
    hmac_value, spaced, verify_standard,
};
use base64::Engine;

/// `t=<ts>,v1=<hex>` for Stripe.
pub fn stripe_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", stripe_v1(secret, timestamp, body))
}

fn stripe_v1(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex(&hmac_sha256(
        secret.as_bytes(),
        &[format!("{timestamp}.").as_bytes(), body],
    ))
}

/// `v0=<hex>` for Slack.
pub fn slack_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v0={}",
        hex(&hmac_sha256(
            secret.as_bytes(),
            &[format!("v0:{timestamp}:").as_bytes(), body]
        ))
    )
}

/// One way of checking the signatures that arrive, with its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verifier {
    Standard(String),
    Stripe(String),
    GitHub(String),
    Shopify(String),
    Slack(String),
    /// Any single-header scheme: the header, a prefix before the value,
    /// and how the MAC of the body is written.
    Hmac {
        header: String,
        prefix: String,
        encoding: Encoding,
        secret: String,
    },
}

impl Verifier {
    /// `standard:whsec_...`, `stripe:whsec_...`, `github:SECRET`,
    /// `shopify:SECRET`, `slack:SECRET`, `hmac:HEADER:PREFIX:hex|base64:SECRET`;
    /// a bare `whsec_...` is Standard Webhooks. The error never repeats
    /// the secret.
    pub fn parse(spec: &str) -> Result<Verifier, String> {
        let (kind, rest) = match spec.split_once(':') {
            Some(parts) => parts,
            None if spec.starts_with("whsec_") => ("standard", spec),
            None => return Err(Self::HELP.into()),
        };
        let secret = |s: &str| -> Result<String, String> {
            if s.is_empty() {
                Err(format!("`{kind}:` has no secret after it"))
            } else {
                Ok(s.to_string())
            }
        };
        match kind.to_ascii_lowercase().as_str() {
            "standard" => {
                super::standard_key(rest)?;
                Ok(Verifier::Standard(rest.to_string()))
            }
            "stripe" => Ok(Verifier::Stripe(secret(rest)?)),
            "github" => Ok(Verifier::GitHub(secret(rest)?)),
            "shopify" => Ok(Verifier::Shopify(secret(rest)?)),
            "slack" => Ok(Verifier::Slack(secret(rest)?)),
            "hmac" => {
                let mut parts = rest.splitn(4, ':');
                let (Some(h), Some(prefix), Some(enc), Some(s)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err("write hmac:HEADER:PREFIX:hex|base64:SECRET (PREFIX may be empty: hmac:X-Signature::hex:SECRET)".into());
                };
                crate::wire::check_header_name(h).map_err(|m| format!("hmac: {m}"))?;
                let encoding = match enc.to_ascii_lowercase().as_str() {
                    "hex" => Encoding::Hex,
                    "base64" => Encoding::Base64,
                    other => {
                        return Err(format!(
                            "hmac: the encoding is hex or base64, not `{other}`"
                        ));
                    }
                };
                Ok(Verifier::Hmac {
                    header: h.to_string(),
                    prefix: prefix.to_string(),
                    encoding,
                    secret: secret(s)?,
                })
            }
            // Not repeated: it may be the secret, written first.
            _ => Err(format!(
                "the part before the first `:` is not a scheme: {}",
                Self::HELP
            )),
        }
    }

    const HELP: &'static str = "write PROVIDER:SECRET with PROVIDER one of standard, stripe, github, shopify, slack, or hmac:HEADER:PREFIX:hex|base64:SECRET";

    /// The secret, to mask wherever it could show.
    pub fn secret(&self) -> &str {
        match self {
            Verifier::Standard(s)
            | Verifier::Stripe(s)
            | Verifier::GitHub(s)
            | Verifier::Shopify(s)
            | Verifier::Slack(s)
            | Verifier::Hmac { secret: s, .. } => s,
        }
    }

    /// The signing that makes what this verifier checks (to sign a
    /// received request again, as it is replayed).
    pub fn signing(&self) -> super::Signing {
        use super::Signing;
        match self.clone() {
            Verifier::Standard(secret) => Signing::StandardWebhooks { secret },
            Verifier::Stripe(secret) => Signing::Stripe { secret },
            Verifier::GitHub(secret) => Signing::GitHub { secret },
            Verifier::Shopify(secret) => Signing::Shopify { secret },
            Verifier::Slack(secret) => Signing::Slack { secret },
            Verifier::Hmac {
                header,
                prefix,
                encoding,
                secret,
            } => Signing::Hmac {
                secret,
                header,
                prefix,
                encoding,
            },
        }
    }

    /// The scheme's name, for a person.
    pub fn name(&self) -> &'static str {
        match self {
            Verifier::Standard(_) => "Standard Webhooks",
            Verifier::Stripe(_) => "Stripe",
            Verifier::GitHub(_) => "GitHub",
            Verifier::Shopify(_) => "Shopify",
            Verifier::Slack(_) => "Slack",
            Verifier::Hmac { .. } => "HMAC",
        }
    }

    /// What this verifier makes of a request.
    pub fn check(&self, headers: &[(String, String)], body: &[u8], now: i64) -> Verdict {
        let simple = |name: &str, prefix: &str, encoding: Encoding, secret: &str| {
            let Some(got) = header(headers, name) else {
                return Verdict::Missing;
            };
            let sign = |b: &[u8]| hmac_value(secret, prefix, encoding, b);
            single(self.name(), name, got, prefix, encoding, body, &sign)
        };
        match self {
            Verifier::Standard(s) => verify_standard(std::slice::from_ref(s), headers, body, now),
            Verifier::GitHub(s) => {
                if header(headers, "x-hub-signature-256").is_none()
                    && header(headers, "x-hub-signature").is_some()
                {
                    return invalid(
                        String::from_utf8_lossy(body).into_owned(),
                        Vec::new(),
                        vec![header(headers, "x-hub-signature").unwrap_or_default().to_string()],
                        "GitHub: only the SHA-1 `X-Hub-Signature` came; the check uses `X-Hub-Signature-256`".into(),
                    );
                }
                simple("X-Hub-Signature-256", "sha256=", Encoding::Hex, s)
            }
            Verifier::Shopify(s) => simple("X-Shopify-Hmac-Sha256", "", Encoding::Base64, s),
            Verifier::Hmac {
                header: h,
                prefix,
                encoding,
                secret,
            } => simple(h, prefix, *encoding, secret),
            Verifier::Stripe(s) => stripe(s, headers, body, now),
            Verifier::Slack(s) => slack(s, headers, body, now),
        }
    }
}

/// What the verifiers make of a request: valid when one of them finds a
/// matching signature in time; else the most telling of their verdicts
/// (a match out of time, then a mismatch, then nothing to check).
pub fn verify(
    verifiers: &[Verifier],
    headers: &[(String, String)],
    body: &[u8],
    now: i64,
) -> Verdict {
    let mut best = Verdict::Missing;
    for v in verifiers {
        let verdict = v.check(headers, body, now);
        let rank = |v: &Verdict| match v {
            Verdict::Valid => 3,
            Verdict::Expired { .. } => 2,
            Verdict::Invalid(_) => 1,
            Verdict::Missing => 0,
        };
        if rank(&verdict) > rank(&best) {
            best = verdict;
        }
        if best == Verdict::Valid {
            break;
        }
    }
    best
}

fn invalid(
    signed_content: String,
    expected: Vec<String>,
    received: Vec<String>,
    likely_cause: String,
) -> Verdict {
    Verdict::Invalid(Box::new(Explanation {
        signed_content,
        expected,
        received,
        likely_cause,
    }))
}

/// The body's JSON written the other ways a sender might have written it
/// after signing, each different from what arrived.
fn reserialised(body: &[u8]) -> Vec<Vec<u8>> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let compact = serde_json::to_vec(&v).unwrap_or_default();
    [
        spaced(&compact),
        serde_json::to_vec_pretty(&v).unwrap_or_default(),
        compact,
    ]
    .into_iter()
    .filter(|b| b.as_slice() != body)
    .collect()
}

const RESERIALISED: &str = "the body was re-serialised after signing (its JSON is the same, its bytes are not): verify the raw bytes";

/// A one-header scheme over the body alone.
fn single(
    scheme: &str,
    name: &str,
    got: &str,
    prefix: &str,
    encoding: Encoding,
    body: &[u8],
    sign: &dyn Fn(&[u8]) -> String,
) -> Verdict {
    let expected = sign(body);
    let received = vec![got.trim().to_string()];
    if any_equal(&received, std::slice::from_ref(&expected)) {
        return Verdict::Valid;
    }
    let content = String::from_utf8_lossy(body).into_owned();
    let cause = if !prefix.is_empty() && !got.trim().starts_with(prefix) {
        format!("`{name}` lacks the `{prefix}` in front of the MAC")
    } else if reserialised(body)
        .iter()
        .any(|b| any_equal(&received, &[sign(b)]))
    {
        RESERIALISED.to_string()
    } else if other_encoding(got.trim().trim_start_matches(prefix), encoding) {
        format!(
            "the MAC is written in {} where {scheme} writes {}",
            match encoding {
                Encoding::Hex => "base64",
                Encoding::Base64 => "hex",
            },
            match encoding {
                Encoding::Hex => "hex",
                Encoding::Base64 => "base64",
            }
        )
    } else {
        "the secret differs, or the body changed on the way".to_string()
    };
    invalid(
        content,
        vec![expected],
        received,
        format!("{scheme}: {cause}"),
    )
}

/// Whether a MAC is written in the encoding other than `expected`.
fn other_encoding(mac: &str, expected: Encoding) -> bool {
    match expected {
        Encoding::Hex => mac.len() == 44 && b64().decode(mac).is_ok_and(|b| b.len() == 32),
        Encoding::Base64 => mac.len() == 64 && mac.chars().all(|c| c.is_ascii_hexdigit()),
    }
}

/// The part of a timestamp check: in time, or how far off.
fn in_time(timestamp: i64, now: i64) -> Result<(), i64> {
    let skew = now - timestamp;
    if skew.abs() > TOLERANCE_SECS {
        Err(skew)
    } else {
        Ok(())
    }
}

fn stripe(secret: &str, headers: &[(String, String)], body: &[u8], now: i64) -> Verdict {
    let Some(got) = header(headers, "stripe-signature") else {
        return Verdict::Missing;
    };
    let mut t = None;
    let mut received = Vec::new();
    for part in got.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.trim().to_string()),
            Some(("v1", v)) => received.push(v.trim().to_string()),
            _ => {}
        }
    }
    let content = |ts: &str| format!("{ts}.{}", String::from_utf8_lossy(body));
    let Some(ts) = t else {
        return invalid(
            content("?"),
            Vec::new(),
            vec![got.to_string()],
            "Stripe: `Stripe-Signature` has no `t=` timestamp".into(),
        );
    };
    let Ok(timestamp) = ts.parse::<i64>() else {
        return invalid(
            content(&ts),
            Vec::new(),
            vec![got.to_string()],
            format!("Stripe: `t={ts}` is not Unix seconds"),
        );
    };
    let expected = stripe_v1(secret, timestamp, body);
    if any_equal(&received, std::slice::from_ref(&expected)) {
        return match in_time(timestamp, now) {
            Ok(()) => Verdict::Valid,
            Err(skew_secs) => Verdict::Expired { skew_secs },
        };
    }
    let cause = if received.is_empty() {
        "no `v1=` signature in `Stripe-Signature` (a test-mode `v0=` is not checked)".to_string()
    } else if reserialised(body)
        .iter()
        .any(|b| any_equal(&received, &[stripe_v1(secret, timestamp, b)]))
    {
        RESERIALISED.to_string()
    } else if secret
        .strip_prefix("whsec_")
        .and_then(|k| b64().decode(k).ok())
        .is_some_and(|key| {
            let mac = hex(&hmac_sha256(
                &key,
                &[format!("{timestamp}.").as_bytes(), body],
            ));
            any_equal(&received, &[mac])
        })
    {
        "the sender decoded the `whsec_` secret; Stripe keys with its text as it is".to_string()
    } else if let Err(skew) = in_time(timestamp, now) {
        format!(
            "no match, and `t` is {skew} s off this clock: an old request replayed, or a skewed clock"
        )
    } else {
        "the secret differs, or the body changed on the way".to_string()
    };
    invalid(
        content(&ts),
        vec![expected],
        received,
        format!("Stripe: {cause}"),
    )
}

fn slack(secret: &str, headers: &[(String, String)], body: &[u8], now: i64) -> Verdict {
    let Some(got) = header(headers, "x-slack-signature") else {
        return Verdict::Missing;
    };
    let Some(ts) = header(headers, "x-slack-request-timestamp") else {
        return invalid(
            String::from_utf8_lossy(body).into_owned(),
            Vec::new(),
            vec![got.to_string()],
            "Slack: `X-Slack-Signature` came without `X-Slack-Request-Timestamp`, which it signs"
                .into(),
        );
    };
    let content = format!("v0:{ts}:{}", String::from_utf8_lossy(body));
    let received = vec![got.trim().to_string()];
    let Ok(timestamp) = ts.trim().parse::<i64>() else {
        return invalid(
            content,
            Vec::new(),
            received,
            format!("Slack: `X-Slack-Request-Timestamp` is `{ts}`, not Unix seconds"),
        );
    };
    let expected = slack_signature(secret, timestamp, body);
    if any_equal(&received, std::slice::from_ref(&expected)) {
        return match in_time(timestamp, now) {
            Ok(()) => Verdict::Valid,
            Err(skew_secs) => Verdict::Expired { skew_secs },
        };
    }
    let cause = if !got.trim().starts_with("v0=") {
        "`X-Slack-Signature` lacks its `v0=` version".to_string()
    } else if reserialised(body)
        .iter()
        .any(|b| any_equal(&received, &[slack_signature(secret, timestamp, b)]))
    {
        RESERIALISED.to_string()
    } else if let Err(skew) = in_time(timestamp, now) {
        format!(
            "no match, and the timestamp is {skew} s off this clock: an old request replayed, or a skewed clock"
        )
    } else {
        "the signing secret differs, or the body changed on the way".to_string()
    };
    invalid(content, vec![expected], received, format!("Slack: {cause}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn cause(v: Verdict) -> String {
        match v {
            Verdict::Invalid(e) => e.likely_cause,
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn specs_parse_and_errors_never_repeat_the_secret() {
        assert_eq!(
            Verifier::parse("github:s3cr3t").unwrap(),
            Verifier::GitHub("s3cr3t".into())
        );
        assert!(matches!(
            Verifier::parse("hmac:X-Sig:sha256=:hex:k:with:colons").unwrap(),
            Verifier::Hmac { ref secret, .. } if secret == "k:with:colons"
        ));
        for bad in [
            "nope:s3cr3t",
            "s3cr3t",
            "hmac:X-Sig:hex:s3cr3t",
            "hmac:X Sig::hex:s3cr3t",
            "github:",
        ] {
            let e = Verifier::parse(bad).unwrap_err();
            assert!(!e.contains("s3cr3t"), "{bad}: {e}");
        }
        assert!(Verifier::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
    }

    #[test]
    fn each_scheme_explains_its_failures() {
        let body = br#"{"a": 1}"#;
        let now = 1_700_000_000;
        let stripe_ok = h(&[("Stripe-Signature", &stripe_header("whsec_x", now, body))]);
        let v = Verifier::Stripe("whsec_x".into());
        assert_eq!(v.check(&stripe_ok, body, now + 5), Verdict::Valid);
        assert_eq!(
            v.check(&stripe_ok, body, now + 301),
            Verdict::Expired { skew_secs: 301 }
        );
        assert!(cause(v.check(&stripe_ok, br#"{"a":1}"#, now)).contains("re-serialised"));
        assert!(
            cause(Verifier::Stripe("whsec_y".into()).check(&stripe_ok, body, now))
                .contains("secret differs")
        );
        assert_eq!(v.check(&[], body, now), Verdict::Missing);

        let gh = Verifier::GitHub("k".into());
        let sig = hmac_value("k", "sha256=", Encoding::Hex, body);
        assert_eq!(
            gh.check(&h(&[("X-Hub-Signature-256", &sig)]), body, now),
            Verdict::Valid
        );
        let bare = sig.trim_start_matches("sha256=");
        assert!(
            cause(gh.check(&h(&[("X-Hub-Signature-256", bare)]), body, now))
                .contains("lacks the `sha256=`")
        );
        assert!(
            cause(gh.check(&h(&[("X-Hub-Signature", "sha1=ab")]), body, now)).contains("SHA-1")
        );

        let shop = Verifier::Shopify("k".into());
        let hexed = hmac_value("k", "", Encoding::Hex, body);
        assert!(
            cause(shop.check(&h(&[("X-Shopify-Hmac-Sha256", &hexed)]), body, now))
                .contains("written in hex")
        );

        let sl = Verifier::Slack("k".into());
        let ts = now.to_string();
        let good = h(&[
            ("X-Slack-Request-Timestamp", &ts),
            ("X-Slack-Signature", &slack_signature("k", now, body)),
        ]);
        assert_eq!(sl.check(&good, body, now), Verdict::Valid);
        assert!(cause(sl.check(&good, b"{}", now + 900)).contains("900 s off"));
    }

    #[test]
    fn several_verifiers_give_the_most_telling_verdict() {
        let body = b"x";
        let gh = hmac_value("k", "sha256=", Encoding::Hex, body);
        let headers = h(&[("X-Hub-Signature-256", &gh)]);
        let vs = [
            Verifier::Stripe("whsec_a".into()),
            Verifier::GitHub("wrong".into()),
            Verifier::GitHub("k".into()),
        ];
        assert_eq!(verify(&vs, &headers, body, 0), Verdict::Valid);
        assert!(matches!(
            verify(&vs[..2], &headers, body, 0),
            Verdict::Invalid(_)
        ));
        assert_eq!(verify(&vs[..1], &headers, body, 0), Verdict::Missing);
    }
}
