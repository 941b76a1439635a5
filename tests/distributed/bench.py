#!/usr/bin/python3
"""Measures clm.distributed against one process (the table of docs/distributed.md).

    CLM_LIBRARY=build/libclm.so PYTHONPATH=bindings/python/src \\
        /usr/bin/python3 tests/distributed/bench.py EVENTS.csv [--as-of 2017-12-31]

Prints, for status, funnel, time-in-stage and forecast: the single process
(the `clm` command: import the whole log, then the analysis), one part of two as a worker runs it
(import its share of the rows, then the partial), each as CPU seconds of this
process (robust on a shared machine) and wall seconds; then the end-to-end wall
time of `clm.distributed` on a LocalCluster of 1 and of 2 workers, and the peak
memory of one process holding the whole log.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import resource
import subprocess
import sys
import time

MODEL = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "data", "crm-pipeline.json")


def timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def single(events: str, as_of: str) -> dict[str, tuple[float, float]]:
    """The `clm` command ($CLM_CLI) per analysis: CPU seconds (user + sys) and wall seconds."""
    res = {}
    for a in ("status", "funnel", "time-in-stage", "forecast"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        subprocess.run([os.environ["CLM_CLI"], a, "--model", MODEL, "--events", events, "--as-of", as_of, "--json"],
                       check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        res[a] = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, time.perf_counter() - w0)
    res["rss_mb"] = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 0.0)
    return res


def part_of_two(events: str, as_of: str, presplit: str | None = None) -> dict[str, tuple[float, float]]:
    import clm

    res = {}
    with clm.Portfolio() as p:
        p.add_model(clm.Model.load(MODEL))
        if presplit:
            _, c, w = timed(lambda: p.import_csv_file(presplit))
        else:
            _, c, w = timed(lambda: p.import_partition([events], as_of, 0, 2))
        res["import"] = (c, w)
        for a in ("status", "funnel", "time-in-stage"):
            _, c, w = timed(lambda: p.partial(a, as_of))
            res[a] = (c, w)
        _, c, w = timed(lambda: p.partial("forecast", as_of, fit=p.partial("forecast-fit", as_of)))
        res["forecast"] = (c, w)
    return res


def cluster(events: list[str], as_of: str, workers: int, presplit: bool = False) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from clm import distributed

    res = {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR) as cl, Client(cl) as c:
        for a in ("status", "funnel", "time-in-stage", "forecast"):
            # A fresh part cache per command: every run reads and imports its rows.
            c.run(lambda: __import__("clm.distributed").distributed._PORTFOLIOS.clear())
            _, _, w = timed(functools.partial(distributed.run_text, a, MODEL, events, as_of, client=c, presplit=presplit))
            res[a] = w
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("--as-of", default="2017-12-31")
    a = ap.parse_args()
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    s = single(a.events, a.as_of)
    from clm import distributed

    split = distributed.split_events([a.events], a.as_of, 2, a.events + ".parts")
    h = part_of_two(a.events, a.as_of)
    hs = part_of_two(a.events, a.as_of, split[0])
    w1 = cluster([a.events], a.as_of, 1)
    w2 = cluster([a.events], a.as_of, 2)
    w2s = cluster(split, a.as_of, 2, presplit=True)
    rss = s["rss_mb"][0]
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    print("| analysis | `clm` command, CPU s | one part of 2 (reads the whole log), CPU s | one part of 2 (presplit), CPU s "
          "| Dask 1 worker, wall s | Dask 2 workers, wall s | Dask 2 workers presplit, wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for x in ("status", "funnel", "time-in-stage", "forecast"):
        print(f"| {x} | {s[x][0]:.1f} | {h['import'][0] + h[x][0]:.1f} | {hs['import'][0] + hs[x][0]:.1f} "
              f"| {w1[x]:.1f} | {w2[x]:.1f} | {w2s[x]:.1f} |")
    print(f"\nimport of one part of 2: {h['import'][0]:.1f} CPU s reading the whole log, {hs['import'][0]:.1f} CPU s presplit")
    print(f"peak memory of the clm command holding the whole log: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
