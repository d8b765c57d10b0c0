//! Human output of requests and exchanges, curl -v style.

use std::io::Write;

use hookbench::exchange::Exchange;
use hookbench::wire::PreparedRequest;

fn paint(code: &str, text: &str) -> String {
    if super::colour_on() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

use hookbench::exchange::human_size as size;

fn body(out: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    if body.is_empty() {
        return Ok(());
    }
    match std::str::from_utf8(body) {
        Ok(text) => {
            let text = hookbench::exchange::printable(text);
            out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                writeln!(out)?;
            }
        }
        Err(_) => writeln!(
            out,
            "[{} of binary data: use --json to get it as base64]",
            size(body.len())
        )?,
    }
    Ok(())
}

/// The request, lines marked `>`.
pub fn request(req: &PreparedRequest) {
    let mut out = std::io::stdout().lock();
    let _ = write_request(&mut out, req);
}

fn write_request(out: &mut impl Write, req: &PreparedRequest) -> std::io::Result<()> {
    writeln!(out, "> {} {}", paint("1", req.method.as_str()), req.url)?;
    for (n, v) in &req.headers {
        writeln!(out, "> {n}: {v}")?;
    }
    writeln!(out, ">")?;
    body(out, &req.body)
}

/// The request, then the response (`<`) or the error (`!`).
pub fn exchange(ex: &Exchange, reveal: bool) {
    let mut out = std::io::stdout().lock();
    let masked;
    let ex = if reveal {
        ex
    } else {
        masked = ex.redacted();
        &masked
    };
    let req = &ex.request;
    let _ = (|| -> std::io::Result<()> {
        write_request(&mut out, req)?;
        writeln!(out)?;
        if let Some(r) = &ex.response {
            let code = match r.status {
                200..=299 => "1;32",
                300..=399 => "1;36",
                400..=499 => "1;33",
                _ => "1;31",
            };
            for url in &r.redirects {
                writeln!(out, "~ redirected to {url}")?;
            }
            writeln!(
                out,
                "< {}  {} ms  {}{}",
                paint(code, &format!("{} {}", r.status, r.reason)),
                ex.elapsed.as_millis(),
                size(r.body.len()),
                if r.truncated { " (cut at the cap)" } else { "" }
            )?;
            for (n, v) in &r.headers {
                writeln!(out, "< {n}: {v}")?;
            }
            writeln!(out, "<")?;
            let (shown, note) = r.shown_body();
            if let Some(note) = note {
                writeln!(out, "< [{note}]")?;
            }
            body(&mut out, &shown)?;
        }
        if let Some(e) = &ex.error {
            writeln!(
                out,
                "! {}  after {} ms",
                paint("1;31", &e.to_string()),
                ex.elapsed.as_millis()
            )?;
        }
        Ok(())
    })();
}
