//! Where the engine puts the crown, the chin and the eyes, against hand
//! marks on the shared development portraits (`tests/fixtures/accuracy/`,
//! how they were marked in its README). Errors are in % of the marked head
//! height, crown and chin measured along the face's own vertical (a head
//! too tall or too short is what a passport office refuses).

use std::path::Path;

use passbooth::compose::crown::CrownSource;
use passbooth::compose::layout::FacePoints;
use passbooth::engine::report::Timings;
use passbooth::engine::{BackgroundMode, Engine, Options};
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::geometry::Point;
use passbooth::imaging::warp::Crop;
use passbooth::spec::Spec;

use crate::common::*;

/// The goal for crown and chin: mean and worst error, % of head height
/// (on a 32-36 mm Schengen head, 5 % is the whole tolerance).
const GOAL: (f64, f64) = (2.0, 5.0);
/// Eye centres: mean and worst distance, % of head (what the mesh gives
/// today, with a little room for the models' noise).
const EYES: (f64, f64) = (1.6, 4.8);
/// The held-out faces (marked after the crown and chin searches were
/// tuned, never tuned on): what the engine does there today, with a little
/// room, so it cannot get worse unseen. Not the goal: one chin is 8 % off.
const HELD_OUT: (f64, f64) = (3.0, 9.0);
/// Eyes on the held-out faces (small faces, one laughing behind glasses).
const HELD_OUT_EYES: (f64, f64) = (2.5, 6.0);

/// One marked face.
#[derive(Clone)]
pub struct Marks {
    pub file: String,
    pub crop: Option<[u32; 4]>,
    crown: Option<Point>,
    chin: Option<Point>,
    /// The image's left and right eye.
    eyes: [Point; 2],
    pub glasses: bool,
    /// Marked after the searches were tuned (`held-out`), or tuned on.
    held_out: bool,
}

pub fn read_marks() -> Vec<Marks> {
    let text = std::fs::read_to_string(repo("tests/fixtures/accuracy/marks.tsv")).unwrap();
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split('\t').collect();
    assert_eq!(
        header[..12],
        [
            "file",
            "crop",
            "crown_x",
            "crown_y",
            "chin_x",
            "chin_y",
            "right_eye_x",
            "right_eye_y",
            "left_eye_x",
            "left_eye_y",
            "glasses",
            "set"
        ]
    );
    rows.map(|line| {
        let f: Vec<&str> = line.split('\t').collect();
        let point = |i: usize| {
            let (x, y) = (f[i], f[i + 1]);
            (!x.is_empty()).then(|| Point::new(x.parse().unwrap(), y.parse().unwrap()))
        };
        let crop = (!f[1].is_empty()).then(|| {
            let v: Vec<u32> = f[1].split(' ').map(|v| v.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        });
        Marks {
            file: f[0].to_string(),
            crop,
            crown: point(2),
            chin: point(4),
            eyes: [point(6).unwrap(), point(8).unwrap()],
            glasses: f[10] == "yes",
            held_out: match f[11] {
                "dev" => false,
                "held-out" => true,
                other => panic!("set {other:?}: dev or held-out"),
            },
        }
    })
    .collect()
}

/// The `[x, y, w, h]` part of `img`, pixel for pixel.
pub fn cropped(img: &RgbImage, [x, y, w, h]: [u32; 4]) -> RgbImage {
    let (w, h) = (w as f32, h as f32);
    let crop = Crop {
        center: Point::new(x as f32 + w / 2.0, y as f32 + h / 2.0),
        width: w,
        height: h,
        angle: 0.0,
    };
    resample(img, crop, w as u32, h as u32)
}

/// `img` turned by `deg` degrees as `common::rotated` turns it, but with
/// the corners filled by the picture's own edge pixels drawn out: a flat
/// grey fill beside the hair is a background no camera sees. Returns the
/// crop that turned it and the picture.
fn turned_picture(img: &RgbImage, deg: f32) -> (Crop, RgbImage) {
    let (crop, cw, ch) = turning(img.width(), img.height(), deg);
    let out = passbooth::imaging::warp::resample(img, &crop, cw, ch, None);
    (crop, out)
}

/// The engine's points for the marked face, in the file's pixels, and the
/// marks moved the same way when the picture is turned by `deg`.
fn measure(
    engine: &mut Engine,
    spec: &Spec,
    dir: &Path,
    m: &Marks,
    deg: f32,
) -> Option<(FacePoints, Marks, Option<f64>)> {
    let whole = decode_file(&dir.join(&m.file)).unwrap();
    let (img, origin) = match m.crop {
        Some(c) => (cropped(&whole, c), Point::new(c[0] as f32, c[1] as f32)),
        None => (whole, Point::new(0.0, 0.0)),
    };
    let (img, origin, m) = if deg == 0.0 {
        (img, origin, m.clone())
    } else {
        // Marks into the crop, then turned with it; compared there.
        let (crop, turned) = turned_picture(&img, deg);
        let (cw, ch) = (turned.width(), turned.height());
        let move_ = |p: Point| crop.output_of(p.minus(origin), cw, ch);
        let moved = Marks {
            crown: m.crown.map(move_),
            chin: m.chin.map(move_),
            eyes: m.eyes.map(move_),
            ..m.clone()
        };
        (turned, Point::new(0.0, 0.0), moved)
    };
    let opts = Options {
        dpi: spec.dpi,
        background: BackgroundMode::Keep,
    };
    let a = engine
        .process(&img, spec, &opts, &mut Timings::default())
        .unwrap();
    let planned_head_mm = a.layout.as_ref().map(|l| l.head_mm);
    let (p, _source): (FacePoints, CrownSource) = a.points?;
    let shift = |q: Point| Point::new(q.x + origin.x, q.y + origin.y);
    let points = FacePoints {
        eye_image_left: shift(p.eye_image_left),
        eye_image_right: shift(p.eye_image_right),
        chin: shift(p.chin),
        crown: shift(p.crown),
        face_width: p.face_width,
    };
    Some((points, m, planned_head_mm))
}

/// Mean and largest of `v`.
fn summary(v: &[f64]) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    (mean, v.iter().copied().fold(0.0, f64::max))
}

