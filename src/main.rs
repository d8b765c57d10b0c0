//! The `hookbench` binary: parse arguments, run a command, map the outcome to
//! an exit code (0 success, 1 the far side failed, 2 bad input).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            cli::Outcome::BadInput.into()
        }
    }
}
