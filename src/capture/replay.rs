//! A camera that plays back pictures: each scene is a full-resolution image
//! (the still) and the viewfinder frame made from it, looped in order.

use std::path::{Path, PathBuf};

use super::still::CameraStill;
use super::{CaptureError, FrameSource};
use crate::imaging::RgbImage;
use crate::imaging::decode::decode_file;
use crate::imaging::geometry::Point;
use crate::imaging::warp::Crop;
use crate::imaging::warp::resample;

/// Viewfinder size, as the Pi camera's low-resolution stream.
pub const VIEWFINDER: (u32, u32) = (640, 480);

/// One scene in front of the simulated lens.
enum Scene {
    /// Pictures held in memory (the demo's and the tests' own): the
    /// simulated world itself, kept for the whole run.
    Image {
        /// The full-resolution still.
        still: RgbImage,
        /// Its viewfinder frame.
        viewfinder: RgbImage,
    },
    /// A file (a folder of camera images, perhaps of a real person): the
    /// world is on disk, and what is made from it in memory is camera
    /// memory, wiped at the end of every session.
    File(PathBuf),
}

/// What happens after the last scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playback {
    /// Start again (a folder of frames in simulation).
    Loop,
    /// Stay on the last scene (a scripted arrival: the person stays put).
    HoldLast,
}

/// Plays back scenes, advancing one scene every `frames_per_scene` frames.
///
/// Like a camera, it hands out frames from a buffer of its own (the scene
/// is copied in), so the booth's wipe at the end of a session has the same
/// thing to zero here as on the real camera.
pub struct ReplaySource {
    scenes: Vec<Scene>,
    /// The frame the booth reads.
    out: RgbImage,
    /// The viewfinder frame of the file scene in view (scene index, frame),
    /// made when it comes into view.
    file_frame: Option<(usize, RgbImage)>,
    frame: usize,
    frames_per_scene: usize,
    playback: Playback,
}

impl std::fmt::Debug for ReplaySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReplaySource({} scenes)", self.scenes.len())
    }
}

/// The viewfinder frame of a still: the whole still, scaled to cover the
/// viewfinder and centred, as a camera's preview stream shows it.
pub fn viewfinder_of(still: &RgbImage) -> RgbImage {
    let (vw, vh) = VIEWFINDER;
    let scale = (still.width() as f32 / vw as f32).min(still.height() as f32 / vh as f32);
    let crop = Crop {
        center: Point::new(still.width() as f32 / 2.0, still.height() as f32 / 2.0),
        width: vw as f32 * scale,
        height: vh as f32 * scale,
        angle: 0.0,
    };
    resample(still, &crop, vw, vh, Some([0, 0, 0]))
}

impl ReplaySource {
    /// Scenes from images in memory.
    pub fn from_images(stills: Vec<RgbImage>, frames_per_scene: usize, playback: Playback) -> Self {
        let scenes = stills
            .into_iter()
            .map(|still| Scene::Image {
                viewfinder: viewfinder_of(&still),
                still,
            })
            .collect();
        Self::playing(scenes, frames_per_scene, playback)
    }

    /// A camera before its first frame, in front of `scenes`.
    fn playing(scenes: Vec<Scene>, frames_per_scene: usize, playback: Playback) -> Self {
        Self {
            scenes,
            out: RgbImage::black(VIEWFINDER.0, VIEWFINDER.1),
            file_frame: None,
            frame: 0,
            frames_per_scene: frames_per_scene.max(1),
            playback,
        }
    }

    /// Scenes from every JPEG and PNG in `dir`, in name order.
    pub fn from_dir(dir: &Path, frames_per_scene: usize) -> Result<Self, CaptureError> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| CaptureError::lost_by(dir.display().to_string(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png")
                })
            })
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(CaptureError::lost(format!(
                "no JPEG or PNG frames in {}",
                dir.display()
            )));
        }
        let mut scenes = Vec::with_capacity(paths.len());
        for p in paths {
            // Every file must be readable now (a bad one is found at start,
            // not mid-session); the decoded picture is dropped (wiped).
            decode_file(&p).map_err(|e| CaptureError::corrupt_by(p.display().to_string(), e))?;
            scenes.push(Scene::File(p));
        }
        Ok(Self::playing(scenes, frames_per_scene, Playback::Loop))
    }

    /// A second camera in front of the same scenes, from the first frame:
    /// the pictures are copied, never a frame handed out. Rendering a
    /// walk-in is the slow part of starting a simulated booth (seconds
    /// under emulation); the tests start many booths on one.
    pub fn replica(&self) -> Self {
        let scenes = self
            .scenes
            .iter()
            .map(|s| match s {
                Scene::Image { still, viewfinder } => Scene::Image {
                    still: still.copy(),
                    viewfinder: viewfinder.copy(),
                },
                Scene::File(p) => Scene::File(p.clone()),
            })
            .collect();
        Self::playing(scenes, self.frames_per_scene, self.playback)
    }

    fn scene_index(&self) -> usize {
        let n = self.frame / self.frames_per_scene;
        match self.playback {
            Playback::Loop => n % self.scenes.len(),
            Playback::HoldLast => n.min(self.scenes.len() - 1),
        }
    }

    /// The frame the booth last read (to check that a wipe zeroed it).
    pub fn current_frame(&self) -> &RgbImage {
        &self.out
    }
}

