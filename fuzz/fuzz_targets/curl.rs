//! curl command lines into profiles.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let store = hookbench::secrets::Secrets::default();
    let _ = hookbench::curl::from_curl(&text, &store);
});
