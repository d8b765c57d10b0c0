//! `hookbench fire` as a whole process next to `curl` sending the same
//! request (a 1 KB JSON POST with Basic auth) to a local server.
//!
//! Run: `cargo bench -- fire` (add `N` for N runs of each; default 300).
//! Prints a table of median, mean and p90 per tool and the ratio of medians.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(v[v.len() / 2]);
    let p90 = ms(v[v.len() * 9 / 10]);
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    (median, mean, p90)
}

pub fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);

    let addr = crate::serve_ok(0);

    // A profile whose body is about 1 KB.
    let dir = tempfile::tempdir().unwrap();
    let filler = "x".repeat(940);
    std::fs::write(
        dir.path().join("bench.ron"),
        format!(
            r#"(name: "bench", method: POST, url: "http://{addr}/hook",
               auth: Basic(username: "ops", password: "s3cret"),
               include_trigger: false,
               payload: {{"eventName": "Signup Completed", "email": "maria@example.com", "plan": "pro", "note": "{filler}"}})"#
        ),
    )
    .unwrap();
    let exe = env!("CARGO_BIN_EXE_hookbench");
    let hb = || {
        let mut c = Command::new(exe);
        c.arg("--profiles")
            .arg(dir.path())
            .env("HOOKBENCH_DATA_DIR", dir.path().join("data"))
            .args(["fire", "bench"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };

    // curl sends exactly the request hookbench prepares.
    let dry = hb()
        .args(["--dry-run", "--json", "--reveal"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let req: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    let body = req["request"]["body"].as_str().unwrap().to_string();
    let body_file = dir.path().join("body.json");
    std::fs::write(&body_file, &body).unwrap();
    let mut curl_args: Vec<String> = vec!["-s".into(), "-o".into(), "/dev/null".into()];
    for h in req["request"]["headers"].as_array().unwrap() {
        let (n, v) = (h[0].as_str().unwrap(), h[1].as_str().unwrap());
        if n != "host" && n != "content-length" {
            curl_args.push("-H".into());
            curl_args.push(format!("{n}: {v}"));
        }
    }
    curl_args.push("--data-binary".into());
    curl_args.push(format!("@{}", body_file.display()));
    curl_args.push(req["request"]["url"].as_str().unwrap().to_string());
    let curl = || {
        let mut c = Command::new("curl");
        c.args(&curl_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let has_curl = curl().status().is_ok_and(|s| s.success());

    let time = |mut c: Command| {
        let t = Instant::now();
        let st = c.status().unwrap();
        assert!(st.success(), "a benchmark run failed: {st}");
        t.elapsed()
    };
    for _ in 0..10 {
        time(hb());
        if has_curl {
            time(curl());
        }
    }
    let no_history = || {
        let mut c = hb();
        c.arg("--no-history");
        c
    };
    let (mut hb_t, mut curl_t, mut bare_t) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        hb_t.push(time(hb()));
        bare_t.push(time(no_history()));
        if has_curl {
            curl_t.push(time(curl()));
        }
    }
    println!(
        "fire: {} bytes of JSON, Basic auth, {runs} runs each",
        body.len()
    );
    println!("| tool | median ms | mean ms | p90 ms |");
    println!("|---|---|---|---|");
    let (hm, hmean, hp) = stats(hb_t);
    println!("| hookbench fire (recorded in the history) | {hm:.2} | {hmean:.2} | {hp:.2} |");
    let (bm, bmean, bp) = stats(bare_t);
    println!("| hookbench fire --no-history | {bm:.2} | {bmean:.2} | {bp:.2} |");
    if has_curl {
        let (cm, cmean, cp) = stats(curl_t);
        println!("| curl | {cm:.2} | {cmean:.2} | {cp:.2} |");
        println!(
            "ratio hookbench/curl (median): {:.2}x (target <= 1.2x)",
            hm / cm
        );
        crate::row(
            "`fire` of a 1 KB JSON POST with Basic auth, whole process, next to curl (median)",
            "at most 1.2x curl",
            &format!(
                "{hm:.1} ms against curl's {cm:.1} ms: {:.2}x ({bm:.1} ms with --no-history)",
                hm / cm
            ),
        );
    } else {
        println!("curl not found: no comparison");
        crate::row(
            "`fire` of a 1 KB JSON POST with Basic auth, whole process (median)",
            "at most 1.2x curl",
            &format!("{hm:.1} ms (curl not found: no comparison)"),
        );
    }
}

/// A JSON document of about `bytes` bytes: records as a CRM lists them.
pub fn big_json(bytes: usize) -> Vec<u8> {
    let mut out = b"{\"data\":[".to_vec();
    let mut i = 0u64;
    while out.len() < bytes {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(
            format!(
                r#"{{"id":"lead_{i:08}","email":"user{i}@example.com","name":"Contact {i}","plan":"{}","score":{},"tags":["journey","webhook"],"updatedAt":"2026-01-26T10:12:{:02}Z"}}"#,
                ["free", "pro", "team"][(i % 3) as usize],
                i * 7 % 100,
                i % 60
            )
            .as_bytes(),
        );
        i += 1;
    }
    out.extend_from_slice(b"]}");
    out
}

/// Wall time and peak resident memory (MiB) of one run of `c`.
// The child is reaped by wait4, which also reports its peak memory.
#[allow(clippy::zombie_processes)]
fn run_measured(c: &mut Command) -> (Duration, f64) {
    let t = Instant::now();
    let child = c.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = t.elapsed();
    assert_eq!(got, pid, "the run was waited for");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "a benchmark run failed"
    );
    // ru_maxrss is in KiB on Linux.
    (took, usage.ru_maxrss as f64 / 1024.0)
}

/// `fire` of a request whose answer is a 12 MB JSON body, recorded in the
/// history and with `--no-history`: time and peak memory of the whole
/// process, medians of alternating runs.
pub fn big() {
    let runs: usize = std::env::args()
        .skip(2)
        .find_map(|a| a.parse().ok())
        .unwrap_or(15);
    let body = big_json(12 * 1024 * 1024);
    let size = body.len();
    let addr = crate::serve_body(body);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("big.ron"),
        format!(
            r#"(name: "big", method: POST, url: "http://{addr}/leads", include_trigger: false)"#
        ),
    )
    .unwrap();
    let exe = env!("CARGO_BIN_EXE_hookbench");
    let cmd = |history: bool| {
        let mut c = Command::new(exe);
        c.arg("--profiles")
            .arg(dir.path())
            .env("HOOKBENCH_DATA_DIR", dir.path().join("data"))
            .args(["fire", "big"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if !history {
            c.arg("--no-history");
        }
        c
    };
    for _ in 0..3 {
        run_measured(&mut cmd(true));
        run_measured(&mut cmd(false));
    }
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        with.push(run_measured(&mut cmd(true)));
        without.push(run_measured(&mut cmd(false)));
    }
    let median = |v: &mut Vec<(Duration, f64)>| {
        let mut t: Vec<f64> = v.iter().map(|x| x.0.as_secs_f64() * 1000.0).collect();
        let mut m: Vec<f64> = v.iter().map(|x| x.1).collect();
        t.sort_by(f64::total_cmp);
        m.sort_by(f64::total_cmp);
        (t[t.len() / 2], m[m.len() / 2])
    };
    let (wt, wm) = median(&mut with);
    let (nt, nm) = median(&mut without);
    let db = dir.path().join("data/history.sqlite");
    let on_disk: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    let fires = (runs + 3) as f64;
    println!(
        "fire of a {:.1} MB JSON answer, {runs} runs each: recorded {wt:.1} ms / {wm:.1} MiB, --no-history {nt:.1} ms / {nm:.1} MiB; history {:.1} MB for {fires} fires",
        size as f64 / 1e6,
        on_disk as f64 / 1e6
    );
    let (rt, rm) = (wt / nt, wm / nm);
    crate::row(
        &format!(
            "`fire` answered with a {:.0} MB JSON body, whole process (median time, peak memory)",
            size as f64 / 1e6
        ),
        "recorded at most 1.5x --no-history in time and memory",
        &format!(
            "{}recorded {wt:.0} ms, {wm:.0} MiB; --no-history {nt:.0} ms, {nm:.0} MiB: {rt:.2}x time, {rm:.2}x memory; {:.1} MB kept per fire",
            if rt > 1.5 || rm > 1.5 {
                "**missed**: "
            } else {
                ""
            },
            on_disk as f64 / 1e6 / fires
        ),
    );
}
