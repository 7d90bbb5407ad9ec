#!/usr/bin/env python3
"""Writes the folder dataset behind docs/visualization.md: 64x64 RGB PNGs of faint noise holding one 14x14 shape,
a plus ("cross"), a hollow square ("square") or nothing ("none"), plus an "X" distractor of no class elsewhere.
Usage: python3 make_shapes.py OUT [--train 200] [--validation 60] [--seed 1]
Also writes OUT/scene_cross.png and OUT/scene_square.png: the evidence in one corner, the X in the opposite one."""
import argparse, os, random
from PIL import Image

SIZE, SHAPE = 64, 14

def draw(pixels, kind, top, left):
    for dy in range(SHAPE):
        for dx in range(SHAPE):
            on = {"cross": dy in (SHAPE // 2 - 1, SHAPE // 2) or dx in (SHAPE // 2 - 1, SHAPE // 2),
                  "square": min(dy, dx) < 2 or max(dy, dx) >= SHAPE - 2,
                  "x": abs(dy - dx) < 2 or abs(dy - (SHAPE - 1 - dx)) < 2}[kind]
            if on:
                pixels[left + dx, top + dy] = (255, 255, 255)

def image(rng, kind, evidence=None, distractor=None):
    img = Image.new("RGB", (SIZE, SIZE))
    px = img.load()
    for y in range(SIZE):
        for x in range(SIZE):
            v = int(40 * rng.random())
            px[x, y] = (v, v, v)
    while evidence is None or distractor is None:
        a = (rng.randrange(SIZE - SHAPE + 1), rng.randrange(SIZE - SHAPE + 1))
        b = (rng.randrange(SIZE - SHAPE + 1), rng.randrange(SIZE - SHAPE + 1))
        if abs(a[0] - b[0]) >= SHAPE + 4 or abs(a[1] - b[1]) >= SHAPE + 4:
            evidence, distractor = a, b
    if kind != "none":
        draw(px, kind, *evidence)
    draw(px, "x", *distractor)
    return img

def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--train", type=int, default=200)
    p.add_argument("--validation", type=int, default=60)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    for split, n in (("train", a.train), ("validation", a.validation)):
        for kind in ("cross", "none", "square"):
            d = os.path.join(a.out, split, kind)
            os.makedirs(d, exist_ok=True)
            for i in range(n):
                image(rng, kind).save(os.path.join(d, f"{kind}.{i}.png"))
    image(rng, "cross", (6, 8), (42, 44)).save(os.path.join(a.out, "scene_cross.png"))
    image(rng, "square", (44, 40), (6, 6)).save(os.path.join(a.out, "scene_square.png"))

if __name__ == "__main__":
    main()
