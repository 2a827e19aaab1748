#!/usr/bin/env python3
"""Times MediaPipe's own Python face detection on the frames our benchmark uses.

Run by `cargo bench --bench engine` (through scripts/bench-mediapipe's venv):
prints one JSON object with the median milliseconds per frame, measured the
way ours is: one call per frame, preprocessing (resize, normalise) included.
"""
import argparse, json, pathlib, statistics, time

import mediapipe as mp
import numpy as np
from PIL import Image


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=pathlib.Path, required=True)
    ap.add_argument("--runs", type=int, default=300)
    args = ap.parse_args()
    frames = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(args.frames.glob("*.png"))]
    det = mp.solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5)
    found = sum(1 for f in frames if det.process(f).detections)
    for f in frames * 3:  # warm-up
        det.process(f)
    times = []
    for i in range(args.runs):
        f = frames[i % len(frames)]
        t = time.perf_counter()
        det.process(f)
        times.append((time.perf_counter() - t) * 1000.0)
    print(json.dumps({"median_ms": statistics.median(times), "frames": len(frames),
                      "frames_with_face": found, "runs": args.runs, "mediapipe": mp.__version__}))


if __name__ == "__main__":
    main()
