#!/usr/bin/env python3
"""Time `followup import --dry-run FILE` in cold processes, as an admin runs it.

Usage: bench/coldimport.py FOLLOWUP RUNS FILE...

One warm-up run per file (the compiled PDFium in the cache folder), then RUNS
runs; prints the median and range of the wall clock, the median CPU time of the
process (user + system, from wait4) and its peak RSS. hyperfine is not
installed here; this measures the same things.
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[2])
    followup, runs = sys.argv[1], int(sys.argv[2])
    for f in sys.argv[3:]:
        cmd = [followup, "import", "--dry-run", f]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall, cpu, rss = [], [], 0
        for _ in range(runs):
            t = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            wall.append((time.perf_counter() - t) * 1000)
            if status != 0:
                sys.exit(f"{' '.join(cmd)}: exit status {status}")
            cpu.append((ru.ru_utime + ru.ru_stime) * 1000)
            rss = max(rss, ru.ru_maxrss)
        print(f"{os.path.basename(f)}: wall median {statistics.median(wall):.1f} ms "
              f"({min(wall):.1f}-{max(wall):.1f}), CPU median {statistics.median(cpu):.1f} ms, "
              f"peak RSS {rss / 1024:.1f} MiB, {runs} runs")


if __name__ == "__main__":
    main()
