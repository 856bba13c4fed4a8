//! soapbridge: see `soapbridge --help`; the library holds everything else.

use std::process::ExitCode;

use clap::Parser as _;
use soapbridge::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging(cli.log_format, &cli::telemetry_settings(&cli));
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    soapbridge::telemetry::shutdown();
    code
}
