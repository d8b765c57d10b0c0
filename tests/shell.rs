//! What a shell user gets: the completion script sourced in a real bash,
//! and the man page rendered by man.

mod support;

use std::process::Command;

use support::{Workspace, stderr, stdout};

/// What bash completes for `words` (the last one being typed), with the
/// script `hookbench completions bash` prints, against `ws`.
fn complete(ws: &Workspace, script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_hookbench"))
        .parent()
        .unwrap()
        .to_path_buf();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let line = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; _hookbench_names hookbench '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len().saturating_sub(2)],
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &line])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("HOOKBENCH_PROFILES", ws.path())
        .env("HOOKBENCH_DATA_DIR", ws.data_dir())
        .env("HOOKBENCH_CONFIG_DIR", ws.config_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_commands_profile_names_and_record_ids() {
    let ws = Workspace::new();
    for n in ["crm-push", "sheet-append"] {
        ws.write(
            &format!("{n}.ron"),
            &format!(r#"(name: "{n}", method: POST, url: "http://127.0.0.1:9/x")"#),
        );
    }
    ws.write(
        "spaced.ron",
        r#"(name: "crm lead", method: POST, url: "http://127.0.0.1:9/y")"#,
    );
    let lines = ws.write(
        "in.jsonl",
        r#"{"method": "POST", "url": "http://127.0.0.1:9/a", "status": 500}
{"method": "POST", "url": "http://127.0.0.1:9/b", "status": 500}"#,
    );
    assert_eq!(
        ws.run(&["import", lines.to_str().unwrap()], &[])
            .status
            .code(),
        Some(0)
    );
    let out = ws.run(&["completions", "bash"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = ws.write("hookbench.bash", &stdout(&out));
    assert_eq!(complete(&ws, &script, &["hookbench", "fi"]), ["fire"]);
    assert_eq!(
        complete(&ws, &script, &["hookbench", "fire", "cr"]),
        ["crm-push"]
    );
    // An option's value is not taken for the command.
    assert_eq!(
        complete(
            &ws,
            &script,
            &["hookbench", "--color", "never", "fire", "cr"]
        ),
        ["crm-push"]
    );
    let all = complete(&ws, &script, &["hookbench", "curl", ""]);
    assert!(all.contains(&"sheet-append".to_string()), "{all:?}");
    // A name with a space is offered as its file.
    assert!(all.iter().any(|w| w.ends_with("spaced.ron")), "{all:?}");
    assert!(complete(&ws, &script, &["hookbench", "fire", "--dr"]).contains(&"--dry-run".into()));
    let ids = complete(&ws, &script, &["hookbench", "replay", ""]);
    assert_eq!(ids, ["2", "1"]);
    // Every shell clap knows gets a script.
    for sh in ["zsh", "fish", "elvish", "powershell"] {
        let out = ws.run(&["completions", sh], &[]);
        assert_eq!(out.status.code(), Some(0), "{sh}: {}", stderr(&out));
        assert!(stdout(&out).contains("replay"), "{sh}");
    }
    assert_eq!(ws.run(&["completions", "tcsh"], &[]).status.code(), Some(2));
}

#[test]
fn the_man_page_renders_with_man() {
    let ws = Workspace::new();
    let out = ws.run(&["man"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = ws.write("hookbench.1", &stdout(&out));
    let render = |p: &std::path::Path| {
        let out = Command::new("man")
            .arg("-l")
            .arg(p)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let text = render(&page);
    assert!(text.contains("hookbench"), "{text}");
    for cmd in ["fire", "replay", "listen", "completions"] {
        assert!(text.contains(cmd), "{cmd}: {text}");
    }
    // One page per command.
    let dir = ws.path().join("man");
    let out = ws.run(&["man", "-o", dir.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fire = render(&dir.join("hookbench-fire.1"));
    assert!(fire.contains("--dry-run"), "{fire}");
    // Named as typed, with the options every command takes.
    assert!(
        fire.contains("hookbench fire") && fire.contains("hookbench-fire"),
        "{fire}"
    );
    assert!(fire.contains("--data-dir"), "{fire}");
    // Every page the tool's page names is there.
    assert!(dir.join("hookbench-help.1").exists());
    assert!(!dir.join("hookbench-complete.1").exists());
}

#[test]
fn help_puts_global_options_apart_and_gives_examples() {
    let ws = Workspace::new();
    let out = ws.run(&["fire", "--help"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let (own, global) = text.split_once("Global options:").expect("a heading");
    assert!(
        own.contains("--dry-run") && !own.contains("--data-dir"),
        "{text}"
    );
    assert!(global.contains("--data-dir"), "{text}");
    assert!(
        text.contains("Examples:\n  hookbench fire local-echo"),
        "{text}"
    );
    for cmd in [
        "validate",
        "history",
        "replay",
        "resolve",
        "listen",
        "share",
        "curl",
        "from-curl",
    ] {
        let out = ws.run(&[cmd, "--help"], &[]);
        assert!(stdout(&out).contains("Examples:"), "{cmd}");
    }
}

#[test]
fn one_colour_switch_for_the_whole_tool() {
    let ws = Workspace::new();
    let lines = ws.write(
        "in.jsonl",
        r#"{"method": "POST", "url": "http://127.0.0.1:9/a", "status": 500}"#,
    );
    assert_eq!(
        ws.run(&["import", lines.to_str().unwrap()], &[])
            .status
            .code(),
        Some(0)
    );
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut a = vec!["history"];
        a.extend_from_slice(args);
        let out = ws.run(&a, env);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out).contains("\x1b[")
    };
    // Output that is not a terminal: plain unless asked.
    assert!(!coloured(&[], &[("NO_COLOR", "")]));
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(coloured(&[], &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")]));
    // `0` does not force (the convention: CLICOLOR_FORCE != 0).
    assert!(!coloured(&[], &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "0")]));
    assert!(!coloured(
        &["--color", "never"],
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")]
    ));
    assert!(!coloured(
        &[],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]
    ));
    let out = ws.run(&["history", "--color", "sometimes"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn zsh_completes_profile_names_and_record_ids() {
    let ws = Workspace::new();
    ws.write(
        "crm-push.ron",
        r#"(name: "crm-push", method: POST, url: "http://127.0.0.1:9/x")"#,
    );
    let out = ws.run(&["completions", "zsh"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = stdout(&out);
    // fire's PROFILE and replay's ids ask hookbench.
    assert!(
        script
            .lines()
            .any(|l| l.starts_with("':profile -- ") && l.ends_with(":_hookbench_profiles' \\")),
        "{script}"
    );
    assert!(script.contains("::ids -- Records to replay, by id:_hookbench_records'"));
    let file = ws.write("_hookbench", &script);
    let check = Command::new("zsh").arg("-n").arg(&file).output().unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    // The names function, run in zsh with compadd standing in.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_hookbench"))
        .parent()
        .unwrap()
        .to_path_buf();
    let names = script
        .split("\n_hookbench_names() {")
        .nth(1)
        .and_then(|rest| rest.split("\n_hookbench_records()").next())
        .expect("the names functions");
    let run = format!(
        "compadd() {{ shift; print -l -- ${{(P)1}} }}\n_hookbench_names() {{{names}\nwords=(hookbench --profiles '{}' fire ''); CURRENT=5\n_hookbench_profiles",
        ws.path().display()
    );
    let out = Command::new("zsh")
        .args(["-f", "-c", &run])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env_remove("HOOKBENCH_PROFILES")
        .env("HOOKBENCH_DATA_DIR", ws.data_dir())
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), "crm-push", "{}", stderr(&out));
}
