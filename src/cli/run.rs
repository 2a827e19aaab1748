//! `passbooth run`: the booth's command line; the booth itself runs in the
//! daemon (`daemon::run`).

use std::path::{Path, PathBuf};

use crate::config::settings::Overrides;
use crate::daemon::{self, Launch};
use crate::session::prompts::Language;

/// Options of `run`: the command line arguments themselves.
#[derive(Debug, clap::Args)]
pub(super) struct RunOptions {
    /// Simulate camera, screen and button.
    #[arg(long)]
    pub simulate: bool,
    /// The booth's config file (default /etc/passbooth/passbooth.toml;
    /// optional with --simulate).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Camera frames to replay (a folder of JPEG/PNG) instead of the
    /// camera; with --simulate the default is the built-in portrait
    /// stepping into view.
    #[arg(long, value_name = "DIR", conflicts_with = "libcamera")]
    pub frames: Option<PathBuf>,
    /// Use the libcamera camera with --simulate too (an emulated Pi with
    /// libcamera's virtual camera; builds with the `libcamera` feature).
    #[arg(long, requires = "simulate")]
    pub libcamera: bool,
    /// PNG file the screen is mirrored to (it shows the live face: nothing
    /// is written unless named; on exit it is left blank).
    #[arg(long, value_name = "PATH", requires = "simulate")]
    pub screen: Option<PathBuf>,
    /// IPP printer URI; without it sheets go to --print-dir.
    #[arg(long, value_name = "URI")]
    pub printer: Option<String>,
    /// Folder for sheets when no printer is given (without either, a
    /// simulated sheet is not kept).
    #[arg(long, value_name = "DIR")]
    pub print_dir: Option<PathBuf>,
    /// Spec id (default: the config's, else us-passport).
    #[arg(long)]
    pub spec: Option<String>,
    /// Paper (default: the config's, else 4x6).
    #[arg(long)]
    pub media: Option<String>,
    /// Screen language: en, de, fr, es, it, pl, tr or uk (default: the config's, else en).
    #[arg(long, value_parser = super::parse_lang)]
    pub lang: Option<Language>,
    /// Read button lines from this unix socket instead of stdin.
    #[arg(long, value_name = "PATH", requires = "simulate")]
    pub button_socket: Option<PathBuf>,
    /// Also show the screen in a window (space: press, L: long, Esc:
    /// quit); needs a display and the `window` build feature.
    #[arg(long, requires = "simulate")]
    pub window: bool,
}

impl RunOptions {
    /// What the daemon is to do, in its own terms.
    fn launch(self, specs: Option<&Path>, models: Option<&Path>) -> Launch {
        Launch {
            simulate: self.simulate,
            config: self.config,
            frames: self.frames,
            libcamera: self.libcamera,
            screen: self.screen,
            printer: self.printer,
            print_dir: self.print_dir,
            overrides: Overrides {
                spec: self.spec,
                media: self.media,
                lang: self.lang,
            },
            button_socket: self.button_socket,
            window: self.window,
            specs: specs.map(Path::to_path_buf),
            models: models.map(Path::to_path_buf),
        }
    }
}

pub(super) fn run(
    specs: Option<&Path>,
    models: Option<&Path>,
    o: RunOptions,
) -> anyhow::Result<u8> {
    daemon::run(o.launch(specs, models))
}
