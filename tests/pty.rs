//! The real binary in a pseudo-terminal: launch, fire at a local server,
//! hand the terminal to $EDITOR and back, quit, and check the terminal was
//! restored.

mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use support::{Answer, Server, Workspace};

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Term {
    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`; dumps the screen on timeout.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("`{text}` never showed; the screen:\n{}", self.screen());
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Keys apart, as a person types them (an Esc is not a prefix).
        std::thread::sleep(Duration::from_millis(60));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("hookbench did not exit; the screen:\n{}", self.screen());
    }
}

fn launch(ws: &Workspace, data: &std::path::Path, editor: &str) -> Term {
    launch_with(ws, data, editor, &[], &["--no-receiver"])
}

fn launch_with(
    ws: &Workspace,
    data: &std::path::Path,
    editor: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> Term {
    launch_in(Some(ws.path()), data, editor, env, args)
}

/// The same; with no profiles folder named, in `data` as the current
/// folder (outside the repository), as a user's first run.
fn launch_in(
    profiles: Option<&std::path::Path>,
    data: &std::path::Path,
    editor: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> Term {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_hookbench"));
    match profiles {
        Some(p) => {
            cmd.arg("--profiles");
            cmd.arg(p);
        }
        None => {
            cmd.cwd(data);
            cmd.env_remove("HOOKBENCH_PROFILES");
            cmd.env_remove("XDG_CONFIG_HOME");
        }
    }
    for a in args {
        cmd.arg(a);
    }
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_DATA_HOME", data);
    cmd.env("HOME", data);
    cmd.env("EDITOR", editor);
    cmd.env_remove("VISUAL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        std::num::NonZero::new(40).unwrap(),
        std::num::NonZero::new(120).unwrap(),
        0,
    )));
    let raw = Arc::new(Mutex::new(Vec::new()));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let (p, r) = (parser.clone(), raw.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..n]);
            r.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let writer = pair.master.take_writer().unwrap();
    Term {
        parser,
        raw,
        writer,
        child,
        master: pair.master,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn launch_fire_edit_quit_and_the_terminal_is_restored() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write(
        "hook.ron",
        &format!(
            r#"(name: "pty hook", method: POST, url: "{}", auth: Basic(username: "ops", password: "pty-s3cret"),
               payload: {{"plan": "{{{{event.profile.plan}}}}"}}, event: "events/signup.json")"#,
            server.url("/pty")
        ),
    );
    let data = tempfile::tempdir().unwrap();
    let mut t = launch(&ws, data.path(), r#"sed -i 's/"plan":/"tier":/'"#);

    t.wait_for("pty hook");
    t.wait_for("Request · preview");
    t.send("f");
    t.wait_for("200 OK");
    let got = server.only();
    assert_eq!(got.target, "/pty");
    assert_eq!(got.json()["plan"], "free");

    // $EDITOR on the payload: the terminal goes to the editor and back.
    t.send("\t");
    for _ in 0..9 {
        t.send("j"); // down to Payload
    }
    t.send("e");
    t.wait_for("back from the editor");
    t.wait_for("\"tier\"");
    t.send("f");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.requests().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.requests()[1].json()["tier"], "free");

    // Quit: unsaved changes ask first.
    t.send("q");
    t.wait_for("Unsaved: hook.ron");
    t.send("y");
    let status = t.wait_exit();
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));

    assert_restored(&t);

    // The log went to the data directory, not the screen.
    let log = std::fs::read_to_string(data.path().join("hookbench/hookbench.log")).unwrap();
    assert!(log.contains("fired POST"), "{log}");
    // (A password no temporary folder name can contain by chance.)
    assert!(
        !log.contains("pty-s3cret"),
        "no credential in the log: {log}"
    );
}

/// Restored: main screen, cursor shown, mouse off, and the tty cooked again.
fn assert_restored(t: &Term) {
    let raw = t.raw.lock().unwrap().clone();
    assert!(
        contains(&raw, b"\x1b[?1049h"),
        "entered the alternate screen"
    );
    assert!(contains(&raw, b"\x1b[?1049l"), "left the alternate screen");
    assert!(contains(&raw, b"\x1b[?25h"), "showed the cursor");
    assert!(contains(&raw, b"\x1b[?1000l"), "mouse reporting off");
    let parser = t.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    assert!(!parser.screen().hide_cursor());
    if let Some(tio) = t.master.get_termios() {
        let lflags = tio.local_flags.bits() as libc::tcflag_t;
        assert!(
            lflags & libc::ICANON != 0,
            "raw mode is off (ICANON back on)"
        );
        assert!(lflags & libc::ECHO != 0, "echo is back on");
    }
}

#[test]
fn a_panic_restores_the_terminal_and_prints_the_error() {
    let ws = Workspace::new();
    let data = tempfile::tempdir().unwrap();
    let mut t = launch_with(
        &ws,
        data.path(),
        "true",
        &[("HOOKBENCH_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
        &["--no-receiver"],
    );
    let status = t.wait_exit();
    assert!(!status.success());
    std::thread::sleep(Duration::from_millis(100));
    assert_restored(&t);
    // The message is on the main screen, after the terminal came back.
    assert!(
        t.screen().contains("a panic injected for testing"),
        "{}",
        t.screen()
    );
}

#[test]
fn the_built_in_receiver_gives_a_round_trip_with_no_network() {
    let port = support::closed_port();
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write(
        "echo.ron",
        &format!(
            r#"(name: "echo", method: POST, url: "http://127.0.0.1:{port}/hooks/{{{{event.eventName}}}}",
               event: "events/signup.json")"#
        ),
    );
    let data = tempfile::tempdir().unwrap();
    let mut t = launch_with(
        &ws,
        data.path(),
        "true",
        &[],
        &["--receiver-port", &port.to_string()],
    );
    t.wait_for("echo");
    t.wait_for("Request · preview");
    t.send("f");
    t.wait_for("200 OK");
    t.wait_for("\"received\": true");
    // What arrived is in the Receiver view.
    t.send("3");
    t.wait_for(&format!("receiver on http://127.0.0.1:{port}"));
    t.wait_for("received");
    t.wait_for("/hooks/Signup%20Completed");
    t.send("q");
    assert!(t.wait_exit().success());
    assert_restored(&t);
}

fn signal(t: &Term, sig: libc::c_int) {
    let pid = t.child.process_id().expect("the child has a pid") as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_unsaved_changes() {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    let data = tempfile::tempdir().unwrap();
    let mut t = launch(&ws, data.path(), "true");
    t.wait_for("Profiles");
    t.send("n");
    t.send("fresh one");
    t.send("\r");
    t.wait_for("new profile: Ctrl-s saves it");
    signal(&t, libc::SIGTERM);
    let status = t.wait_exit();
    assert_eq!(status.exit_code(), 128 + 15);
    std::thread::sleep(Duration::from_millis(100));
    assert_restored(&t);
    let screen = t.screen();
    assert!(screen.contains("stopped by SIGTERM"), "{screen}");
    let kept = ws.path().join("fresh-one.ron.unsaved");
    let text = std::fs::read_to_string(&kept).unwrap_or_else(|e| panic!("{e}: {screen}"));
    assert!(text.contains("name: \"fresh one\""), "{text}");
    assert!(screen.contains("fresh-one.ron.unsaved"), "{screen}");
}

#[test]
fn sigint_from_another_process_restores_the_terminal() {
    let ws = Workspace::new();
    let data = tempfile::tempdir().unwrap();
    let mut t = launch(&ws, data.path(), "true");
    t.wait_for("Profiles");
    signal(&t, libc::SIGINT);
    let status = t.wait_exit();
    assert_eq!(status.exit_code(), 128 + 2);
    std::thread::sleep(Duration::from_millis(100));
    assert_restored(&t);
    assert!(t.screen().contains("stopped by SIGINT"), "{}", t.screen());
}

#[test]
fn secret_set_asks_without_echoing_the_value() {
    let ws = Workspace::new();
    let data = tempfile::tempdir().unwrap();
    let config = ws.config_dir();
    let mut t = launch_with(
        &ws,
        data.path(),
        "true",
        &[("HOOKBENCH_CONFIG_DIR", config.to_str().unwrap())],
        &["secret", "set", "PTY_TOKEN"],
    );
    t.wait_for("value for PTY_TOKEN (hidden)");
    t.send("s3cret-typed");
    t.send("\r");
    let status = t.wait_exit();
    assert!(status.success(), "{}", t.screen());
    std::thread::sleep(Duration::from_millis(100));
    let raw = t.raw.lock().unwrap().clone();
    assert!(!contains(&raw, b"s3cret-typed"), "the value was echoed");
    assert!(t.screen().contains("set PTY_TOKEN"), "{}", t.screen());
    let stored = std::fs::read_to_string(config.join("secrets.ron")).unwrap();
    assert!(stored.contains("s3cret-typed"));
    if let Some(tio) = t.master.get_termios() {
        let lflags = tio.local_flags.bits() as libc::tcflag_t;
        assert!(lflags & libc::ECHO != 0, "echo is back on");
    }
}

#[test]
fn the_log_and_the_editor_file_are_the_owners_only_and_hold_no_secret() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write(
        "host.ron",
        r#"(name: "host secret", method: POST, url: "http://{{secret.TENANT}}.invalid/x",
           auth: Basic(username: "ops", password: "pty-pass-2"),
           payload: {"plan": "pro"}, event: "events/signup.json")"#,
    );
    let out = ws.run_with_input(&["secret", "set", "TENANT"], "PtyTenant77\n");
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let data = tempfile::tempdir().unwrap();
    let data_dir = ws.path().join("own-data");
    // The editor notes where it was given the file, and how it was made.
    let notes = ws.path().join("editor-notes");
    let editor = format!(
        "sh -c 'f=\"$1\"; stat -c \"%a %n\" \"$f\" \"$(dirname \"$f\")\" > {}' sh",
        notes.display()
    );
    let config = ws.config_dir();
    let mut t = launch_with(
        &ws,
        data.path(),
        &editor,
        &[
            ("HOOKBENCH_DATA_DIR", data_dir.to_str().unwrap()),
            ("HOOKBENCH_CONFIG_DIR", config.to_str().unwrap()),
        ],
        &["--no-receiver"],
    );
    t.wait_for("host secret");
    t.wait_for("Request · preview");
    t.send("f");
    t.wait_for("dns");
    assert!(!t.screen().contains("PtyTenant77"), "{}", t.screen());
    assert!(
        !t.screen().to_lowercase().contains("ptytenant77"),
        "{}",
        t.screen()
    );
    t.send("\t");
    for _ in 0..9 {
        t.send("j"); // down to Payload
    }
    t.send("e");
    t.wait_for("back from the editor");
    t.send("q");
    t.wait_exit();

    let noted = std::fs::read_to_string(&notes).unwrap();
    let mut lines = noted.lines();
    let (file, dir) = (lines.next().unwrap(), lines.next().unwrap());
    assert!(file.starts_with("600 "), "{noted}");
    assert!(dir.starts_with("700 "), "{noted}");
    assert!(
        !file.contains(&format!("hookbench-{}", t.child.process_id().unwrap())),
        "{noted}"
    );
    let edited = file.split_once(' ').unwrap().1;
    assert!(
        !std::path::Path::new(edited).exists(),
        "left behind: {edited}"
    );

    // The log is in the data folder given, owner-only, with no secret.
    let log_path = data_dir.join("hookbench.log");
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("fired POST"), "{log}");
    assert!(!log.to_lowercase().contains("ptytenant77"), "{log}");
    let mode = std::fs::metadata(&log_path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(!data.path().join("hookbench/hookbench.log").exists());
}

/// The text of `file` once it exists (at most 5 s).
fn arrived(file: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn y_reaches_the_system_clipboard_where_osc_52_may_not() {
    use std::os::unix::fs::PermissionsExt;
    let port = support::closed_port();
    let ws = Workspace::new();
    ws.write(
        "echo.ron",
        &format!(r#"(name: "echo", method: POST, url: "http://127.0.0.1:{port}/hooks/x", payload: {{"plan": "pro"}})"#),
    );
    // An X session whose clipboard tool is a script that keeps what it is given.
    let data = tempfile::tempdir().unwrap();
    let bin = data.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let got = data.path().join("clipboard.txt");
    let tool = bin.join("xclip");
    std::fs::write(
        &tool,
        format!(
            "#!/bin/sh\ncat > '{}.part' && mv '{0}.part' '{0}'\n",
            got.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut t = launch_with(
        &ws,
        data.path(),
        "true",
        &[("DISPLAY", ":77"), ("WAYLAND_DISPLAY", ""), ("PATH", &path)],
        &["--receiver-port", &port.to_string()],
    );
    t.wait_for("Request · preview");
    t.send("y");
    t.wait_for("to xclip + OSC 52");
    let copied = arrived(&got);
    assert!(copied.starts_with("curl "), "{copied}");
    assert!(copied.contains("/hooks/x"), "{copied}");
    // The terminal got it too, as OSC 52.
    assert!(contains(&t.raw.lock().unwrap(), b"\x1b]52;c;"));
    // Y: the answer's body, once there is one.
    std::fs::remove_file(&got).unwrap();
    t.send("f");
    t.wait_for("200 OK");
    t.send("Y");
    t.wait_for("copied the response body");
    let body = arrived(&got);
    assert!(body.contains("\"received\": true"), "{body}");
    t.send("q");
    assert!(t.wait_exit().success());
}

#[test]
fn the_first_run_opens_the_workbench_on_the_profiles_folder_it_made() {
    let port = support::closed_port();
    let home = tempfile::tempdir().unwrap();
    let mut t = launch_in(
        None,
        home.path(),
        "true",
        &[],
        &["--receiver-port", &port.to_string()],
    );
    t.wait_for("first run: created");
    t.wait_for("local-echo");
    assert!(
        home.path()
            .join(".config/hookbench/profiles/local-echo.ron")
            .is_file()
    );
    // Its example environments came too: E picks one, the preview follows.
    t.wait_for("env: none (E)");
    t.send("E");
    t.wait_for("the profiles' own defaults");
    t.send("\x1b[B\x1b[B");
    t.wait_for("BASE_URL = http://127.0.0.1:8788");
    t.send("\r");
    t.wait_for(" env: staging ");
    t.wait_for("POST http://127.0.0.1:8788/hooks/");
    t.send("q");
    assert!(t.wait_exit().success());
}
