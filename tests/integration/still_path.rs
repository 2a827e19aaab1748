//! The booth's still path: a camera's NV12 still read by the engine as it
//! is (working copy averaged from the planes, only the crop converted at
//! full scale) makes the photo the whole conversion makes, within stated
//! tolerances.

use passbooth::capture::pixels::{FrameFormat, encode_nv12};
use passbooth::capture::still::CameraStill;
use passbooth::engine::report::Timings;
use passbooth::engine::{Analysis, BackgroundMode, Engine, Options};
use passbooth::imaging::{RgbImage, SecretBuf};
use passbooth::spec::Spec;

use crate::common::*;

/// How far the two paths' crops may lie apart, in source pixels (of a crop
/// about 1,300 px wide: a tenth of an output pixel).
const CROP_TOLERANCE_PX: f32 = 0.5;
/// Mean absolute difference of the two photos, 0-255 levels per channel.
const MEAN_TOLERANCE: f64 = 0.5;
/// 99 % of the channel values lie within this many levels of each other.
const P99_TOLERANCE: u8 = 5;
/// Share of channel values further apart than [`FAR_LEVELS`]: with the
/// background replaced, the person's outline follows the segmentation mask,
/// which the models compute from the working copy, and moves by a fraction
/// of a pixel (with the background kept, the largest difference is 13).
const FAR_SHARE: f64 = 0.002;
/// See [`FAR_SHARE`].
const FAR_LEVELS: u8 = 12;

fn compose(
    engine: &mut Engine,
    still: &dyn passbooth::imaging::still::Still,
    spec: &Spec,
) -> Analysis {
    let opts = Options {
        dpi: spec.dpi,
        background: BackgroundMode::Auto,
    };
    engine
        .process(still, spec, &opts, &mut Timings::default())
        .expect("engine")
}

#[test]
fn a_yuv_still_makes_the_photo_the_whole_conversion_makes() {
    let spec = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let mut engine = Engine::load(&repo("models")).unwrap();
    // Camera Module 3's 12 MP, and a 4:3 sensor's size.
    for size in [(4608, 2592), (1600, 1200)] {
        let scene = passbooth::booth::demo::in_place_at(&astronaut(), size);
        let mut nv12 = SecretBuf::<u8>::zeroed(FrameFormat::nv12(size.0, size.1).buffer_len());
        let f = encode_nv12(&scene, &mut nv12).unwrap();
        drop(scene);
        let mut whole = RgbImage::black(f.width, f.height);
        f.convert_buffer(&nv12, &mut whole).unwrap();
        let before = compose(&mut engine, &whole, &spec);
        let still = CameraStill::of_buffer(f, &nv12).unwrap();
        let after = compose(&mut engine, &still, &spec);

        assert_eq!(after.reasons(), before.reasons(), "{size:?}");
        assert!(
            before.reasons().is_empty(),
            "{size:?}: {:?}",
            before.reasons()
        );
        let (a, b) = (after.layout.unwrap().crop, before.layout.unwrap().crop);
        let apart = a.center.dist(b.center);
        assert!(
            apart <= CROP_TOLERANCE_PX,
            "{size:?}: crops {apart} px apart"
        );
        assert!(
            (a.width - b.width).abs() <= CROP_TOLERANCE_PX && (a.angle - b.angle).abs() < 1e-3,
            "{size:?}: {a:?} vs {b:?}"
        );
        let (pa, pb) = (after.photo.unwrap(), before.photo.unwrap());
        assert_eq!((pa.width(), pa.height()), (pb.width(), pb.height()));
        let diffs: Vec<u8> = pa
            .as_bytes()
            .iter()
            .zip(pb.as_bytes())
            .map(|(&x, &y)| x.abs_diff(y))
            .collect();
        let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
        let mut sorted = diffs.clone();
        sorted.sort_unstable();
        let p99 = sorted[sorted.len() * 99 / 100];
        let far = diffs.iter().filter(|&&d| d > FAR_LEVELS).count() as f64 / diffs.len() as f64;
        let said = format!(
            "{size:?}: crops {apart:.3} px apart; photos differ by {mean:.3} levels on average, \
             {p99} at the 99th percentile, over {FAR_LEVELS} in {:.3} %",
            far * 100.0
        );
        eprintln!("{said}");
        assert!(
            mean <= MEAN_TOLERANCE && p99 <= P99_TOLERANCE && far <= FAR_SHARE,
            "{said}"
        );
    }
}
