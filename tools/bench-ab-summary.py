import re, statistics, sys

rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'(base|main) r(\d+) ([a-z0-9 -]+?)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9]+)\s+([0-9.]+)\s', line)
    if not m:
        continue
    # GFLOP/s: the inverse of the time, with 4 significant digits
    rows.setdefault(m.group(3).strip(), {}).setdefault(m.group(1), []).append(float(m.group(8)))
print("\nMedians of rounds, GFLOP/s (time main/base = GFLOP/s base/main):")
for k, v in rows.items():
    b, a = statistics.median(v.get('base', [0])), statistics.median(v.get('main', [0]))
    print(f"  {k:24s} base {v.get('base')} med {b:.1f} | main {v.get('main')} med {a:.1f} | time main/base {b / a if a else float('nan'):.3f}")
