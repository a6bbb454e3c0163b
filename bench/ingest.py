"""Benchmark: CSV → lake with all rules on, against DuckDB's own ``read_csv`` → Parquet.

    .venv/bin/python bench/ingest.py [--rows 10000000] [--seed 3717] [--workdir DIR]

Generates a deterministic CSV (Chinese headers: 公民身份号码, 姓名, 区县代码, 金额, 日期) whose ID
column samples a pool of 100,000 valid GB 11643 IDs plus ~1 % broken ones. Ours runs in a child
process (so its peak RSS is its own): readers (encoding detection, streaming CSV) → header
mapping → the quality engine (type casts, not-null, citizen-ID, region-code and range rules;
failing rows counted as quarantined) → ``Lake.load`` (one Iceberg snapshot). The peer, in the
same run on the same file: DuckDB ``COPY (SELECT * FROM read_csv(file)) TO 'x.parquet'``.

The last line is ``ingest: <ours/duckdb rows-per-second ratio>x duckdb, peak RSS <MB> MB``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from random import Random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# Measure the checkout this file is in (a worktree), not whichever ``mudan`` the venv points at:
# as a script, Python puts bench/ (not the working directory) first on sys.path.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mudan.core.ids import corrupt_citizen_id, gen_citizen_id  # noqa: E402

HEZE = ("371702", "371703", "371721", "371722", "371723", "371724", "371725", "371726", "371728")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉"
HEADER = ["公民身份号码", "姓名", "区县代码", "金额", "日期"]
POOL = 100_000
CHUNK = 1_000_000
BATCH_ROWS = 131_072


def log(msg: str) -> None:
    print(msg, flush=True)


def id_pools(seed: int) -> tuple[pa.Array, pa.Array]:
    rng = Random(seed)
    first, last = date(1950, 1, 1).toordinal(), date(2010, 12, 31).toordinal()
    good = [
        gen_citizen_id(rng, rng.choice(HEZE), date.fromordinal(rng.randint(first, last)), "M")
        for _ in range(POOL)
    ]
    modes = ("checksum", "format", "province", "birthdate")
    bad = [corrupt_citizen_id(rng, rng.choice(good), rng.choice(modes)) for _ in range(POOL // 10)]
    return pa.array(good, pa.string()), pa.array(bad, pa.string())


def generate(path: Path, rows: int, seed: int) -> None:
    """Write the CSV in 1M-row chunks, vectorised (numpy sampling, Arrow CSV writer)."""
    good, bad = id_pools(seed)
    names = pa.array([s + g for s in SURNAMES for g in GIVEN] + [""], pa.string())
    regions = pa.array(list(HEZE), pa.string())
    rng = np.random.default_rng(seed)
    day0 = date(2024, 1, 1).toordinal() - date(1970, 1, 1).toordinal()
    with pacsv.CSVWriter(path, pa.schema([(h, pa.string()) for h in HEADER])) as writer:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            broken = rng.random(n) < 0.01
            ids = pc.if_else(
                pa.array(broken),
                bad.take(pa.array(rng.integers(0, len(bad), n))),
                good.take(pa.array(rng.integers(0, len(good), n))),
            )
            cents = rng.integers(0, 1_000_000, n)
            amount = pc.cast(pa.array(cents / 100.0), pa.string())
            days = pa.array(day0 + rng.integers(0, 366, n), pa.int32()).cast(pa.date32())
            table = pa.table(
                [
                    ids,
                    names.take(pa.array(rng.integers(0, len(names), n))),
                    regions.take(pa.array(rng.integers(0, len(regions), n))),
                    amount,
                    pc.cast(days, pa.string()),
                ],
                names=HEADER,
            )
            writer.write_table(table)


# --- ours (child process) ---------------------------------------------------------------------


def ours(csv_path: Path, workdir: Path) -> dict[str, float]:
    from mudan.lake.catalog import Lake
    from mudan.lake.headers import map_headers
    from mudan.lake.pipeline import map_ordered
    from mudan.lake.readers import open_source
    from mudan.lake.schema import ColumnSpec, ItemType, TableSpec

    spec = TableSpec(
        "d371700002",
        "bench_people",
        (
            ColumnSpec("sfzh", ItemType.STRING, "公民身份号码", nullable=False),
            ColumnSpec("xm", ItemType.STRING, "姓名"),
            ColumnSpec("qx", ItemType.STRING, "区县代码"),
            ColumnSpec("amount", ItemType.DECIMAL, "金额"),
            ColumnSpec("rq", ItemType.DATE, "日期"),
        ),
    )
    check = make_checker(spec)  # imports done before the clock starts, as for DuckDB
    import pyiceberg.io.pyarrow  # noqa: F401

    started = time.perf_counter()
    reader = open_source(csv_path, spec=spec, batch_rows=BATCH_ROWS)
    headers = map_headers(reader.columns, spec)
    quarantined = 0

    def numbered() -> Iterator[tuple[pa.RecordBatch, int]]:
        offset = 0
        for raw in reader:
            yield raw.rename_columns(headers.rename(raw.schema.names)), offset
            offset += raw.num_rows

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal quarantined
        for good, bad in map_ordered(lambda item: check(*item), numbered()):
            quarantined += bad
            yield good

    with Lake(db_url=f"sqlite:///{workdir / 'meta.db'}", warehouse=workdir / "lake") as lake:
        lake.ensure_table(spec)
        result = lake.load(spec, batches(), batch_id="bench")
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": result.rows_written + quarantined,
        "written": result.rows_written,
        "quarantined": quarantined,
        "seconds": elapsed,
        "peak_mb": peak_kb / 1024,
    }


def make_checker(spec: object):  # type: ignore[no-untyped-def]
    """The quality engine with all rules on, or (before it exists) casts + bulk ID checks."""
    today = date(2025, 1, 1)
    try:
        from mudan.domains.quality.engine import evaluate
        from mudan.domains.quality.enums import RuleKind
        from mudan.domains.quality.rules import Rule, RuleContext
    except ImportError:
        from mudan.core.ids_bulk import check_citizen_ids
        from mudan.lake.schema import arrow_schema

        schema = arrow_schema(spec)  # type: ignore[arg-type]

        def fallback(batch: pa.RecordBatch, offset: int) -> tuple[pa.RecordBatch, int]:
            ok = pa.array(check_citizen_ids(batch.column("sfzh"), today=today).valid)
            typed = pa.RecordBatch.from_arrays(
                [batch.column(f.name).cast(f.type) for f in schema], schema=schema
            )
            return typed.filter(ok), batch.num_rows - pc.sum(ok).as_py()

        return fallback
    rules = [
        Rule(1, RuleKind.CITIZEN_ID, "sfzh"),
        Rule(2, RuleKind.NOT_NULL, "xm"),
        Rule(3, RuleKind.REGION_CODE, "qx"),
        Rule(4, RuleKind.RANGE, "amount", {"min": 0, "max": 100000}),
    ]
    context = RuleContext(today=today, region_codes=frozenset(HEZE))

    def quality(batch: pa.RecordBatch, offset: int) -> tuple[pa.RecordBatch, int]:
        ev = evaluate(batch, spec, rules, row_offset=offset, context=context)  # type: ignore[arg-type]
        return ev.good, ev.bad_rows

    return quality


# --- the peer ---------------------------------------------------------------------------------


def duckdb_copy(csv_path: Path, workdir: Path) -> float:
    import duckdb

    out = workdir / "duckdb.parquet"
    with duckdb.connect(":memory:") as con:
        started = time.perf_counter()
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{out}' (FORMAT parquet)")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=3717)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", nargs=2, metavar=("CSV", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(ours(Path(args.child[0]), Path(args.child[1]))), flush=True)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mudan-ingest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / "people.csv"
    try:
        log(f"generating {args.rows:,} rows → {csv_path}")
        t0 = time.perf_counter()
        generate(csv_path, args.rows, args.seed)
        size_mb = csv_path.stat().st_size / 1e6
        log(f"  {size_mb:,.0f} MB in {time.perf_counter() - t0:.1f} s")
        shutil.rmtree(workdir / "ours", ignore_errors=True)  # a fresh lake: loads are idempotent
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(csv_path), str(workdir / "ours")],
            check=True,
            capture_output=True,
            text=True,
        )
        res = json.loads(child.stdout.strip().splitlines()[-1])
        ours_rate = res["rows"] / res["seconds"]
        log(
            f"ours:   {res['rows']:,} rows ({res['written']:,} written, "
            f"{res['quarantined']:,} quarantined) in {res['seconds']:.2f} s = "
            f"{ours_rate:,.0f} rows/s, peak RSS {res['peak_mb']:.0f} MB"
        )
        duck_s = duckdb_copy(csv_path, workdir)
        duck_rate = args.rows / duck_s
        log(f"duckdb: {args.rows:,} rows in {duck_s:.2f} s = {duck_rate:,.0f} rows/s")
        log(f"ingest: {ours_rate / duck_rate:.2f}x duckdb, peak RSS {res['peak_mb']:.0f} MB")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
