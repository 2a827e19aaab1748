#!/usr/bin/env python3
"""Marking panels for tests/fixtures/accuracy: a portrait's head with a grid
labelled in source pixels, and zoomed strips of the crown, the eyes and the
chin (needs Pillow).

usage: accuracy-panel.py IMAGE OUT.png CX CY HEAD_H EYE_Y
  CX: the face's middle, CY: halfway between crown and chin, HEAD_H: the
  head's height, EYE_Y: the eye line, all guesses in source pixels (the
  engine's own, from `passbooth check --json`, are good enough)."""
import sys
from PIL import Image, ImageDraw, ImageFont, ImageOps

def nice(v):
    for s in (1, 2, 5, 10, 20, 25, 50, 100):
        if s >= v:
            return s
    return 200

def panel(img, box, width, step, label):
    x0, y0, x1, y1 = [int(round(v)) for v in box]
    crop = img.crop((x0, y0, x1, y1))
    k = width / (x1 - x0)
    crop = crop.resize((width, max(1, int((y1 - y0) * k))), Image.LANCZOS)
    out = Image.new("RGB", (crop.width + 60, crop.height + 30), "white")
    out.paste(crop, (60, 30))
    d = ImageDraw.Draw(out)
    font = ImageFont.load_default()
    g = (x0 // step) * step
    while g <= x1:
        if g >= x0:
            px = 60 + (g - x0) * k
            major = (g // step) % 5 == 0
            d.line([(px, 30), (px, out.height)], fill=(255, 0, 255) if major else (0, 255, 255), width=1)
            if major:
                d.text((px - 12, 2 + (14 if (g // step) % 10 else 0)), str(g), fill="black", font=font)
        g += step
    g = (y0 // step) * step
    while g <= y1:
        if g >= y0:
            py = 30 + (g - y0) * k
            major = (g // step) % 5 == 0
            d.line([(60, py), (out.width, py)], fill=(255, 0, 255) if major else (0, 255, 255), width=1)
            if major or step * k > 25:
                d.text((2, py - 6), str(g), fill="black", font=font)
        g += step
    d.text((out.width - 200, 2), label, fill="red", font=font)
    return out

a = sys.argv
img = ImageOps.exif_transpose(Image.open(a[1])).convert("RGB")
cx, cy, H, ey = float(a[3]), float(a[4]), float(a[5]), float(a[6])
# cy: the middle between crown and chin (our guess); H: head height guess.
top, bot = cy - 0.5 * H, cy + 0.5 * H
big = panel(img, (cx - 0.75 * H, top - 0.3 * H, cx + 0.75 * H, bot + 0.25 * H), 600, nice(H / 12), "head")
fine = nice(H / 40)
crown = panel(img, (cx - 0.45 * H, top - 0.2 * H, cx + 0.45 * H, top + 0.15 * H), 900, fine, "crown")
chin = panel(img, (cx - 0.35 * H, bot - 0.15 * H, cx + 0.35 * H, bot + 0.15 * H), 900, fine, "chin")
eyes = panel(img, (cx - 0.4 * H, ey - 0.08 * H, cx + 0.4 * H, ey + 0.08 * H), 900, fine, "eyes")
W = max(p.width for p in (big, crown, chin, eyes))
Hh = big.height + crown.height + chin.height + eyes.height
out = Image.new("RGB", (W, Hh), "white")
y = 0
for p in (big, crown, eyes, chin):
    out.paste(p, (0, y)); y += p.height
out.save(a[2])
print(out.size)
