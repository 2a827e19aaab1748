//! The detectors on the real runtime: int8 against float, per-frame
//! allocations, and coordinates mapped back to the source.

use passbooth::imaging::RgbImage;
use passbooth::vision::{Detection, FaceDetector, Range};

use crate::alloc;
use crate::common::*;

fn detector(file: &str, range: Range) -> FaceDetector {
    FaceDetector::load(&repo(&format!("models/{file}")), range).expect("model")
}

fn faces(d: &mut FaceDetector, img: &RgbImage) -> Vec<Detection> {
    d.detect(img).expect("detect").to_vec()
}

#[test]
fn int8_detector_finds_the_same_faces_as_float() {
    let mut float = detector("face_detection_short_range.tflite", Range::Short);
    let mut int8 = detector("face_detection_short_range_int8.tflite", Range::Short);
    assert!(int8.is_int8() && !float.is_int8());
    let a = astronaut();
    let fixtures = [
        ("astronaut", astronaut()),
        ("rotated 15", rotated(&a, 15.0)),
        ("two side by side", side_by_side(&head(&a))),
        ("shrunk 2x", shrunk(&a, 2)),
        ("darkened", darkened(&a, 0.3)),
        ("viewfinder centred", viewfinder(&a, 0.0, 0.0)),
        ("viewfinder off to the left", viewfinder(&a, -150.0, 40.0)),
    ];
    let mut compared = 0;
    for (name, img) in &fixtures {
        let f = faces(&mut float, img);
        let q = faces(&mut int8, img);
        assert!(!f.is_empty(), "{name}: float found nothing");
        assert_eq!(f.len(), q.len(), "{name}: float {f:?} int8 {q:?}");
        for ff in &f {
            let best = q.iter().map(|qq| ff.bbox.iou(&qq.bbox)).fold(0.0, f32::max);
            assert!(best >= 0.8, "{name}: IoU {best}");
            compared += 1;
        }
    }
    assert!(compared >= 7);
}

#[test]
fn detection_allocates_nothing_per_frame() {
    let mut d = detector("face_detection_short_range_int8.tflite", Range::Short);
    let f = viewfinder(&astronaut(), 0.0, 0.0);
    faces(&mut d, &f); // warm-up
    let (n, allocs, bytes) = alloc::count(|| d.detect(&f).map(|x| x.len()).unwrap());
    assert_eq!(n, 1);
    // Our path (letterbox, quantise, decode, NMS, mapping) allocates nothing.
    // litert 0.2.1 does, five tiny Vecs per inference: CompiledModel::run
    // collects the input and output handles (8 bytes each), and every
    // TensorBuffer lock reads the tensor's dims into a Vec (16 + 12 + 12).
    assert!(
        allocs <= 5 && bytes <= 64,
        "{allocs} allocations, {bytes} bytes"
    );
}

#[test]
fn boxes_map_back_to_source_pixels() {
    let mut d = detector("face_detection_short_range.tflite", Range::Short);
    let a = astronaut();
    let mut at = |dx, dy| faces(&mut d, &viewfinder(&a, dx, dy))[0];
    let (p, q) = (at(-100.0, -40.0), at(140.0, 40.0));
    let moved = (q.bbox.x - p.bbox.x, q.bbox.y - p.bbox.y);
    assert!(
        (moved.0 - 240.0).abs() < 4.0 && (moved.1 - 80.0).abs() < 4.0,
        "{moved:?}"
    );
    assert!((q.bbox.w - p.bbox.w).abs() < 4.0);
}

#[test]
fn wipe_leaves_no_trace_of_the_frame_in_the_tensors() {
    for (file, range) in [
        ("face_detection_short_range_int8.tflite", Range::Short),
        ("face_detection_full_range.tflite", Range::Full),
    ] {
        let mut d = detector(file, range);
        assert_eq!(faces(&mut d, &viewfinder(&astronaut(), 0.0, 0.0)).len(), 1);
        assert!(
            !d.is_wiped().unwrap(),
            "{file}: a frame must leave values behind"
        );
        d.wipe().unwrap();
        assert!(d.is_wiped().unwrap(), "{file}");
    }
}

#[test]
fn both_live_detectors_pass_the_start_up_known_answer_test() {
    for (file, range) in [
        ("face_detection_short_range_int8.tflite", Range::Short),
        ("face_detection_short_range.tflite", Range::Short),
    ] {
        let mut d = detector(file, range);
        assert!(
            passbooth::booth::sees_the_reference_face(&mut d).unwrap(),
            "{file}"
        );
    }
    // The booth measures both and runs the faster; both see the face here,
    // so the choice is int8 unless the float one is faster by over 10%.
    let live = passbooth::booth::LiveModels::load(&repo("models")).unwrap();
    let choice = live.choice();
    assert_eq!(choice.trials.len(), 2, "{choice}");
    assert!(
        choice
            .trials
            .iter()
            .all(|t| t.sees_the_face && t.median_ms > 0.0),
        "{choice}"
    );
    let (int8, float) = (&choice.trials[0], &choice.trials[1]);
    assert_eq!(int8.file, "face_detection_short_range_int8.tflite");
    let want = if float.median_ms < int8.median_ms * 0.9 {
        float.file
    } else {
        int8.file
    };
    assert_eq!(choice.file, want, "{choice}");
    // What the check relies on: no face, no detection.
    let mut d = detector("face_detection_short_range.tflite", Range::Short);
    let empty = passbooth::imaging::RgbImage::black(640, 480);
    assert!(d.detect(&empty).unwrap().is_empty());
}

#[test]
fn the_simulated_sitter_in_place_is_ready_for_either_live_detector() {
    use passbooth::session::guide::{Guide, Overlay};
    use passbooth::session::prompts::Prompt;
    let spec = passbooth::spec::Spec::load(&repo("specs/us-passport.toml")).unwrap();
    // Noise on her shoulder, far from her face: nothing a person would call
    // a change. The frames are made once for both detectors.
    let frames: Vec<_> = (1..=16u64)
        .map(|seed| {
            let (still, _) = crate::residue::marked_still_from(seed);
            (seed, passbooth::capture::replay::viewfinder_of(&still))
        })
        .collect();
    for file in passbooth::booth::CANDIDATES {
        let mut d = detector(file, Range::Short);
        for (seed, frame) in &frames {
            let (w, h) = (frame.width(), frame.height());
            let mut guide = Guide::new(Overlay::new(&spec, w, h), h);
            let found = faces(&mut d, frame);
            // Twice: the first frame has no movement to hold still against.
            guide.advise(&found);
            let (prompt, _) = guide.advise(&found);
            assert_eq!(prompt, Prompt::Ready, "{file}, noise seed {seed}");
        }
    }
}
