//! The receiver: requests per second captured and stored. The real
//! `hookbench listen` process, with its history, takes N requests from 16
//! concurrent senders; then it is stopped and the history counted.
//!
//! Run: `cargo bench -- receiver` (add `N` for N requests; default 20,000).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let concurrency = 16;
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbench"))
        .args(["listen", "--port", &port.to_string(), "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the receiver did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    let url = format!("http://127.0.0.1:{port}/hooks/bench");
    let captured = crate::reqwest_loop(&url, n, concurrency, 1);
    // Ctrl-C: the receiver writes what it holds and exits.
    let stop = Instant::now();
    // SAFETY: kill(2) on a child of ours that has not been waited for.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    let drain = stop.elapsed();
    let store = hookbench::history::Store::open(&dir.path().join("history.sqlite")).unwrap();
    let stored = store
        .count(&hookbench::history::Filter::default())
        .unwrap_or(0);
    println!(
        "receiver: {n} requests from {concurrency} senders: {captured:.0} req/s answered; {stored} stored; {status}, {} ms to write the rest and stop",
        drain.as_millis()
    );
    crate::row(
        &format!("receiver: {n} requests captured and stored, 16 concurrent senders"),
        "(none)",
        &format!(
            "{captured:.0} req/s answered; {stored} of {n} in the history {} ms after the last",
            drain.as_millis()
        ),
    );
}
