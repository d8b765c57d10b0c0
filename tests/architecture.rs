//! The house rules, read off the source: the core's modules import one way
//! only, the terminal crates stay in the workbench, clap stays in the
//! command line, and no file grows past what one person can hold.

use std::path::{Path, PathBuf};

/// The core's modules, each importing only those before it; the two front
/// ends last.
const ORDER: &[&str] = &[
    "clock", "diag", "template", "files", "wire", "exchange", "signing", "retry", "profile",
    "secrets", "event", "request", "deliver", "history", "replay", "receiver", "share", "curl",
    "diff", "tui", "cli",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module a file belongs to: `src/history/io.rs` is `history`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The text with comments and string literals blanked, so a doc comment
/// naming a crate is not an import.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            kept.push(if in_str { ' ' } else { c });
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Every module of this crate a piece of code names (`crate::x`, and the
/// names in `crate::{x, y::z}`).
fn imports(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `hookbench_crate::`, say
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

fn all_sources() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    (src, files)
}

#[test]
fn the_core_imports_one_way() {
    let (src, files) = all_sources();
    let rank = |m: &str| ORDER.iter().position(|o| *o == m);
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(mine) = rank(&module) else {
            wrong.push(format!(
                "{}: module `{module}` has no place in the order",
                file.display()
            ));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for dep in imports(&code) {
            if dep == module || dep == "USER_AGENT" {
                continue;
            }
            match rank(&dep) {
                Some(theirs) if theirs < mine => {}
                Some(_) => wrong.push(format!(
                    "{}: `{module}` imports `{dep}`, which comes after it",
                    file.display()
                )),
                None => wrong.push(format!("{}: unknown module `{dep}`", file.display())),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn terminal_crates_stay_in_the_workbench_and_clap_in_the_command_line() {
    let (src, files) = all_sources();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let names = |krate: &str| {
            code.contains(&format!("{krate}::")) || code.contains(&format!("use {krate}"))
        };
        for krate in ["ratatui", "crossterm"] {
            if names(krate) && !rel.starts_with("tui/") {
                wrong.push(format!("{rel} uses {krate}"));
            }
        }
        if names("clap") && !rel.starts_with("cli/") && rel != "main.rs" {
            wrong.push(format!("{rel} uses clap"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_checker_sees_what_it_should() {
    // The checks above would pass on anything if these did not hold.
    let code = code_of(
        "use crate::{wire::X, exchange};\n// crate::tui\nlet s = \"crate::cli\";\nx(crate::deliver::Y);",
    );
    assert_eq!(imports(&code), ["wire", "exchange", "deliver"]);
}
