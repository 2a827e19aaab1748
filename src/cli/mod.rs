//! The command line: argument parsing, dispatch, exit codes. Commands live in
//! their own modules; this one only routes.

mod photo;
mod specs;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::BackgroundMode;

/// Exit status of a rejected photo (0 is accepted, 1 an error).
pub const EXIT_REJECTED: u8 = 3;
/// Exit status of a usage, input or I/O error.
pub const EXIT_ERROR: u8 = 1;

/// passbooth: compliant passport and ID photos from a portrait or a booth.
#[derive(Debug, Parser)]
#[command(name = "passbooth", version, about)]
pub struct Cli {
    /// Folder of country spec files (default: installed or source `specs/`).
    #[arg(long, global = true, value_name = "DIR")]
    pub specs: Option<PathBuf>,
    /// Folder of model files (default: installed or source `models/`).
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Background handling on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Background {
    /// Leave the background as photographed.
    Keep,
    /// Replace it with the spec's colour (only where the spec allows edits).
    Replace,
    /// Replace it only when it fails and the spec allows it.
    Auto,
}

impl From<Background> for BackgroundMode {
    fn from(b: Background) -> Self {
        match b {
            Background::Keep => BackgroundMode::Keep,
            Background::Replace => BackgroundMode::Replace,
            Background::Auto => BackgroundMode::Auto,
        }
    }
}

/// What `compose` and `check` share.
#[derive(Debug, Args)]
struct PhotoArgs {
    /// The portrait (JPEG or PNG).
    input: PathBuf,
    /// Spec id, e.g. us-passport (see `passbooth specs`).
    #[arg(long)]
    spec: String,
    /// Print resolution (default: the spec's, 300; 600 supported).
    #[arg(long, value_parser = clap::value_parser!(u32).range(150..=1200))]
    dpi: Option<u32>,
    /// Background handling.
    #[arg(long, value_enum, default_value_t = Background::Auto)]
    background: Background,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

impl PhotoArgs {
    fn into_request(self, output: Option<PathBuf>) -> photo::Request {
        photo::Request {
            input: self.input,
            spec: self.spec,
            output,
            dpi: self.dpi,
            background: self.background.into(),
            json: self.json,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Turn a portrait into a photo that meets a country's rules.
    Compose {
        #[command(flatten)]
        photo: PhotoArgs,
        /// Where to write the photo (.jpg, .jpeg or .png).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Report whether a portrait can make a compliant photo, writing nothing.
    Check {
        #[command(flatten)]
        photo: PhotoArgs,
    },
    /// List the country specs, or show one.
    Specs {
        /// Spec id to show.
        id: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Parses the arguments, runs the command, and maps the outcome to an exit
/// status; every error is one line on stderr.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("passbooth: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let assets = photo::Assets {
        specs: cli.specs,
        models: cli.models,
    };
    match cli.command {
        Command::Compose { photo, output } => {
            photo::run(&assets, &photo.into_request(Some(output)))
        }
        Command::Check { photo } => photo::run(&assets, &photo.into_request(None)),
        Command::Specs { id, json } => specs::run(assets.specs.as_deref(), id.as_deref(), json),
    }
}