impl FrameSource for ReplaySource {
    fn viewfinder_size(&self) -> (u32, u32) {
        VIEWFINDER
    }

    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        self.frame += 1;
        let i = self.scene_index();
        let frame = match &self.scenes[i] {
            Scene::Image { viewfinder, .. } => viewfinder,
            Scene::File(path) => {
                if self.file_frame.as_ref().is_none_or(|(at, _)| *at != i) {
                    let still = decode_file(path)
                        .map_err(|e| CaptureError::corrupt_by(path.display().to_string(), e))?;
                    self.file_frame = Some((i, viewfinder_of(&still)));
                }
                match &self.file_frame {
                    Some((_, f)) => f,
                    None => return Err(CaptureError::corrupt("no frame")),
                }
            }
        };
        self.out.as_bytes_mut().copy_from_slice(frame.as_bytes());
        Ok(&self.out)
    }

    fn wipe(&mut self) {
        self.out.wipe();
        // Dropped: a SecretBuf, zeroed on drop.
        self.file_frame = None;
    }

    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        let img = match &self.scenes[self.scene_index()] {
            Scene::File(p) => {
                decode_file(p).map_err(|e| CaptureError::corrupt_by(p.display().to_string(), e))?
            }
            Scene::Image { still: img, .. } => img.copy(),
        };
        Ok(img.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(w: u32, h: u32, v: u8) -> RgbImage {
        let mut i = RgbImage::black(w, h);
        i.as_bytes_mut().fill(v);
        i
    }

    #[test]
    fn scenes_advance_and_loop() {
        let scenes = || vec![flat(800, 600, 10), flat(800, 600, 200)];
        let mut src = ReplaySource::from_images(scenes(), 2, Playback::Loop);
        let firsts: Vec<u8> = (0..6)
            .map(|_| src.next_frame().unwrap().get(5, 5)[0])
            .collect();
        // frames 1..=6: scene index (frame / 2) % 2 -> 0,1,1,0,0,1
        assert_eq!(firsts, [10, 200, 200, 10, 10, 200]);
        assert_eq!(src.still().unwrap().to_rgb().unwrap().get(0, 0)[0], 200);
        assert_eq!(src.viewfinder_size(), (640, 480));
        let mut held = ReplaySource::from_images(scenes(), 2, Playback::HoldLast);
        let seen: Vec<u8> = (0..6)
            .map(|_| held.next_frame().unwrap().get(5, 5)[0])
            .collect();
        assert_eq!(seen, [10, 200, 200, 200, 200, 200]);
    }

    #[test]
    fn a_replica_plays_the_same_scenes_from_the_first_frame() {
        let scenes = || vec![flat(80, 60, 10), flat(80, 60, 200), flat(80, 60, 90)];
        let play = |src: &mut ReplaySource| -> Vec<u8> {
            (0..4)
                .map(|_| src.next_frame().unwrap().get(5, 5)[0])
                .collect()
        };
        let fresh = play(&mut ReplaySource::from_images(scenes(), 2, Playback::Loop));
        let mut src = ReplaySource::from_images(scenes(), 2, Playback::Loop);
        src.next_frame().unwrap();
        let mut twin = src.replica();
        assert_eq!(play(&mut twin), fresh);
        // The original goes on where it was.
        assert_eq!(play(&mut src), [200, 200, 90, 90]);
    }

    #[test]
    fn a_file_scenes_frame_is_camera_memory_and_is_wiped() {
        let dir = tempfile::TempDir::new().unwrap();
        crate::imaging::encode::write_file(&flat(800, 600, 90), &dir.path().join("a.png"), 72)
            .unwrap();
        let mut src = ReplaySource::from_dir(dir.path(), 1).unwrap();
        assert!(
            src.file_frame.is_none(),
            "nothing made before the first frame"
        );
        assert_eq!(src.next_frame().unwrap().get(320, 240), [90, 90, 90]);
        assert!(src.file_frame.is_some());
        src.wipe();
        assert!(src.file_frame.is_none());
        assert!(src.current_frame().as_bytes().iter().all(|&b| b == 0));
        // The next session sees the scene again.
        assert_eq!(src.next_frame().unwrap().get(320, 240), [90, 90, 90]);
    }

    #[test]
    fn an_empty_folder_is_a_lost_camera() {
        let dir = tempfile::TempDir::new().unwrap();
        assert!(matches!(
            ReplaySource::from_dir(dir.path(), 1),
            Err(CaptureError::Lost { .. })
        ));
    }
}
