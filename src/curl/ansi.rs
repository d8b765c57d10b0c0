//! Bash's ANSI-C quoting (`$'...'`), as a browser's "Copy as cURL
//! (bash)" writes a string holding a quote or a character outside ASCII.

/// The rest of a `$'...'` string, its escapes read as bash reads them:
/// `\n`, `\t`, `\r`, `\\`, `\'`, `\"`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal
/// `\NNN` and the rest of C's; bytes (`\xHH`, octal) that together are not
/// UTF-8 are refused.
pub(super) fn ansi_c(chars: &mut std::iter::Peekable<std::str::Chars>) -> Result<String, String> {
    let mut out: Vec<u8> = Vec::new();
    let push = |out: &mut Vec<u8>, c: char| {
        let mut b = [0; 4];
        out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    };
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, max: usize| {
        let mut v = 0u32;
        let mut n = 0;
        while n < max
            && let Some(d) = chars.peek().and_then(|c| c.to_digit(16))
        {
            v = v * 16 + d;
            chars.next();
            n += 1;
        }
        (n > 0).then_some(v)
    };
    loop {
        let Some(c) = chars.next() else {
            return Err("a `$'` string is not closed".into());
        };
        match c {
            '\'' => break,
            '\\' => match chars.next() {
                None => return Err("a `$'` string is not closed".into()),
                Some(e) => match e {
                    'n' => out.push(b'\n'),
                    't' => out.push(b'\t'),
                    'r' => out.push(b'\r'),
                    'a' => out.push(7),
                    'b' => out.push(8),
                    'e' | 'E' => out.push(27),
                    'f' => out.push(12),
                    'v' => out.push(11),
                    '\\' | '\'' | '"' | '?' => push(&mut out, e),
                    'x' => match hex(chars, 2) {
                        Some(v) => out.push(v as u8),
                        None => out.extend_from_slice(b"\\x"),
                    },
                    'u' | 'U' => {
                        let max = if e == 'u' { 4 } else { 8 };
                        match hex(chars, max).map(char::from_u32) {
                            Some(Some(ch)) => push(&mut out, ch),
                            Some(None) => {
                                return Err(format!("`\\{e}` in a `$'` string names no character"));
                            }
                            None => {
                                out.push(b'\\');
                                push(&mut out, e);
                            }
                        }
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.peek().and_then(|c| c.to_digit(8)) {
                                Some(d) => {
                                    v = v * 8 + d;
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        out.push((v & 0xff) as u8);
                    }
                    other => {
                        out.push(b'\\');
                        push(&mut out, other);
                    }
                },
            },
            other => push(&mut out, other),
        }
    }
    String::from_utf8(out).map_err(|_| {
        "a `$'` string's \\x or octal escapes are not UTF-8 text: write the characters instead"
            .to_string()
    })
}
