//! `passbooth cameras`: what each camera offers the booth's two streams and
//! the plan the booth makes of it. `--json` records the offers in the form
//! the stream plan's tests read (`tests/fixtures/cameras/`), so a camera
//! the project has never seen can be added from one run on a Pi.

use std::path::Path;

use crate::capture::CameraSettings;

/// The config's `[camera]`, or the defaults when there is no config file.
fn settings(specs: Option<&Path>, config: Option<&Path>) -> anyhow::Result<CameraSettings> {
    Ok(super::optional_config(specs, config)?.map_or_else(CameraSettings::default, |c| c.camera))
}

#[cfg(feature = "libcamera")]
pub(super) fn run(specs: Option<&Path>, config: Option<&Path>, json: bool) -> anyhow::Result<u8> {
    use super::outln;
    let settings = settings(specs, config)?;
    let cameras = crate::capture::libcamera::describe_cameras(&settings)?;
    if json {
        let offers: Vec<_> = cameras.iter().map(|c| &c.offer).collect();
        outln!("{}", serde_json::to_string_pretty(&offers)?)?;
        return Ok(u8::from(cameras.is_empty()));
    }
    if cameras.is_empty() {
        outln!("no camera found")?;
        return Ok(1);
    }
    let mut failed = false;
    for c in &cameras {
        match &c.plan {
            Ok(plan) => outln!("{}: {plan}", c.offer.model)?,
            Err(e) => {
                failed = true;
                outln!("{}: {e}", c.offer.model)?;
            }
        }
    }
    Ok(u8::from(failed))
}

#[cfg(not(feature = "libcamera"))]
pub(super) fn run(specs: Option<&Path>, config: Option<&Path>, _json: bool) -> anyhow::Result<u8> {
    settings(specs, config)?;
    anyhow::bail!("this passbooth is built without libcamera (the Pi package has it)")
}
