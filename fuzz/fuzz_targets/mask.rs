//! Masking: the credential scanner and the secret set on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = hookbench::wire::credential_spans(&text);
    let split = text.len() / 3;
    let secret = text.get(..split).unwrap_or_default().to_string();
    let set = hookbench::wire::SecretSet::new(vec![secret]);
    let _ = set.mask(&text);
    let _ = set.mask_bytes(data);
    let req = hookbench::wire::PreparedRequest {
        method: "POST".into(),
        url: text.to_string(),
        headers: vec![("Authorization".into(), text.to_string())],
        body: data.to_vec(),
        secret_values: set,
        secret_headers: vec![],
    };
    let _ = req.redacted();
});
