//! The `mcpgen` binary: parse arguments, run the subcommand, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    mcpgen::cli::main()
}
