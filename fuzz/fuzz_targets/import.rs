//! HAR and JSON Lines import.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = hookbench::history::io::parse_jsonl(&text);
    let _ = hookbench::history::io::parse_har(&text);
});
