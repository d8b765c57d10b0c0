//! Templates parsed and assembled into a request against an event made
//! from the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (tpl, event) = text.split_once('\u{0}').unwrap_or((&text, "{}"));
    let event = serde_json::from_str::<serde_json::Value>(event).ok();
    let mut p = hookbench::profile::Profile::new("fuzz", hookbench::profile::Method::Post, tpl);
    p.headers.push(hookbench::profile::Header::new("X-Fuzz", tpl));
    p.payload.insert("v".into(), serde_json::Value::String(tpl.to_string()));
    let mut ctx = hookbench::request::Context::fixed(
        |n| (n.len() % 3 == 0).then(|| n.to_string()),
        std::time::UNIX_EPOCH,
        || [1; 16],
    );
    let _ = hookbench::request::assemble(&p, event.as_ref(), &mut ctx);
});
