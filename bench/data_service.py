"""Benchmark: the grant data service (masking and call audit on) vs Datasette on SQLite.

    PYTHONPATH=. python bench/data_service.py [--rows 10000000] [--requests 1000]
        [--concurrency 4] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/x]

One people table (bh key, 姓名/身份证号/手机号 masked, 所属区县, 年龄) is generated with
DuckDB (valid GB 11643 check characters), loaded into the lake (Iceberg) and, the same rows,
into a SQLite file with indexes on the filtered columns. Both servers run as separate uvicorn
/ datasette processes on 127.0.0.1 and get the same request mix from the same bounded client
loop (httpx, ``--concurrency`` threads, ``--requests`` requests each side, after a warm-up):

* point lookup of one key in 牡丹区:       ``bh=P000123456``
* a page of one county with an age range:   ``ssqx=371702 & nl__gte=a & nl__lt=b``, 100 rows

The data service's grant is limited to 371702 (so its region filter is in every query) and
its rate limit is raised out of the way; Datasette gets ``ssqx=371702`` explicitly and
runs without per-request counts and facet suggestions (its fastest configuration). The last
line is ``data service: <ratio>x datasette req/s``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import httpx
import pyarrow.parquet as pq

COUNTIES = (
    "371702",
    "371703",
    "371721",
    "371722",
    "371723",
    "371724",
    "371725",
    "371726",
    "371728",
)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def generate(rows: int, folder: Path) -> Path:
    """Rows sorted by (ssqx, bh) in one Parquet file (row groups of 122,880)."""
    county = f"list_value({', '.join(repr(c) for c in COUNTIES)})[(i % 9) + 1]"
    birth = "strftime(DATE '1950-01-01' + CAST(i % 25000 AS INTEGER), '%Y%m%d')"
    body = f"{county} || {birth} || lpad(CAST(i % 1000 AS VARCHAR), 3, '0')"
    checksum = " + ".join(
        f"CAST(substr(b, {k + 1}, 1) AS INTEGER) * {w}" for k, w in enumerate(WEIGHTS)
    )
    path = folder / "people.parquet"
    sql = f"""
    COPY (
      WITH base AS (SELECT range AS i, {body} AS b FROM range({rows}))
      SELECT printf('P%09d', i) AS bh,
             list_value('张','王','李','赵','刘','陈')[(i % 6) + 1]
               || list_value('伟','芳','娜娜','敏','静强')[(i % 5) + 1] AS xm,
             b || substr('10X98765432', (({checksum}) % 11) + 1, 1) AS sfzh,
             '138' || lpad(CAST((i * 7919) % 100000000 AS VARCHAR), 8, '0') AS lxdh,
             substr(b, 1, 6) AS ssqx,
             CAST(18 + i % 70 AS BIGINT) AS nl
      FROM base ORDER BY ssqx, bh
    ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)
    """
    duckdb.connect().execute(sql)
    return path


def setup_mudan(folder: Path, parquet: Path, db_url: str) -> tuple[int, str, dict[str, str]]:
    from sqlalchemy import update

    from mudan.core.db import transaction
    from mudan.core.migrate import upgrade
    from mudan.core.progress import NullReporter
    from mudan.core.runtime import Runtime
    from mudan.demo.context import DemoContext
    from mudan.domains.catalog import service as catalog
    from mudan.domains.catalog.schemas import EntryIn, ItemIn
    from mudan.domains.org.demo import build_org_world
    from mudan.domains.sharing.enums import Decision
    from mudan.domains.sharing.models import ShareGrant
    from mudan.domains.sharing.workflow import grants, requests
    from mudan.domains.sharing.workflow.schemas import RequestIn
    from mudan.kernel.enums import Role
    from mudan.kernel.rbac import Principal
    from mudan.settings import Settings

    env = {
        "MUDAN_DATABASE__URL": db_url,
        "MUDAN_LAKE__WAREHOUSE": str(folder / "lake"),
        "MUDAN_VAR_DIR": str(folder),
        "MUDAN_AUTH__SECRET_KEY": "bench-secret-" + "0123456789abcdef" * 2,  # >= 32 chars
    }
    os.environ.update(env)
    settings = Settings()
    upgrade(db_url)
    rt = Runtime(settings)
    sessions = rt.sessions
    admin = Principal(1, "admin", "admin", frozenset({Role.ADMIN}), via="cli")
    with transaction(sessions) as s:
        build_org_world(DemoContext(s, rt, 3717, 0.01, NullReporter()))
    with transaction(sessions) as s:
        items = [
            ItemIn(name="bh", label="编号"),
            ItemIn(name="xm", label="姓名", sensitivity=3, personal_kind="name"),  # type: ignore[arg-type]
            ItemIn(
                name="sfzh",
                label="身份证号",
                sensitivity=4,
                personal_kind="citizen_id",
                share_type="conditional",
            ),  # type: ignore[arg-type]
            ItemIn(name="lxdh", label="联系电话", sensitivity=3, personal_kind="phone"),  # type: ignore[arg-type]
            ItemIn(name="ssqx", label="所属区县"),
            ItemIn(name="nl", label="年龄", type="integer"),  # type: ignore[arg-type]
        ]
        data = EntryIn(
            name="菏泽市人口（基准测试）",
            department_code="371700002",
            theme="人口",
            category="基础信息",
            share_type="conditional",
            share_conditions="履职使用",  # type: ignore[arg-type]
            aggregated=True,
            key_columns=["bh"],
            items=items,
        )
        entry = catalog.create_entry(s, principal=admin, data=data)
        catalog.submit(s, principal=admin, entry_id=entry.id)
        catalog.approve(s, principal=admin, entry_id=entry.id)
        spec = catalog.table_spec_for(entry)
    t0 = time.perf_counter()
    rt.lake.ensure_table(spec)
    rt.lake.load(spec, pq.ParquetFile(parquet).iter_batches(500_000), batch_id="bench")
    log(f"lake load: {time.perf_counter() - t0:.1f}s")
    with transaction(sessions) as s:
        from sqlalchemy import select

        from mudan.kernel.identity import principal_for_user
        from mudan.kernel.models import User

        def who(name: str) -> Principal:
            u = s.scalar(select(User).where(User.username == name))
            assert u is not None
            return principal_for_user(s, user=u, via="cli")

        req = requests.create_request(
            s,
            principal=who("mudanqu"),
            data=RequestIn(
                entry_code=entry.code,
                region_codes=["371702"],
                purpose="基准测试",
                legal_basis="基准测试",
                period_start=time.strftime("%Y-%m-%d"),
                period_end="2099-12-31",
                systems=["bench"],
            ),
        )  # type: ignore[arg-type]
        requests.decide(s, principal=who("gaj"), request_id=req.id, decision=Decision.APPROVE)
        requests.decide(s, principal=who("dsj"), request_id=req.id, decision=Decision.APPROVE)
        gid = s.scalar(select(ShareGrant.id).where(ShareGrant.request_id == req.id))
        assert gid is not None
        s.execute(update(ShareGrant).where(ShareGrant.id == gid).values(rate_per_minute=10_000_000))
        _, token = grants.issue_credentials(s, principal=admin, grant_id=gid)
    rt.close()
    return gid, token, env


def setup_sqlite(parquet: Path, folder: Path) -> Path:
    db = folder / "people.db"
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE people (bh TEXT PRIMARY KEY, xm TEXT, sfzh TEXT, lxdh TEXT, ssqx TEXT,"
        " nl INTEGER)"
    )
    for batch in pq.ParquetFile(parquet).iter_batches(200_000):
        cols = batch.to_pydict()
        con.executemany(
            "INSERT INTO people VALUES (?,?,?,?,?,?)",
            zip(*(cols[c] for c in ("bh", "xm", "sfzh", "lxdh", "ssqx", "nl")), strict=True),
        )
    con.execute("CREATE INDEX ix_ssqx_nl ON people (ssqx, nl)")
    con.commit()
    con.close()
    return db


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start: {url}")


def workload(keys: list[str], n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append({"bh": rng.choice(keys)})
        else:
            a = rng.randint(18, 80)
            out.append({"ssqx": "371702", "nl__gte": str(a), "nl__lt": str(a + 5), "_size": "100"})
    return out


def drive(
    url: str, params: list[dict[str, str]], concurrency: int, headers: dict[str, str], check: str
) -> tuple[float, float, int]:
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    chunks = [params[i::concurrency] for i in range(concurrency)]

    def run(chunk: list[dict[str, str]]) -> None:
        with httpx.Client(headers=headers, timeout=60) as c:
            for p in chunk:
                t = time.perf_counter()
                try:
                    r = c.get(url, params=p)
                    ok = r.status_code == 200 and check in r.text
                except httpx.HTTPError:  # counted as an error, never dropped
                    ok = False
                dt = time.perf_counter() - t
                with lock:
                    lat.append(dt)
                    errors[0] += 0 if ok else 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(ch,)) for ch in chunks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    p95 = statistics.quantiles(lat, n=20)[18] * 1000
    return len(lat) / wall, p95, errors[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_ds_"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        t0 = time.perf_counter()
        parquet = generate(args.rows, folder)
        log(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s")
        db_url = args.database_url or f"sqlite:///{folder / 'mudan.db'}"
        gid, token, env = setup_mudan(folder, parquet, db_url)
        t0 = time.perf_counter()
        sqlite_db = setup_sqlite(parquet, folder)
        log(f"sqlite load + index: {time.perf_counter() - t0:.1f}s")
        keys = [
            r[0]
            for r in duckdb.connect()
            .execute(f"SELECT bh FROM '{parquet}' WHERE ssqx = '371702' USING SAMPLE 5000 ROWS")
            .fetchall()
        ]
        mport, dport = free_port(), free_port()
        penv = {**os.environ, **env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "mudan.app:create_app",
                    "--port",
                    str(mport),
                    "--log-level",
                    "warning",
                ],
                env=penv,
                stderr=subprocess.DEVNULL,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "datasette",
                    "serve",
                    str(sqlite_db),
                    "--port",
                    str(dport),
                    "--setting",
                    "sql_time_limit_ms",
                    "60000",
                    "--setting",
                    "default_page_size",
                    "100",
                    "--setting",
                    "suggest_facets",
                    "off",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_up(f"http://127.0.0.1:{mport}/healthz", procs[0])
        wait_up(f"http://127.0.0.1:{dport}/-/versions.json", procs[1])
        mudan_url = f"http://127.0.0.1:{mport}/api/v1/share/services/{gid}"
        # Datasette's best case: no row count and no facet work per request (_nocount,
        # _nofacet and suggest_facets off); the data service never counts.
        ds_url = f"http://127.0.0.1:{dport}/people/people.json?_nocount=1&_nofacet=1"
        auth = {"Authorization": f"Bearer {token}"}
        warm = workload(keys, 100, 1)
        drive(mudan_url, warm, args.concurrency, auth, "rows")
        drive(ds_url, warm, args.concurrency, {}, "rows")
        mix = workload(keys, args.requests, 2)
        m_rps, m_p95, m_err = drive(mudan_url, mix, args.concurrency, auth, '"rows"')
        d_rps, d_p95, d_err = drive(ds_url, mix, args.concurrency, {}, '"rows"')
        log(
            f"rows={args.rows:,} requests={args.requests} concurrency={args.concurrency}"
            f" metadata={db_url.split(':')[0]}"
        )
        log(f"data service : {m_rps:8.1f} req/s  p95 {m_p95:7.1f} ms  errors {m_err}")
        log(f"datasette    : {d_rps:8.1f} req/s  p95 {d_p95:7.1f} ms  errors {d_err}")
        log(f"data service: {m_rps / d_rps:.2f}x datasette req/s")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
