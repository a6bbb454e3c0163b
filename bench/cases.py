"""Benchmark: dispatcher board and overdue queries over 1,000,000 cases in PostgreSQL.

    python bench/cases.py [--n 1000000] [--runs 40] [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a scratch database, migrates it, seeds the categories, and COPYs N generated cases
(two years of reports over Heze's 9 districts; about 8 % still open, a share of those overdue).
Then it times, through the product's own service functions (``service.board`` with the
dispatcher's scope, which also counts the queue), four queries:

* the city board (open cases by due time, first page),
* one department's board,
* the overdue queue,
* the manual dispatch queue,

each ``--runs`` times, p95 reported. The peer is the same queries on the same data after
dropping this domain's partial indexes over open cases (``ix_case_open_dept``, ``_due``,
``_warn``, ``ix_case_manual``; the migration creates them), measured in the same run. The
scratch database is dropped at the end (``--keep`` keeps it).

The last line is ``cases: board p95 <ms> ms worst of 4 queries (<ratio>x faster than without the
indexes, geometric mean)``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from random import Random

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mudan.core.db import make_engine, make_sessionmaker
from mudan.core.migrate import upgrade
from mudan.core.progress import RichReporter
from mudan.domains.cases import service as cs
from mudan.domains.cases.categories import DISTRICTS, SEEDS, routing_rules
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

COLUMNS = (
    "id",
    "number",
    "channel",
    "source",
    "object_ref",
    "title",
    "description",
    "address",
    "category_code",
    "state",
    "park_reason",
    "lon",
    "lat",
    "district_code",
    "region_path",
    "department_code",
    "created_at",
    "updated_at",
    "warn_at",
    "due_at",
    "due_provisional",
    "closed_at",
    "escalation_rung",
    "returns",
    "reopenings",
    "extension_reason",
)
OPEN = ("received", "registered", "dispatched", "handling", "verifying")
DISPATCHER = Principal(
    user_id=1,
    username="bench",
    display_name="bench",
    roles=frozenset({Role.DISPATCHER}),
    scope_paths=("3717",),
)


def generate(n: int, seed: int, now: datetime):  # type: ignore[no-untyped-def]
    rng = Random(seed)
    rules = {s.code: dict(routing_rules(s)) for s in SEEDS}
    for i in range(1, n + 1):
        seed_cat = rng.choice(SEEDS)
        district = rng.choice(DISTRICTS)
        created = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        hours = 4 * seed_cat.limit if seed_cat.unit == "hours" else 24 * 1.4 * seed_cat.limit
        due = created + timedelta(hours=hours)
        warn = created + timedelta(hours=hours * 0.8)
        dept = rules[seed_cat.code].get(district) or rules[seed_cat.code].get("3717")
        age_days = (now - created).days
        state = "closed"
        if (age_days < 30 and rng.random() < 0.7) or rng.random() < 0.03:
            state = rng.choice(OPEN)
        if state in ("received", "registered") and rng.random() < 0.5:
            dept = None
        spent = timedelta(hours=rng.uniform(0.2, 1.3) * hours)
        closed = created + spent if state == "closed" else None
        yield (
            i,
            f"B{i:015d}",
            "hotline",
            "",
            "",
            seed_cat.name,
            "",
            "",
            seed_cat.code,
            state,
            "",
            115.0 + rng.random(),
            34.8 + rng.random(),
            district,
            f"3717/{district}",
            dept,
            created,
            created,
            warn,
            due,
            False,
            closed,
            "grid",
            0,
            0,
            "",
        )


def time_queries(session, runs: int, now: datetime) -> dict[str, float]:  # type: ignore[no-untyped-def]
    queries = {
        "city board": cs.BoardFilter(queue="all"),
        "department board": cs.BoardFilter(queue="all", department_code="371702003"),
        "overdue": cs.BoardFilter(queue="overdue"),
        "manual queue": cs.BoardFilter(queue="manual"),
    }
    out = {}
    for name, filt in queries.items():
        cs.board(session, principal=DISPATCHER, filt=filt, now=now)  # warm
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            rows, total = cs.board(session, principal=DISPATCHER, filt=filt, now=now)
            times.append((time.perf_counter() - t) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        out[name] = p95
        print(f"  {name:<17} p95 {p95:8.1f} ms   (queue size {total:,}, page {len(rows)})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=3717)
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    server = make_url(args.url)
    name = f"mudan_bench_cases_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions.begin() as s:
            cs.seed_categories(s)
        now = datetime.now(UTC)
        t = time.perf_counter()
        raw = engine.raw_connection()
        with raw.cursor() as cur, RichReporter().task("COPY cases", args.n) as task:
            cols = ", ".join(COLUMNS)
            with cur.copy(f"COPY case_case ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for i, row in enumerate(generate(args.n, args.seed, now)):
                    copy.write_row(row)
                    if i % 10_000 == 9_999:
                        task.advance(10_000)
        raw.commit()
        raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE case_case"))  # what autovacuum does after a load
        print(f"loaded {args.n:,} cases in {time.perf_counter() - t:.0f}s")
        with sessions() as s:
            print("with the cases indexes:")
            ours = time_queries(s, args.runs, now)
        with engine.begin() as c:
            for index in (
                "ix_case_open_dept",
                "ix_case_open_due",
                "ix_case_open_warn",
                "ix_case_manual",
            ):
                c.execute(text(f"DROP INDEX {index}"))
            c.execute(text("ANALYZE case_case"))
        with sessions() as s:
            print("peer: the same queries without them:")
            peer = time_queries(s, max(5, args.runs // 4), now)
        engine.dispose()
    finally:
        with admin.connect() as c:
            if args.keep:
                print(f"kept database {name}")
            else:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    worst = max(ours.values())
    ratio = statistics.geometric_mean([peer[k] / ours[k] for k in ours])
    print(
        f"cases: board p95 {worst:.0f} ms worst of 4 queries "
        f"({ratio:.1f}x faster than without the indexes, geometric mean)"
    )


if __name__ == "__main__":
    main()
