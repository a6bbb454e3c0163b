"""Benchmark: vectorised citizen-ID checks vs python-stdnum's ``stdnum.cn.ric.is_valid``.

    .venv/bin/python bench/ids.py [--n 1000000] [--seed 20250630]

Generates N IDs (deterministic seed) over Heze's county codes and birth years 1950-2020, ~10 %
deliberately broken (wrong check char, bad format, non-province prefix, impossible date: all
faults stdnum also rejects). Both checkers run over the *full* list in the same process; verdicts
are compared and every disagreement is classified by asking stdnum why it said no. The only
expected kind is stdnum's region-history rejection: its table dates every 3717xx code from 2000
(371703 定陶区 from 2016), so it rejects real IDs of people born in Heze before then.

The last line of output is ``ids: <ratio>x python-stdnum`` (IDs/s of the bulk checker, fed the
same Python list, conversion to Arrow included, median of 3 runs; stdnum: one full pass).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from datetime import date
from random import Random

import numpy as np
from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.exceptions import InvalidComponent, ValidationError

from mudan.core.ids import check_citizen_id, corrupt_citizen_id, gen_citizen_id
from mudan.core.ids_bulk import check_citizen_ids

HEZE = ("371702", "371703", "371721", "371722", "371723", "371724", "371725", "371726", "371728")
BROKEN_SHARE = 0.10
BROKEN_MODES = ("checksum", "format", "province", "birthdate")


def log(msg: str) -> None:
    print(msg, flush=True)


def generate(n: int, seed: int) -> list[str]:
    rng = Random(seed)
    first, last = date(1950, 1, 1).toordinal(), date(2020, 12, 31).toordinal()
    out = []
    for _ in range(n):
        birth = date.fromordinal(rng.randint(first, last))
        value = gen_citizen_id(rng, rng.choice(HEZE), birth, rng.choice("MF"))
        if rng.random() < BROKEN_SHARE:
            value = corrupt_citizen_id(rng, value, rng.choice(BROKEN_MODES))
        out.append(value)
    return out


def stdnum_reason(value: str) -> str:
    """Why stdnum rejects ``value``; ``region-history`` when the county code is in its table
    but (per that table) did not exist in the birth year."""
    try:
        stdnum_ric.validate(value)
    except InvalidComponent:
        try:
            stdnum_ric.get_birth_date(value)
        except InvalidComponent:
            return "birth date"
        known = any("county" in props for _, props in numdb.get("cn/loc").info(value[:6]))
        return "region-history" if known else "region unknown"
    except ValidationError as exc:
        return type(exc).__name__
    return "accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of IDs (default 1e6)")
    parser.add_argument("--seed", type=int, default=20250630)
    args = parser.parse_args()
    n: int = args.n

    log(f"[1/4] generating {n:,} IDs (seed {args.seed}, {BROKEN_SHARE:.0%} broken) …")
    t0 = time.perf_counter()
    ids = generate(n, args.seed)
    log(f"      done in {time.perf_counter() - t0:.1f} s")

    log("[2/4] bulk checker (mudan.core.ids_bulk.check_citizen_ids), 3 runs …")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = check_citizen_ids(ids)
        runs.append(time.perf_counter() - t0)
    bulk_s = statistics.median(runs)
    bulk_rate = n / bulk_s
    log(
        f"      runs {', '.join(f'{r * 1000:.0f} ms' for r in runs)}; median {bulk_rate:,.0f} IDs/s"
    )

    log("[3/4] python-stdnum (stdnum.cn.ric.is_valid), full list, 1 run …")
    t0 = time.perf_counter()
    stdnum_ok = [stdnum_ric.is_valid(s) for s in ids]
    stdnum_s = time.perf_counter() - t0
    stdnum_rate = n / stdnum_s
    log(f"      {stdnum_s:.1f} s; {stdnum_rate:,.0f} IDs/s")

    sample = ids[: min(n, 100_000)]
    t0 = time.perf_counter()
    scalar_codes = [check_citizen_id(s).code for s in sample]
    scalar_rate = len(sample) / (time.perf_counter() - t0)
    same = scalar_codes == result.codes[: len(sample)]
    log(f"      (scalar check_citizen_id on {len(sample):,}: {scalar_rate:,.0f} IDs/s; "
        f"codes identical to bulk: {same})")  # fmt: skip

    log("[4/4] comparing verdicts …")
    ours = result.valid
    theirs = np.array(stdnum_ok, dtype=np.bool_)
    log(f"      ours: {int(ours.sum()):,} valid, {result.counts()}")
    log(f"      stdnum: {int(theirs.sum()):,} valid")
    disagree = np.flatnonzero(ours != theirs)
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    # When we accept an ID, its format, check char and date are fine for stdnum too, so stdnum's
    # reason depends only on (region code, birth year), the key of its region table: cache it.
    reasons: dict[tuple[str, str], str] = {}
    codes = result.codes
    for i in disagree.tolist():
        value = ids[i]
        if ours[i]:
            key = (value[:6], value[6:10])
            if key not in reasons:
                reasons[key] = stdnum_reason(value)
            kind = f"we accept, stdnum: {reasons[key]}"
        else:
            kind = f"we reject ({codes[i]}), stdnum: accepted"
        kinds[kind] += 1
        examples.setdefault(kind, value)
    history = kinds.get("we accept, stdnum: region-history", 0)
    log(f"      disagreements: {len(disagree):,} of {n:,}")
    for kind, count in kinds.most_common():
        log(f"        {count:>9,}  {kind}  (e.g. {examples[kind]})")
    log(f"      stdnum region-history rejections: {history:,}; other disagreements: "
        f"{len(disagree) - history:,}")  # fmt: skip
    if history:
        log("      (stdnum dates 3717xx codes from 2000 and 371703 from 2016, so it rejects real")
        log("       IDs of Heze residents born earlier; we check the region structurally)")

    ratio = bulk_rate / stdnum_rate
    log(f"bulk {bulk_rate:,.0f} IDs/s vs python-stdnum {stdnum_rate:,.0f} IDs/s")
    print(f"ids: {ratio:.1f}x python-stdnum")


if __name__ == "__main__":
    main()
