//! `mcpgen completions SHELL` and `mcpgen man`: shell completion scripts and man pages, both
//! generated from the clap definitions so they cannot drift from the real flags.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, note, print};

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `mcpgen.1` and one page per subcommand (`mcpgen-check.1`, ...) into this
    /// directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Run `completions`: the script goes to stdout, to be sourced or saved where the shell looks
/// (see the README for each shell).
pub fn completions(args: CompletionArgs) -> Outcome {
    let mut cmd = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "mcpgen", &mut out);
    print(&String::from_utf8_lossy(&out));
    Outcome::Clean
}

/// Run `man`.
pub fn man(args: ManArgs) -> Outcome {
    let cmd = crate::cli::command();
    match args.dir {
        None => {
            let mut out = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
                fail(&format!("cannot render the man page: {e}"));
                return Outcome::Failure;
            }
            print(&String::from_utf8_lossy(&out));
            Outcome::Clean
        }
        Some(dir) => {
            if let Err(e) =
                std::fs::create_dir_all(&dir).and_then(|()| clap_mangen::generate_to(cmd, &dir))
            {
                fail(&format!("cannot write man pages to {}: {e}", dir.display()));
                return Outcome::Failure;
            }
            note(&format!("wrote man pages to {}\n", dir.display()));
            Outcome::Clean
        }
    }
}
