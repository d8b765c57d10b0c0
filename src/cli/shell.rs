//! What a shell needs: completion scripts (`completions SHELL`), the man
//! page (`man [-o DIR]`), and the names a completion asks for
//! (`complete profiles|records`, hidden).

use std::path::PathBuf;

use clap::CommandFactory;

use super::{Cli, Outcome, Places};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write one page per command into DIR (hookbench.1, hookbench-fire.1,
    /// ...) instead of the one page on stdout
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompleteArgs {
    /// profiles or records
    pub what: String,
}

/// Commands whose first argument is a profile, and those that take record
/// ids, for the bash script's names.
const TAKES_PROFILE: &str = "fire|curl|share";
const TAKES_RECORD: &str = "replay|resolve";

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    if args.shell == clap_complete::Shell::Zsh {
        let mut script = Vec::new();
        clap_complete::generate(args.shell, &mut cmd, "hookbench", &mut script);
        use std::io::Write;
        out.write_all(zsh_with_names(&String::from_utf8_lossy(&script)).as_bytes())?;
        return Ok(Outcome::Success);
    }
    clap_complete::generate(args.shell, &mut cmd, "hookbench", &mut out);
    if args.shell == clap_complete::Shell::Bash {
        use std::io::Write;
        // Profile names and record ids, asked of hookbench as it runs
        // (with the options already typed, so --profiles DIR counts).
        write!(
            out,
            r#"
_hookbench_names() {{
    local i cmd="" opts=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            --profiles|--data-dir|--config-dir) opts+=("${{COMP_WORDS[i]}}" "${{COMP_WORDS[i+1]}}"); ((i++)) ;;
            --color|--body-cap|--receiver-port) ((i++)) ;;
            -*) ;;
            *) [[ -z "$cmd" ]] && cmd="${{COMP_WORDS[i]}}" ;;
        esac
    done
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    if [[ "$prev" == "$cmd" && "$cur" != -* ]]; then
        case "$cmd" in
            {TAKES_PROFILE})
                COMPREPLY=($(compgen -W "$(hookbench "${{opts[@]}}" complete profiles 2>/dev/null)" -- "$cur"))
                return ;;
            {TAKES_RECORD})
                COMPREPLY=($(compgen -W "$(hookbench "${{opts[@]}}" complete records 2>/dev/null)" -- "$cur"))
                return ;;
        esac
    fi
    _hookbench "$@"
}}
if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _hookbench_names -o nosort -o bashdefault -o default hookbench
else
    complete -F _hookbench_names -o bashdefault -o default hookbench
fi
"#
        )?;
    }
    Ok(Outcome::Success)
}

/// The zsh script with profile names and record ids completed, asked of
/// hookbench with the `--profiles`/`--data-dir` already on the line.
fn zsh_with_names(script: &str) -> String {
    const NAMES: &str = r#"
_hookbench_names() {
    local -a opts found
    local i
    for ((i = 2; i < CURRENT; i++)); do
        case "$words[i]" in
            --profiles|--data-dir|--config-dir) opts+=("$words[i]" "$words[i+1]") ;;
        esac
    done
    found=(${(f)"$(hookbench "${opts[@]}" complete "$1" 2>/dev/null)"})
    compadd -a found
}
_hookbench_profiles() { _hookbench_names profiles }
_hookbench_records() { _hookbench_names records }
"#;
    let mut out = String::with_capacity(script.len() + NAMES.len());
    for line in script.lines() {
        let line = if line.starts_with("':profile -- ") && line.ends_with(":_default' \\") {
            line.replace(":_default' \\", ":_hookbench_profiles' \\")
        } else if line.starts_with("'*::ids -- ") && line.ends_with(":_default' \\") {
            line.replace(":_default' \\", ":_hookbench_records' \\")
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
        if line == "autoload -U is-at-least" {
            out.push_str(NAMES);
        }
    }
    out
}

pub fn man(args: ManArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    match args.out {
        None => {
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout().lock())?;
        }
        Some(dir) => {
            hookbench::files::create_private_dir(&dir)?;
            // Built, so each command's page has the global options (and
            // `help`, which the tool's page names, has a page too).
            let mut cmd = cmd;
            cmd.build();
            let mut pages = vec![("hookbench".to_string(), cmd.clone())];
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let page = sub
                    .clone()
                    .bin_name(format!("hookbench {}", sub.get_name()))
                    .display_name(format!("hookbench-{}", sub.get_name()));
                pages.push((format!("hookbench-{}", sub.get_name()), page));
            }
            for (name, page) in pages {
                let mut text = Vec::new();
                clap_mangen::Man::new(page)
                    .title(name.to_uppercase())
                    .render(&mut text)?;
                let path = dir.join(format!("{name}.1"));
                hookbench::files::write_atomic(&path, &text)?;
                say!("{}", path.display());
            }
        }
    }
    Ok(Outcome::Success)
}

/// The names a completion script asks for, one a line; nothing (and
/// success) when there are none, so a completion never prints an error.
pub fn complete(places: &Places, args: CompleteArgs) -> anyhow::Result<Outcome> {
    match args.what.as_str() {
        "profiles" => {
            if let Ok(found) = hookbench::profile::scan_dir(&places.profiles) {
                // A name with a space would be two words to the shell: its
                // file stands in for it.
                for p in found.into_iter().flatten() {
                    if p.profile.name.contains(char::is_whitespace) {
                        out!("{}", p.path.display());
                    } else {
                        out!("{}", p.profile.name);
                    }
                }
            }
        }
        "records" => {
            if places.history.exists()
                && let Ok(store) = hookbench::history::Store::open(&places.history)
                && let Ok(rows) = store.page(&hookbench::history::Filter::default(), None, 50)
            {
                for r in rows {
                    out!("{}", r.id);
                }
            }
        }
        _ => {}
    }
    Ok(Outcome::Success)
}
