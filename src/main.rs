//! The `mcpgen` binary: parse arguments, run the subcommand, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    // regorus's parser tries alternatives and backs out of them through `anyhow` errors; with
    // `RUST_BACKTRACE=1` in the environment (common on developer machines and in CI) each of
    // those errors captures a stack trace that nobody ever sees: 70 million instructions, a
    // fifth of a check (docs/performance.md). Library backtraces are switched off unless the
    // user asks for them by name; panics still honour `RUST_BACKTRACE`.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: the first statement of `main`, before any other thread exists.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    mcpgen::cli::main()
}
