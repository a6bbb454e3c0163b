"""Benchmark: nearest-N emergency resources — the service's vectorised ranking vs a plain
per-resource Python haversine loop with ``heapq.nsmallest``.

    python bench/emergency_nearby.py [--resources 20000] [--queries 500] [--n 10] [--seed 3717]

Resources and query points are drawn uniformly over Heze's bounding box (deterministic seed).
Both rank the same resources for the same points; every answer is compared (same ids, same
order, distances within 0.01 m). The last line is ``emergency nearby: <ratio>x python loop``
(queries/s of ``nearby.rank`` over queries/s of the loop).
"""

from __future__ import annotations

import argparse
import heapq
import time
from random import Random

import numpy as np

from mudan.domains.emergency.nearby import rank
from mudan.domains.emergency.where import haversine_m

BBOX = (114.8, 34.6, 116.4, 35.9)  # Heze, lon/lat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=3717)
    args = ap.parse_args()
    rng = Random(args.seed)

    def point() -> tuple[float, float]:
        return rng.uniform(BBOX[0], BBOX[2]), rng.uniform(BBOX[1], BBOX[3])

    pts = [point() for _ in range(args.resources)]
    codes = [f"R{i:06d}" for i in range(args.resources)]
    queries = [point() for _ in range(args.queries)]
    lons, lats = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    code_arr = np.array(codes)

    t0 = time.perf_counter()
    ours = []
    for qlon, qlat in queries:
        order, d = rank(qlon, qlat, lons, lats, code_arr, args.n)
        ours.append([(int(i), float(d[i])) for i in order])
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    loop = []
    for qlon, qlat in queries:
        scored = ((haversine_m(qlon, qlat, x, y), codes[i], i) for i, (x, y) in enumerate(pts))
        loop.append([(i, dist) for dist, _, i in heapq.nsmallest(args.n, scored)])
    t_loop = time.perf_counter() - t0

    mismatches = sum(
        1
        for a, b in zip(ours, loop, strict=True)
        if [i for i, _ in a] != [i for i, _ in b]
        or any(abs(x - y) > 0.01 for (_, x), (_, y) in zip(a, b, strict=True))
    )
    q_ours, q_loop = args.queries / t_ours, args.queries / t_loop
    print(f"resources={args.resources} queries={args.queries} n={args.n}")
    print(f"vectorised rank: {q_ours:,.0f} queries/s ({t_ours:.2f} s)")
    print(f"python loop:     {q_loop:,.0f} queries/s ({t_loop:.2f} s)")
    print(f"answers differing: {mismatches}")
    print(f"emergency nearby: {q_ours / q_loop:.1f}x python loop")


if __name__ == "__main__":
    main()
