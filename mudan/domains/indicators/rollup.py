"""Roll-up street → district → city by the indicator's declared aggregation.

A region that has its own value keeps it; a region without one gets the aggregate of its
children that have values (marked ``rolled_up``). Deepest levels first, so streets fill
districts before districts fill the city.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.indicators.enums import Aggregation
from mudan.domains.indicators.formula import Row
from mudan.kernel.models import Region


@dataclass(frozen=True)
class Tree:
    parent: dict[str, str | None]
    depth: dict[str, int]


def region_tree(session: Session) -> Tree:
    parent: dict[str, str | None] = {}
    depth: dict[str, int] = {}
    for code, par, path in session.execute(
        select(Region.code, Region.parent_code, Region.path).where(
            Region.level.in_(("city", "district", "zone", "street"))
        )
    ):
        parent[code] = par
        depth[code] = path.count("/")
    return Tree(parent, depth)


def aggregate(rows: list[Row], agg: Aggregation, region_code: str) -> Row | None:
    vals = [r for r in rows if r.value is not None]
    if not vals:
        return None
    values = [r.value for r in vals if r.value is not None]
    nums = [r.numerator for r in vals]
    dens = [r.denominator for r in vals]
    num = sum(n for n in nums if n is not None) if all(n is not None for n in nums) else None
    den = sum(d for d in dens if d is not None) if all(d is not None for d in dens) else None
    if agg is Aggregation.SUM:
        return Row(region_code, sum(values), num, den)
    if agg is Aggregation.MAX:
        return Row(region_code, max(values))
    if agg is Aggregation.WEIGHTED and den:
        weighted = sum((r.value or 0.0) * (r.denominator or 0.0) for r in vals) / den
        return Row(region_code, weighted, num, den)
    return Row(region_code, sum(values) / len(values), num, den)


def roll_up(rows: list[Row], agg: Aggregation, tree: Tree) -> tuple[list[Row], set[str]]:
    """The given rows plus the rolled-up parents; returns (rows, codes that were rolled up)."""
    out: dict[str, Row] = {r.region_code: r for r in rows}
    direct = set(out)
    rolled: set[str] = set()
    known = [tree.depth[c] for c in out if c in tree.depth]
    for depth in range(max(known, default=0), 0, -1):
        children: dict[str, list[Row]] = {}
        for code, row in out.items():
            parent = tree.parent.get(code)
            if tree.depth.get(code) == depth and parent is not None and parent not in direct:
                children.setdefault(parent, []).append(row)
        for parent, kids in children.items():
            agg_row = aggregate(kids, agg, parent)
            if agg_row is not None:
                out[parent] = agg_row
                rolled.add(parent)
    return list(out.values()), rolled
