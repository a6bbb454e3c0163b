"""Benchmark: locate and route generated reports vs a plain per-point shapely loop over all grids.

    python bench/routing.py [--n 1000000] [--peer-sample 2000] [--seed 3717]

Builds the Heze region tree at seed scale (167 streets × 6 communities × 4 grids = 4,008 grids,
the same generator as ``mudan demo --scale 1``) in memory, draws N report points over the city's
bounding box (about 45 % fall outside Heze: the manual queue) with a random seed category, then:

* **mudan**: ``Locator.locate`` (STRtree + prepared geometries per level, grid → … → city) and
  ``Router.department`` (the seed routing rules, deepest region first) for every point;
* **peer**: for each point, ``grid.contains(Point(lon, lat))`` over the list of all grids until
  one holds it, then the same router. It takes seconds per thousand points, so it runs on a
  deterministic sample of ``--peer-sample`` points and its rate is extrapolated to N (said so in
  the output). Both give the same grid for every sampled point (checked).

The last line is ``routing: <ratio>x shapely loop (<reports/s> reports/s)``.
"""

from __future__ import annotations

import argparse
import time
from random import Random

from shapely.geometry import Point

from mudan.core.progress import RichReporter
from mudan.domains.cases.categories import SEEDS, routing_rules
from mudan.domains.cases.routing import Placement, Router
from mudan.kernel.geo import Locator, RegionLevel, generate_communities_and_grids, load_base_regions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--peer-sample", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=3717)
    args = ap.parse_args()
    t0 = time.perf_counter()
    base = load_base_regions()
    streets = [r for r in base if r.level == RegionLevel.STREET]
    small = generate_communities_and_grids(streets, args.seed, 6, 4)
    regions = [*base, *small]
    grids = [r for r in small if r.level == RegionLevel.GRID]
    locator = Locator(regions)
    router = Router([(s.code, reg, dept) for s in SEEDS for reg, dept in routing_rules(s)])
    print(f"regions {len(regions)}, grids {len(grids)}, built in {time.perf_counter() - t0:.1f}s")
    city = base[0].geometry
    assert city is not None
    minx, miny, maxx, maxy = city.bounds
    rng = Random(args.seed)
    codes = [s.code for s in SEEDS]
    pts = [
        (rng.uniform(minx, maxx), rng.uniform(miny, maxy), rng.choice(codes)) for _ in range(args.n)
    ]

    routed = manual = 0
    t = time.perf_counter()
    with RichReporter().task("locate + route", args.n) as task:
        for i, (lon, lat, cat) in enumerate(pts):
            dept = router.department(cat, Placement.of(locator.locate(lon, lat)))
            if dept is None:
                manual += 1
            else:
                routed += 1
            if i % 10_000 == 9_999:
                task.advance(10_000)
    ours = time.perf_counter() - t
    ours_rate = args.n / ours
    print(
        f"mudan: {args.n:,} reports in {ours:.1f}s = {ours_rate:,.0f} reports/s "
        f"(routed {routed:,}, manual queue {manual:,})"
    )

    sample = pts[:: max(1, args.n // args.peer_sample)][: args.peer_sample]
    grid_of = {g.code: g for g in grids}
    chains = {g.code: g for g in regions}
    t = time.perf_counter()
    agree = 0
    for lon, lat, cat in sample:
        p = Point(lon, lat)
        hit = next((g for g in grids if g.geometry is not None and g.geometry.contains(p)), None)
        path = None
        if hit is not None:
            parts, code = [], hit.code
            while code is not None:
                parts.append(code)
                code = chains[code].parent_code
            path = "/".join(reversed(parts))
        if path:
            router.department(cat, Placement(None, None, None, None, path, True))
        found = locator.locate(lon, lat)
        mine = found.grid.code if found and found.grid else None
        agree += (hit.code if hit else None) == mine or (hit is None and mine is None)
    peer = time.perf_counter() - t
    peer_rate = len(sample) / peer
    assert len(grid_of) == len(grids)
    print(
        f"peer (shapely loop over {len(grids):,} grids): {len(sample):,} sampled reports in "
        f"{peer:.1f}s = {peer_rate:,.0f} reports/s, extrapolated to {args.n:,}: "
        f"{args.n / peer_rate / 60:.0f} min; same grid for {agree}/{len(sample)} points"
    )
    print(f"routing: {ours_rate / peer_rate:.0f}x shapely loop ({ours_rate:,.0f} reports/s)")


if __name__ == "__main__":
    main()
