"""Benchmark: the 汇聚率 (aggregation rate) as one aggregate query vs walking every table.

    mudan demo --scale 0.2            # or point --db at any demo world
    python bench/aggregation_rate.py --db sqlite:///var/mudan.db [--repeat 30]

On the same database, interleaved, it times:

* ours: ``ingest.rates.aggregation_rates`` (one GROUP BY over ``quality_table`` with each update
  cycle's grace as a cut-off), and the screen's platform panel as ops builds it (catalog count,
  汇聚率 through the ``ingest.aggregation_rate`` indicator hook, quality score);
* the peer: the previous implementation, loading every registered table and testing its
  freshness in Python (``quality.engine.check_freshness``), and the panel built on it.

Both answers must agree. Last line: ``aggregation rate median: <ms> ms vs <ms> ms (×<ratio>)``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, utcnow
from mudan.domains.catalog import service as catalog
from mudan.domains.ingest.rates import aggregation_rates
from mudan.domains.ops.platform import platform_figures
from mudan.domains.quality import service as quality
from mudan.domains.quality.engine import check_freshness
from mudan.domains.quality.enums import UpdateCycle
from mudan.hooks import make_plugin_manager
from mudan.lake.models import LakeTable


def walk(session: Session) -> tuple[int, int]:
    """The peer: every table loaded and checked in Python (city due, on time)."""
    now, due, ok = utcnow(), 0, 0
    for t in session.scalars(select(LakeTable).where(LakeTable.update_cycle.is_not(None))):
        last = t.last_success_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        due += 1
        ok += check_freshness(last, UpdateCycle(t.update_cycle or "daily"), now).fresh
    return due, ok


def walk_panel(session: Session) -> tuple[int, int, int]:
    due, ok = walk(session)
    scores = quality.table_scores(session)
    _ = round(sum(s.score for s in scores) / len(scores), 1) if scores else None
    return catalog.count_entries(session), due, ok


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="database URL of a demo world")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    engine = make_engine(args.db)
    pm = make_plugin_manager()
    ours, peer, panel, panel_peer = [], [], [], []
    with make_sessionmaker(engine)() as s:
        city, _ = aggregation_rates(s)
        assert walk(s) == (city.due, city.on_time), "the two answers differ"
        print(f"tables due: {city.due}, on time: {city.on_time}, 汇聚率 {city.rate}%")
        for _ in range(3):  # warm up (statement cache, page cache)
            aggregation_rates(s), walk(s)
        for _ in range(args.repeat):
            s.expunge_all()  # no identity-map hits for the peer
            ours.append(timed(lambda: aggregation_rates(s))[0])
            peer.append(timed(lambda: walk(s))[0])
            s.expunge_all()
            panel.append(timed(lambda: platform_figures(s, pm))[0])
            panel_peer.append(timed(lambda: walk_panel(s))[0])
    engine.dispose()
    a, b = statistics.median(ours), statistics.median(peer)
    c, d = statistics.median(panel), statistics.median(panel_peer)
    print(f"platform panel median: {c:.1f} ms vs {d:.1f} ms (×{d / c:.1f})")
    print(f"aggregation rate median: {a:.1f} ms vs {b:.1f} ms (×{b / a:.1f})")


if __name__ == "__main__":
    main()
