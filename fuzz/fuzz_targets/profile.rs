//! The profile parser on arbitrary text; a profile that parses must save
//! and load back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let path = std::path::Path::new("fuzz.ron");
    if let Ok(p) = hookbench::profile::load_str(path, &text) {
        let saved = hookbench::profile::to_ron(&p);
        let back = hookbench::profile::load_str(path, &saved).expect("a saved profile loads");
        assert_eq!(back, p);
    }
});