/// Errors of one set of faces: (crown, chin, eyes), each (mean, worst) in
/// % of head.
type Errors = [(f64, f64); 3];

/// Errors on every marked face turned by `deg`, printed face by face: the
/// dev faces' and the held-out faces'. Also prints how far from the spec's
/// planned head height (US: the middle of 25-35 mm) the real head lands.
fn evaluate(dir: &Path, deg: f32) -> [Errors; 2] {
    let marks = read_marks();
    let spec = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let mut engine = Engine::load(&repo("models")).unwrap();

    // Head height where a mark is missing (hair cut by the frame, a hand
    // over the chin): from the eye line, by the marked faces' own mean
    // proportion of eyes-to-chin in head height.
    let complete: Vec<f64> = marks
        .iter()
        .filter_map(|m| {
            let (crown, chin) = (m.crown?, m.chin?);
            let eye_y = f64::from(m.eyes[0].mid(m.eyes[1]).y);
            Some((f64::from(chin.y) - eye_y) / f64::from(chin.y - crown.y))
        })
        .collect();
    let below_eyes = summary(&complete).0;

    let mut errs: [[Vec<f64>; 3]; 2] = Default::default();
    let mut head_mm_off = Vec::new();
    let mut lost = Vec::new();
    println!(
        "{:<48} {:>7} {:>7} {:>7}   (% of head; + = below the mark)",
        "face", "crown", "chin", "eyes"
    );
    for m in &marks {
        let mid = m.eyes[0].mid(m.eyes[1]);
        let head = match (m.crown, m.chin) {
            (Some(c), Some(n)) => f64::from(n.y - c.y),
            (None, Some(n)) => f64::from(n.y - mid.y) / below_eyes,
            (Some(c), None) => f64::from(mid.y - c.y) / (1.0 - below_eyes),
            (None, None) => {
                f64::from(m.eyes[0].dist(m.eyes[1])) * 2.9 // typical head / eye distance
            }
        };
        let Some((p, m, planned_mm)) = measure(&mut engine, &spec, dir, m, deg) else {
            lost.push(m.file.clone());
            continue;
        };
        let m = &m;
        // The face's own downward direction: perpendicular to the eye line.
        let (ex, ey) = (m.eyes[1].x - m.eyes[0].x, m.eyes[1].y - m.eyes[0].y);
        let len = (ex * ex + ey * ey).sqrt();
        let down = (-ey / len, ex / len);
        let along = |got: Point, want: Point| {
            100.0 * f64::from((got.x - want.x) * down.0 + (got.y - want.y) * down.1) / head
        };
        let crown = m.crown.map(|c| along(p.crown, c));
        let chin = m.chin.map(|c| along(p.chin, c));
        let eyes = [
            p.eye_image_left.dist(m.eyes[0]),
            p.eye_image_right.dist(m.eyes[1]),
        ]
        .map(|d| 100.0 * f64::from(d) / head);
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:+.1}"));
        let name = match m.crop {
            Some(c) => format!("{} @{},{}", m.file, c[0], c[1]),
            None => m.file.clone(),
        };
        println!(
            "{name:<48} {:>7} {:>7} {:>7.1}{}",
            show(crown),
            show(chin),
            eyes[0].max(eyes[1]),
            if m.glasses { "  glasses" } else { "" }
        );
        // The photo scales the engine's head to the planned height; the
        // real head is off by the crown's and the chin's errors together.
        if let (Some(c), Some(n), Some(mm)) = (crown, chin, planned_mm) {
            head_mm_off.push(mm * (c - n).abs() / 100.0);
        }
        let set = &mut errs[usize::from(m.held_out)];
        set[0].extend(crown.map(f64::abs));
        set[1].extend(chin.map(f64::abs));
        set[2].extend(eyes);
    }
    let [dev, held] = &errs;
    println!(
        "turned {deg} degrees: faces {} ({} held out; crown marked on {}, chin on {}); lost: {lost:?}",
        marks.len(),
        marks.iter().filter(|m| m.held_out).count(),
        dev[0].len() + held[0].len(),
        dev[1].len() + held[1].len()
    );
    let (mean, worst) = summary(&head_mm_off);
    println!(
        "real head height off the planned one (US passport, {} faces with crown and chin): mean {mean:.2} mm, worst {worst:.2} mm",
        head_mm_off.len()
    );
    assert!(lost.is_empty(), "no face measured on {lost:?}");
    assert!(marks.len() >= 40, "{} marked faces", marks.len());
    errs.map(|[crown, chin, eyes]| [summary(&crown), summary(&chin), summary(&eyes)])
}

