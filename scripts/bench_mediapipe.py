#!/usr/bin/env python3
"""Times MediaPipe's own Python face detection on the frames our benchmark uses.

Driven by `cargo bench --bench engine`: it loads the frames and MediaPipe once,
then for every line "N" on stdin times N calls (one frame each, cycling, with
MediaPipe's own resize and normalisation included, as ours is) and answers one
JSON line with the per-call milliseconds. The Rust side alternates rounds of
its own detector with rounds of this one, so machine noise hits both alike.
"""
import argparse, json, pathlib, sys, time

import mediapipe as mp
import numpy as np
from PIL import Image


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=pathlib.Path, required=True)
    args = ap.parse_args()
    frames = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(args.frames.glob("*.png"))]
    det = mp.solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5)
    found = sum(1 for f in frames if det.process(f).detections)
    for f in frames * 3:  # warm-up
        det.process(f)
    print(json.dumps({"ready": True, "frames": len(frames), "frames_with_face": found,
                      "mediapipe": mp.__version__}), flush=True)
    i = 0
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            f = frames[i % len(frames)]
            i += 1
            t = time.perf_counter()
            det.process(f)
            times.append((time.perf_counter() - t) * 1000.0)
        print(json.dumps({"ms": times}), flush=True)


if __name__ == "__main__":
    main()
