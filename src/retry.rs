//! Retries on fire: which answers are tried again, and when.
//!
//! Transport errors, 429 (after its Retry-After) and 5xx are tried again;
//! other 4xx never are; 410 Gone stops at once. The wait grows
//! exponentially (or is fixed) up to a maximum, with optional jitter.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::exchange::Exchange;

/// A profile's `retry: (max_attempts: 5, backoff: Exponential(initial_ms:
/// 500, max_ms: 30000), jitter: true)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in all, the first included.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    #[serde(default)]
    pub backoff: Backoff,
    #[serde(default = "yes")]
    pub jitter: bool,
}

fn default_attempts() -> u32 {
    3
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Backoff {
    Exponential { initial_ms: u64, max_ms: u64 },
    Fixed { ms: u64 },
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::Exponential {
            initial_ms: 500,
            max_ms: 30_000,
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A 2xx, or an answer that is not retried, or no attempts left.
    Done,
    RetryAfter(Duration),
    /// 410 Gone: the receiver asks not to be sent this again.
    Stop,
}

/// How the retry line of the workbench's form reads.
pub const TEXT_HINT: &str = "write attempts, then `exp 500..30000` or `fixed 1000` (ms), then `jitter`: 5 exp 500..30000 jitter";

impl Retry {
    /// The one-line form of a retry: `5 exp 500..30000 jitter`, `3 fixed 1000`.
    pub fn to_text(&self) -> String {
        let backoff = match self.backoff {
            Backoff::Exponential { initial_ms, max_ms } => format!("exp {initial_ms}..{max_ms}"),
            Backoff::Fixed { ms } => format!("fixed {ms}"),
        };
        format!(
            "{} {backoff}{}",
            self.max_attempts,
            if self.jitter { " jitter" } else { "" }
        )
    }

    /// Reads the one-line form; empty text is no retry. Attempts alone take
    /// the default backoff, with no jitter unless written.
    pub fn parse_text(text: &str) -> Result<Option<Retry>, String> {
        let mut words = text.split_whitespace().peekable();
        let Some(first) = words.next() else {
            return Ok(None);
        };
        let bad = |what: &str| format!("`{what}`: {TEXT_HINT}");
        let max_attempts: u32 = first.parse().map_err(|_| bad(first))?;
        if !(1..=100).contains(&max_attempts) {
            return Err(format!("{max_attempts} attempts: use 1 to 100"));
        }
        let mut retry = Retry {
            max_attempts,
            backoff: Backoff::default(),
            jitter: false,
        };
        while let Some(w) = words.next() {
            match w {
                "exp" | "exponential" => {
                    let range = words.next().ok_or_else(|| bad(w))?;
                    let (a, b) = range.split_once("..").ok_or_else(|| bad(range))?;
                    let (initial_ms, max_ms) = (
                        a.parse().map_err(|_| bad(range))?,
                        b.parse().map_err(|_| bad(range))?,
                    );
                    retry.backoff = Backoff::Exponential { initial_ms, max_ms };
                }
                "fixed" => {
                    let ms = words.next().ok_or_else(|| bad(w))?;
                    retry.backoff = Backoff::Fixed {
                        ms: ms.parse().map_err(|_| bad(ms))?,
                    };
                }
                "jitter" => retry.jitter = true,
                "no-jitter" => retry.jitter = false,
                other => return Err(bad(other)),
            }
        }
        Ok(Some(retry))
    }

    /// The wait before attempt `next` (2 for the first retry), without jitter.
    pub fn delay(&self, next: u32) -> Duration {
        match self.backoff {
            Backoff::Fixed { ms } => Duration::from_millis(ms),
            Backoff::Exponential { initial_ms, max_ms } => {
                let factor = 2u64.saturating_pow(next.saturating_sub(2));
                Duration::from_millis(initial_ms.saturating_mul(factor).min(max_ms))
            }
        }
    }

    /// The waits between attempts, as planned (without jitter).
    pub fn schedule(&self) -> Vec<Duration> {
        (2..=self.max_attempts).map(|n| self.delay(n)).collect()
    }

    /// After attempt `attempt` (1-based) ended in `ex`; `unit` is a random
    /// number in [0, 1) for the jitter.
    pub fn decide(&self, ex: &Exchange, attempt: u32, unit: f64) -> Decision {
        if ex.is_success() {
            return Decision::Done;
        }
        let status = ex
            .response
            .as_ref()
            .filter(|_| ex.error.is_none())
            .map(|r| r.status);
        let retryable = match status {
            Some(410) => return Decision::Stop,
            Some(429) => true,
            Some(s) if (500..600).contains(&s) => true,
            Some(_) => false,
            None => true,
        };
        if !retryable || attempt >= self.max_attempts {
            return Decision::Done;
        }
        let mut wait = self.delay(attempt + 1);
        if self.jitter {
            // Equal jitter: half fixed, half random.
            wait = wait / 2 + wait.mul_f64(unit.clamp(0.0, 1.0) / 2.0);
        }
        if status == Some(429)
            && let Some(after) = retry_after(ex)
        {
            wait = after;
        }
        Decision::RetryAfter(wait)
    }
}

/// What an answer's Retry-After header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// No such header.
    Absent,
    /// Wait this long (at most an hour).
    Wait(Duration),
    /// The header is neither whole seconds nor an HTTP date (`NaN`, `-5`,
    /// `1e3`): it is ignored, and this says how it read.
    Invalid(String),
}

impl RetryAfter {
    /// Reads an answer's header: whole seconds (`120`) or an HTTP date in
    /// any of its three forms, as RFC 9110 allows.
    pub fn of(ex: &Exchange) -> RetryAfter {
        let Some(v) = ex.response.as_ref().and_then(|r| {
            r.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("retry-after"))
                .map(|(_, v)| v.trim())
        }) else {
            return RetryAfter::Absent;
        };
        const MAX: Duration = Duration::from_secs(3600);
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            return RetryAfter::Wait(
                v.parse::<u64>()
                    .map_or(MAX, |s| Duration::from_secs(s).min(MAX)),
            );
        }
        match crate::clock::parse_http_date(v) {
            Some(t) => RetryAfter::Wait(
                t.duration_since(SystemTime::now())
                    .unwrap_or_default()
                    .min(MAX),
            ),
            None => RetryAfter::Invalid(v.chars().take(60).collect()),
        }
    }

    /// The warning an ignored header gets.
    pub fn warning(&self) -> Option<String> {
        match self {
            RetryAfter::Invalid(v) => Some(format!(
                "Retry-After `{v}` ignored: it is neither whole seconds nor an HTTP date"
            )),
            _ => None,
        }
    }
}

