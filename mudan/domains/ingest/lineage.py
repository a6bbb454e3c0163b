"""Lineage: edges written by loads (and later by derived tables), read as a graph."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mudan.domains.ingest.enums import NodeKind
from mudan.domains.ingest.models import LineageEdge


@dataclass(frozen=True)
class Node:
    kind: str
    ref: str


@dataclass(frozen=True)
class Graph:
    nodes: list[Node]
    edges: list[tuple[Node, Node]]


def add_edge(session: Session, *, src: Node, dst: Node, job_id: str | None = None) -> LineageEdge:
    edge = LineageEdge(
        src_kind=src.kind, src_ref=src.ref, dst_kind=dst.kind, dst_ref=dst.ref, job_id=job_id
    )
    session.add(edge)
    session.flush()
    return edge


def record_load(session: Session, *, source: str, job_id: str, table_ref: str) -> None:
    """source → job → table, the three nodes every load contributes."""
    job = Node(NodeKind.JOB, job_id)
    add_edge(session, src=Node(NodeKind.SOURCE, source), dst=job, job_id=job_id)
    add_edge(session, src=job, dst=Node(NodeKind.TABLE, table_ref), job_id=job_id)


def graph_for(session: Session, *, kind: str, ref: str, depth: int = 3, limit: int = 500) -> Graph:
    """The neighbourhood of a node, walking edges both ways up to ``depth`` hops."""
    start = Node(kind, ref)
    seen: set[Node] = {start}
    frontier = {start}
    edges: set[tuple[Node, Node]] = set()
    for _ in range(depth):
        if not frontier or len(edges) >= limit:
            break
        conds = [
            or_(
                (LineageEdge.src_kind == n.kind) & (LineageEdge.src_ref == n.ref),
                (LineageEdge.dst_kind == n.kind) & (LineageEdge.dst_ref == n.ref),
            )
            for n in frontier
        ]
        rows = session.scalars(select(LineageEdge).where(or_(*conds)).limit(limit))
        nxt: set[Node] = set()
        for e in rows:
            a, b = Node(e.src_kind, e.src_ref), Node(e.dst_kind, e.dst_ref)
            edges.add((a, b))
            for n in (a, b):
                if n not in seen:
                    seen.add(n)
                    nxt.add(n)
        frontier = nxt
    return Graph(
        nodes=sorted(seen, key=lambda n: (n.kind, n.ref)),
        edges=sorted(edges, key=lambda e: (e[0].ref, e[1].ref)),
    )


def record_derivation(
    session: Session, *, sources: list[str], view_ref: str, table_ref: str | None = None
) -> None:
    """table(s) → view (a saved query) → table (its materialisation), without duplicate edges."""
    view = Node(NodeKind.VIEW, view_ref)
    wanted = [(Node(NodeKind.TABLE, s), view) for s in sources]
    if table_ref is not None:
        wanted.append((view, Node(NodeKind.TABLE, table_ref)))
    existing = {
        (Node(e.src_kind, e.src_ref), Node(e.dst_kind, e.dst_ref))
        for e in session.scalars(
            select(LineageEdge).where(
                or_(
                    (LineageEdge.dst_kind == view.kind) & (LineageEdge.dst_ref == view.ref),
                    (LineageEdge.src_kind == view.kind) & (LineageEdge.src_ref == view.ref),
                )
            )
        )
    }
    for src, dst in wanted:
        if (src, dst) not in existing:
            add_edge(session, src=src, dst=dst)


def forget_derivation(session: Session, *, view_ref: str) -> None:
    """Drop a view's edges (the view was redefined or deleted)."""
    for e in session.scalars(
        select(LineageEdge).where(
            or_(
                (LineageEdge.dst_kind == NodeKind.VIEW.value) & (LineageEdge.dst_ref == view_ref),
                (LineageEdge.src_kind == NodeKind.VIEW.value) & (LineageEdge.src_ref == view_ref),
            )
        )
    ):
        session.delete(e)
    session.flush()
