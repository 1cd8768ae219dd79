"""Median whole-process wall time of a command, in milliseconds.

    python3 bench/median.py RUNS CMD [ARG...]

Runs CMD once to warm the page cache, then RUNS times; fails if any run exits non-zero.
"""
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = []
for _ in range(runs):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}")
print(f"{statistics.median(times) * 1000:.2f}")
