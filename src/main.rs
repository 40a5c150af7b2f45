//! The `bts-doctor` binary: everything lives in the library; this only hands over.

fn main() -> std::process::ExitCode {
    bts_doctor::cli::main()
}
