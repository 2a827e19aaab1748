//! The stream plan on camera descriptions (`tests/fixtures/cameras/`): what
//! the booth asks each camera for.

use passbooth::capture::pixels::Layout;
use passbooth::capture::plan::{CameraOffer, StreamChoice, plan};

use crate::common::*;

fn offer(file: &str) -> CameraOffer {
    let path = repo(&format!("tests/fixtures/cameras/{file}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut cameras: Vec<CameraOffer> = serde_json::from_str(&text).unwrap();
    assert_eq!(cameras.len(), 1, "{file}");
    cameras.remove(0)
}

fn choice(layout: Layout, size: (u32, u32)) -> StreamChoice {
    StreamChoice { layout, size }
}

#[test]
fn each_camera_gets_a_full_yuv_still_and_a_viewfinder_of_its_shape() {
    let cases = [
        // The only format the virtual camera gives, at its sizes (the
        // emulated session runs on exactly this).
        (
            "virtual-libcamera-0.7.1.json",
            choice(Layout::Nv12, (640, 480)),
            choice(Layout::Nv12, (1600, 1200)),
        ),
        // Camera Module 3 is 16:9: a 4:3 viewfinder would show a picture
        // the still does not take. The ISP gives RGB in our byte order.
        (
            "pi5-imx708-derived.json",
            choice(Layout::Bgr888, (640, 360)),
            choice(Layout::Nv12, (4608, 2592)),
        ),
        // The HQ camera is 4:3 (4056 x 3040: 479.7 rows, rounded).
        (
            "pi5-imx477-derived.json",
            choice(Layout::Bgr888, (640, 480)),
            choice(Layout::Nv12, (4056, 3040)),
        ),
        // Camera Module 2 is 3280 x 2464, a little wider than 4:3: the
        // height binds (638.96 wide, on the PiSP's even steps).
        (
            "pi5-imx219-derived.json",
            choice(Layout::Bgr888, (638, 480)),
            choice(Layout::Nv12, (3280, 2464)),
        ),
        // A Pi 4's ISP steps RGB widths by one pixel.
        (
            "pi4-imx219-derived.json",
            choice(Layout::Bgr888, (639, 480)),
            choice(Layout::Nv12, (3280, 2464)),
        ),
        (
            "pi4-imx708-derived.json",
            choice(Layout::Bgr888, (640, 360)),
            choice(Layout::Nv12, (4608, 2592)),
        ),
        (
            "pi4-imx477-derived.json",
            choice(Layout::Bgr888, (640, 480)),
            choice(Layout::Nv12, (4056, 3040)),
        ),
    ];
    for (file, viewfinder, still) in cases {
        let p = plan(&offer(file), (640, 480), None).unwrap();
        assert_eq!((p.viewfinder, p.still), (viewfinder, still), "{file}");
    }
    // Every description in the folder makes a plan.
    for entry in std::fs::read_dir(repo("tests/fixtures/cameras")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(plan(&offer(&name), (640, 480), None).is_ok(), "{name}");
        }
    }
}

#[test]
fn the_config_bounds_the_viewfinder_and_may_name_the_still() {
    let imx708 = offer("pi5-imx708-derived.json");
    let p = plan(&imx708, (800, 600), None).unwrap();
    assert_eq!(p.viewfinder.size, (800, 450));
    // A 4:3 still from the 16:9 sensor: the viewfinder follows it.
    let p = plan(&imx708, (640, 480), Some((2304, 1728))).unwrap();
    assert_eq!(p.viewfinder.size, (640, 480));
    assert_eq!(p.still.size, (2304, 1728));
    // A still larger than the sensor is refused with what it can give.
    let e = plan(&imx708, (640, 480), Some((8000, 6000))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "[camera] still = (8000, 6000) is not a size this camera gives (it gives (32, 32) to (4608, 2592))"
    );
    // The virtual camera's 640x480 floor holds a smaller bound up.
    let p = plan(&offer("virtual-libcamera-0.7.1.json"), (320, 240), None).unwrap();
    assert_eq!(p.viewfinder.size, (640, 480));
}

#[test]
fn a_pi_4_viewfinder_it_gives_only_in_yuv_is_asked_for_again_in_yuv() {
    // The Pi 4's second ISP output (the smaller stream: the viewfinder)
    // gives YUV only, though the role lists RGB; the pipeline settles an
    // RGB request on its own first format, which may be one we cannot read.
    let imx219 = offer("pi4-imx219-derived.json");
    let p = plan(&imx219, (640, 480), None).unwrap();
    assert_eq!(
        p.viewfinder_in_yuv(&imx219),
        Some(choice(Layout::Nv12, (638, 480)))
    );
    // The still is the larger stream (the main output): it stays as planned.
    assert_eq!(p.still, choice(Layout::Nv12, (3280, 2464)));
}
