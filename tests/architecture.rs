//! The house rules, read off the source: the core's modules import one way
//! only, the terminal crates stay in the workbench, clap stays in the
//! command line, and no file grows past what one person can hold.

use std::path::{Path, PathBuf};

/// The core's modules, each importing only those before it; the two front
/// ends last.
const ORDER: &[&str] = &[
    "clock",
    "diag",
    "template",
    "files",
    "wire",
    "exchange",
    "signing",
    "retry",
    "environment",
    "profile",
    "secrets",
    "event",
    "request",
    "deliver",
    "history",
    "replay",
    "receiver",
    "share",
    "curl",
    "diff",
    "tui",
    "cli",
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

#[test]
fn no_file_grows_past_what_one_person_can_hold() {
    let (src, files) = all_sources();
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 900).then(|| format!("{}: {n} lines", f.strip_prefix(&src).unwrap().display()))
        })
        .collect();
    assert!(long.is_empty(), "over 900 lines:\n{}", long.join("\n"));
}

/// The workbench's rooms a file of `src/tui/` belongs to (`state`,
/// `view`, `tasks`...), and those it names.
fn tui_rooms() -> Vec<(String, String, Vec<String>)> {
    let (src, files) = all_sources();
    let tui = src.join("tui");
    let mut out = Vec::new();
    for f in files.iter().filter(|f| f.starts_with(&tui)) {
        let rel = f.strip_prefix(&tui).unwrap();
        let room = module_of(&tui, f);
        if room == "mod" {
            continue; // the workbench itself: it holds every room
        }
        let nested = rel.components().count() > 1;
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        let mut names = Vec::new();
        for (prefix, counts) in [("crate::tui::", true), ("super::", !nested)] {
            let mut rest = code.as_str();
            while let Some(i) = rest.find(prefix) {
                rest = &rest[i + prefix.len()..];
                if !counts {
                    continue;
                }
                let groups: Vec<String> = if let Some(g) = rest.strip_prefix('{') {
                    g[..g.find('}').unwrap_or(g.len())]
                        .split(',')
                        .map(|s| {
                            s.trim()
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect()
                        })
                        .collect()
                } else {
                    vec![
                        rest.chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect(),
                    ]
                };
                names.extend(
                    groups
                        .into_iter()
                        .filter(|n: &String| !n.is_empty() && *n != room),
                );
            }
        }
        out.push((rel.display().to_string(), room, names));
    }
    out
}

#[test]
fn the_workbench_state_never_imports_the_drawing() {
    let wrong: Vec<String> = tui_rooms()
        .into_iter()
        .filter(|(_, room, names)| room == "state" && names.iter().any(|n| n == "view"))
        .map(|(file, _, _)| file)
        .collect();
    assert!(wrong.is_empty(), "state/ imports view/: {wrong:?}");
}

#[test]
fn the_workbench_rooms_import_without_cycles() {
    use std::collections::{BTreeMap, BTreeSet};
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, room, names) in tui_rooms() {
        graph.entry(room).or_default().extend(names);
    }
    // A cycle is a room that reaches itself.
    let mut cycles = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = graph[start].iter().collect();
        while let Some(n) = stack.pop() {
            if n == start {
                cycles.push(start.clone());
                break;
            }
            if seen.insert(n.clone())
                && let Some(next) = graph.get(n)
            {
                stack.extend(next.iter());
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "rooms in a cycle: {cycles:?}\n{graph:#?}"
    );
}

#[test]
fn only_the_tasks_room_starts_work() {
    let (src, files) = all_sources();
    let tui = src.join("tui");
    let wrong: Vec<String> = files
        .iter()
        .filter(|f| f.starts_with(&tui) && !f.ends_with("tasks.rs"))
        .filter(|f| {
            let code = code_of(&std::fs::read_to_string(f).unwrap());
            code.contains("spawn(") || code.contains("spawn_blocking(")
        })
        .map(|f| f.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    assert!(wrong.is_empty(), "spawns outside tui/tasks.rs: {wrong:?}");
}

#[test]
fn the_room_reader_sees_the_rooms() {
    let rooms = tui_rooms();
    let names = |room: &str| -> Vec<String> {
        rooms
            .iter()
            .filter(|(_, r, _)| r == room)
            .flat_map(|(_, _, n)| n.clone())
            .collect()
    };
    assert!(names("state").iter().any(|n| n == "tasks"), "{rooms:#?}");
    assert!(names("view").iter().any(|n| n == "state"), "{rooms:#?}");
    assert!(names("tasks").iter().any(|n| n == "message"), "{rooms:#?}");
}