/// Prints each of `[crown, chin, eyes]` of the dev faces and the held-out
/// ones, and fails on any over its bound.
fn judge([dev, held]: [Errors; 2]) {
    let mut over = Vec::new();
    println!("dev faces:");
    check_bounds(dev, [GOAL, GOAL, EYES], &mut over);
    println!("held-out faces:");
    check_bounds(held, [HELD_OUT, HELD_OUT, HELD_OUT_EYES], &mut over);
    assert!(over.is_empty(), "over the bounds: {over:?}");
}

fn check_bounds(errors: Errors, bounds: Errors, over: &mut Vec<String>) {
    for ((what, (mean, worst)), bound) in ["crown", "chin", "eyes"]
        .into_iter()
        .zip(errors)
        .zip(bounds)
    {
        println!(
            "{what}: mean {mean:.2} %, worst {worst:.2} % (at most {} and {})",
            bound.0, bound.1
        );
        if mean > bound.0 || worst > bound.1 {
            over.push(format!("{what}: mean {mean:.2} %, worst {worst:.2} %"));
        }
    }
}

#[test]
fn crown_chin_and_eyes_against_hand_marks() {
    if let Some(dir) = shared_portraits("accuracy on the marked portraits is measured on the host")
    {
        judge(evaluate(&dir, 0.0));
    }
}

#[test]
fn the_same_faces_turned_6_degrees_either_way() {
    if let Some(dir) = shared_portraits("accuracy on the marked portraits is measured on the host")
    {
        for deg in [6.0, -6.0] {
            judge(evaluate(&dir, deg));
        }
    }
}
