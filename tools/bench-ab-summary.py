# Summary of tools/bench-ab.sh's log: per workload, each build's GFLOP/s per round, their medians, and the median of the
# rounds' paired time ratios (main/base within one round: both builds ran back to back, so a VM's drift between rounds
# cancels out). Usage: python3 tools/bench-ab-summary.py LOG
import re, statistics, sys

rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'(base|main) r(\d+) ([a-z0-9 -]+?)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9]+)\s+([0-9.]+)\s', line)
    if not m:
        continue
    # GFLOP/s: the inverse of the time, with 4 significant digits
    rows.setdefault(m.group(3).strip(), {}).setdefault(m.group(1), {})[int(m.group(2))] = float(m.group(8))
print("\nMedians of rounds, GFLOP/s (time main/base = GFLOP/s base/main):")
for k, v in rows.items():
    base, main = v.get('base', {}), v.get('main', {})
    b, a = statistics.median(base.values() or [0]), statistics.median(main.values() or [0])
    paired = sorted(base[r] / main[r] for r in base if r in main and main[r])
    spread = f" (rounds {paired[0]:.3f}-{paired[-1]:.3f})" if paired else ""
    print(f"  {k:24s} base {list(base.values())} med {b:.1f} | main {list(main.values())} med {a:.1f}"
          f" | time main/base {b / a if a else float('nan'):.3f}, paired {statistics.median(paired) if paired else float('nan'):.3f}{spread}")
