//! Time and randomness, kept behind small functions so that request assembly
//! can be given a fixed clock and id source in tests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (negative before it).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Milliseconds since the Unix epoch.
pub fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// The time `ms` milliseconds after the epoch.
pub fn from_unix_millis(ms: i64) -> SystemTime {
    if ms >= 0 {
        UNIX_EPOCH + Duration::from_millis(ms as u64)
    } else {
        UNIX_EPOCH - Duration::from_millis(ms.unsigned_abs())
    }
}

/// The instant as a UTC date and time (clamped to years 1 to 9999, which
/// RFC 3339 can write).
fn utc(t: SystemTime) -> time::OffsetDateTime {
    let nanos = i128::from(unix_millis(t)) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(if nanos < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

/// RFC 3339 in UTC with second precision: `2026-01-26T10:12:45Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// RFC 3339 in UTC with milliseconds: `2026-01-26T10:12:45.123Z`.
pub fn rfc3339_millis(t: SystemTime) -> String {
    let s = rfc3339(t);
    let ms = unix_millis(t).rem_euclid(1000);
    format!("{}.{ms:03}Z", &s[..s.len() - 1])
}

/// Parses RFC 3339 (`2026-01-26T10:12:45Z`, fractions, a `+01:00`
/// offset; a space for the `T` too, as SQL writes it), to the millisecond.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    // `time` takes `T` or `t` only.
    let fixed;
    let s = match s.as_bytes().get(10) {
        Some(b' ') => {
            fixed = format!("{}T{}", &s[..10], &s[11..]);
            fixed.as_str()
        }
        _ => s,
    };
    let d = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    let millis = d.unix_timestamp_nanos().div_euclid(1_000_000);
    Some(from_unix_millis(i64::try_from(millis).ok()?))
}

/// Parses an HTTP date in any of the three forms RFC 9110 names
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`,
/// `Sun Nov  6 08:49:37 1994`).
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

/// Parses a duration such as `90s`, `30m`, `2h`, `7d` (a bare number is
/// seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (n, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: u64 = n.parse().ok()?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    // Past a thousand years it is a typo, and past that the arithmetic of
    // times overflows.
    let secs = n.checked_mul(per).filter(|s| *s <= 1000 * 366 * 86_400)?;
    Some(Duration::from_secs(secs))
}

/// 16 random bytes from the operating system.
pub fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    // The OS source failing is not something a user can act on; fall back to
    // a time-derived value rather than abort a request over an id.
    if getrandom::getrandom(&mut b).is_err() {
        let n = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        b = n.to_le_bytes();
    }
    b
}

/// A version 4 UUID in its usual hyphenated lowercase form, from 16 bytes.
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_769_422_365)),
            "2026-01-26T10:12:45Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn rfc3339_parses_what_it_writes_and_offsets() {
        let t = UNIX_EPOCH + Duration::from_millis(1_769_422_365_123);
        assert_eq!(parse_rfc3339(&rfc3339_millis(t)), Some(t));
        assert_eq!(rfc3339_millis(t), "2026-01-26T10:12:45.123Z");
        assert_eq!(
            parse_rfc3339("2026-01-26T11:12:45+01:00"),
            Some(UNIX_EPOCH + Duration::from_secs(1_769_422_365))
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00Z"),
            Some(UNIX_EPOCH + Duration::from_secs(951_782_400))
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
        // Signs are not digits: no `+1` month, no year `-001`.
        assert_eq!(parse_rfc3339("2026-+1-26T10:12:45Z"), None);
        assert_eq!(parse_rfc3339("-001-01-26T10:12:45Z"), None);
        assert_eq!(parse_rfc3339("2026-01-26T+1:12:45Z"), None);
        for bad in [
            "2026-02-31T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-04-31T10:00:00Z",
            "2026-01-26T10:12:45+99:99",
            "2026-01-26T10:12:45+24:00",
            "2026-01-26T10:12:45+01:60",
            "2026-01-26T10:12:45+1a:00",
            "2026-01-26T10:12:45+01-00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert!(parse_rfc3339("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Mon, 26 Jan 2026 10:12:45 GMT"),
            Some(UNIX_EPOCH + Duration::from_secs(1_769_422_365))
        );
        assert_eq!(parse_http_date("soon"), None);
        let t = Some(UNIX_EPOCH + Duration::from_secs(784_111_777));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), t);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("15"), Some(Duration::from_secs(15)));
        assert_eq!(parse_duration("2 hours"), None);
        assert_eq!(parse_duration("18446744073709551615m"), None);
        assert_eq!(parse_duration("99999999999d"), None);
    }

    #[test]
    fn uuid_has_version_and_variant_bits() {
        let u = uuid_v4([0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid_v4([0; 16]);
        assert_eq!(u, "00000000-0000-4000-8000-000000000000");
    }
}