/// The Retry-After of an answer: seconds or an HTTP date, at most an hour;
/// none when absent or unreadable (see [`RetryAfter`]).
pub fn retry_after(ex: &Exchange) -> Option<Duration> {
    match RetryAfter::of(ex) {
        RetryAfter::Wait(d) => Some(d),
        _ => None,
    }
}

/// A random number in [0, 1).
pub fn unit() -> f64 {
    let b = crate::clock::random_bytes();
    (u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_line_form_reads_back() {
        for text in ["5 exp 500..30000 jitter", "3 fixed 1000", "1 exp 10..20"] {
            let r = Retry::parse_text(text).unwrap().unwrap();
            assert_eq!(r.to_text(), text);
        }
        assert_eq!(Retry::parse_text("  ").unwrap(), None);
        let r = Retry::parse_text("4").unwrap().unwrap();
        assert_eq!(
            (r.max_attempts, r.backoff, r.jitter),
            (4, Backoff::default(), false)
        );
        for bad in ["x", "0", "3 exp 10", "3 fixed", "3 sometimes"] {
            assert!(Retry::parse_text(bad).is_err(), "{bad}");
        }
    }
    use crate::exchange::{ErrorKind, Origin, Response, TransportError};
    use crate::wire::PreparedRequest;

    fn ex(status: Option<u16>, headers: Vec<(String, String)>) -> Exchange {
        Exchange {
            origin: Origin::Fire,
            profile: None,
            env: None,
            peer: None,
            started_at: SystemTime::now(),
            elapsed: Duration::ZERO,
            request: PreparedRequest {
                method: "POST".into(),
                url: "http://a/".into(),
                headers: vec![],
                body: vec![],
                secret_values: Default::default(),
                secret_headers: vec![],
            },
            response: status.map(|s| Response {
                status: s,
                reason: String::new(),
                headers,
                body: vec![],
                truncated: false,
                redirects: vec![],
            }),
            error: status.is_none().then(|| TransportError {
                kind: ErrorKind::ConnectionRefused,
                message: String::new(),
            }),
        }
    }

    fn policy() -> Retry {
        Retry {
            max_attempts: 5,
            backoff: Backoff::Exponential {
                initial_ms: 500,
                max_ms: 3000,
            },
            jitter: false,
        }
    }

    #[test]
    fn which_answers_are_retried() {
        let p = policy();
        let ms = Duration::from_millis;
        assert_eq!(p.decide(&ex(Some(200), vec![]), 1, 0.0), Decision::Done);
        assert_eq!(
            p.decide(&ex(Some(500), vec![]), 1, 0.0),
            Decision::RetryAfter(ms(500))
        );
        assert_eq!(
            p.decide(&ex(Some(503), vec![]), 2, 0.0),
            Decision::RetryAfter(ms(1000))
        );
        assert_eq!(
            p.decide(&ex(None, vec![]), 3, 0.0),
            Decision::RetryAfter(ms(2000))
        );
        assert_eq!(
            p.decide(&ex(None, vec![]), 4, 0.0),
            Decision::RetryAfter(ms(3000)),
            "capped"
        );
        assert_eq!(
            p.decide(&ex(Some(500), vec![]), 5, 0.0),
            Decision::Done,
            "no attempts left"
        );
        assert_eq!(
            p.decide(&ex(Some(404), vec![]), 1, 0.0),
            Decision::Done,
            "4xx is not retried"
        );
        assert_eq!(p.decide(&ex(Some(410), vec![]), 1, 0.0), Decision::Stop);
        let throttled = ex(Some(429), vec![("Retry-After".into(), "7".into())]);
        assert_eq!(p.decide(&throttled, 1, 0.0), Decision::RetryAfter(ms(7000)));
        // An unreadable Retry-After is ignored: the backoff stands.
        for bad in ["NaN", "inf", "-5", "1e3", "1.5", "soon", ""] {
            let throttled = ex(Some(429), vec![("Retry-After".into(), bad.into())]);
            assert_eq!(
                p.decide(&throttled, 1, 0.0),
                Decision::RetryAfter(ms(500)),
                "{bad}"
            );
            assert!(RetryAfter::of(&throttled).warning().is_some(), "{bad}");
        }
        let dated = ex(
            Some(429),
            vec![("Retry-After".into(), "Sun, 06 Nov 1994 08:49:37 GMT".into())],
        );
        assert_eq!(RetryAfter::of(&dated), RetryAfter::Wait(Duration::ZERO));
        assert_eq!(p.schedule(), [ms(500), ms(1000), ms(2000), ms(3000)]);
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        let p = Retry {
            jitter: true,
            ..policy()
        };
        let lo = p.decide(&ex(Some(500), vec![]), 2, 0.0);
        let hi = p.decide(&ex(Some(500), vec![]), 2, 0.999);
        assert_eq!(lo, Decision::RetryAfter(Duration::from_millis(500)));
        match hi {
            Decision::RetryAfter(d) => {
                assert!(d > Duration::from_millis(990) && d <= Duration::from_millis(1000))
            }
            other => panic!("{other:?}"),
        }
        let u = unit();
        assert!((0.0..1.0).contains(&u));
    }
}
