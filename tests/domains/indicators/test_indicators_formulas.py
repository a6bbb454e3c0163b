"""Formulas over real Iceberg tables: versions keep old values reproducible (time travel),
roll-up street → district → city, and bad formulas are refused or marked, never raised."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput
from mudan.domains.indicators import compute, defs, service
from mudan.domains.indicators.enums import Aggregation, FormulaKind, Section
from mudan.domains.indicators.schemas import IndicatorIn, IndicatorPatch
from mudan.hooks import IndicatorSpec, MetricValue, hookimpl, make_plugin_manager
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema
from mudan.settings import Settings

AIR = TableSpec(
    "d371700001",
    "stations",
    (
        ColumnSpec("region_code", ItemType.STRING, "街道"),
        ColumnSpec("v", ItemType.FLOAT, "值"),
        ColumnSpec("z", ItemType.FLOAT, "分母"),
    ),
)
AT = datetime(2024, 6, 1, 3, tzinfo=UTC)
# two streets of 牡丹区 and one of 曹县
ROWS = [
    {"region_code": "371702001000", "v": 10.0, "z": 1.0},
    {"region_code": "371702002000", "v": 30.0, "z": 1.0},
    {"region_code": "371721001000", "v": 5.0, "z": 1.0},
]


@pytest.fixture
def lake(settings: Settings) -> Iterator[Lake]:
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lk:
        lk.ensure_table(AIR)
        lk.load(AIR, [pa.RecordBatch.from_pylist(ROWS, schema=arrow_schema(AIR))], batch_id="b1")
        yield lk


def _def(code: str, formula: str, agg: Aggregation = Aggregation.SUM) -> IndicatorIn:
    return IndicatorIn(
        code=code, name=code, section=Section.ENVIRONMENT, kind=FormulaKind.SQL,
        formula=formula, aggregation=agg,
    )  # fmt: skip


def _values(session: Session, code: str, version: int) -> dict[str, float | None]:
    return {
        v.region_code: v.value
        for v in compute.values_of_version(session, code=code, version=version)
    }


def test_streets_roll_up_to_districts_and_city(session: Session, lake: Lake) -> None:
    sql = "SELECT region_code, sum(v) AS value FROM d371700001.stations GROUP BY region_code"
    defs.create_def(session, data=_def("t.sum", sql), actor="t", lake=lake)
    defs.create_def(session, data=_def("t.avg", sql, Aggregation.AVG), actor="t", lake=lake)
    pm = make_plugin_manager()
    for code in ("t.sum", "t.avg"):
        assert compute.compute(session, code=code, at=AT, lake=lake, pm=pm).status == "ok"
    s = _values(session, "t.sum", 1)
    assert s["371702"] == 40.0 and s["371721"] == 5.0 and s["3717"] == 45.0
    a = _values(session, "t.avg", 1)
    assert a["371702"] == 20.0 and a["3717"] == pytest.approx(12.5)  # mean of district means


def test_new_version_keeps_old_values_reproducible(session: Session, lake: Lake) -> None:
    pm = make_plugin_manager()
    v1 = "SELECT sum(v) AS value FROM d371700001.stations"
    defs.create_def(session, data=_def("t.ver", v1), actor="t", lake=lake)
    compute.compute(session, code="t.ver", at=AT, lake=lake, pm=pm)
    old = compute.values_of_version(session, code="t.ver", version=1)
    assert [v.value for v in old] == [45.0]
    session.commit()  # SQLite: the lake's catalog shares the database (one writer)
    # new data lands, then the formula changes: a second version
    more = [{"region_code": "371702001000", "v": 100.0, "z": 1.0}]
    lake.load(AIR, [pa.RecordBatch.from_pylist(more, schema=arrow_schema(AIR))], batch_id="b2")
    patch = IndicatorPatch(formula=v1.replace("sum", "max"), note="口径调整")
    ind, new = defs.update_def(session, code="t.ver", patch=patch, actor="t", lake=lake)
    assert new and ind.current_version == 2
    same, again = defs.update_def(
        session, code="t.ver", patch=IndicatorPatch(target=50), actor="t", lake=lake
    )
    assert not again and same.current_version == 2  # a target change is not a new version
    compute.compute(session, code="t.ver", at=AT, lake=lake, pm=pm)
    assert _values(session, "t.ver", 2) == {"3717": 100.0}
    assert _values(session, "t.ver", 1) == {"3717": 45.0}  # the old value is still there
    # …and recomputing it with its own version and lake snapshot gives the same number,
    # although the table has grown since
    assert compute.reproduce(session, value_id=old[0].id, lake=lake, pm=pm) == 45.0
    assert [v.version for v in defs.list_versions(session, code="t.ver")] == [1, 2]


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("DELETE FROM d371700001.stations", "indicators.bad_formula"),
        ("SELECT 1 AS value; DROP TABLE d371700001.stations", "indicators.bad_formula"),
        ("SELECT count(*) AS value FROM read_csv('/etc/passwd')", "indicators.bad_formula"),
        ("SELECT count(*) AS value FROM d371700001.nope", "indicators.unknown_table"),
        ("SELECT sum(v) / 0 AS value FROM d371700001.stations", "indicators.division_by_zero"),
        (
            "SELECT sum(v) / sum(z - 1) AS value FROM d371700001.stations",
            "indicators.formula_failed",
        ),
        ("SELECT sum(v) AS total FROM d371700001.stations", "indicators.formula_failed"),
    ],
)
def test_bad_formulas_are_refused_at_save_time(
    session: Session, lake: Lake, sql: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        defs.create_def(session, data=_def("t.bad", sql), actor="t", lake=lake)
    assert exc.value.code == code
    assert exc.value.message()  # a Chinese message, not the code
    assert exc.value.message() != f"error.{code}"


def _metric(code: str, formula: str) -> IndicatorIn:
    return IndicatorIn(
        code=code, name=code, section=Section.DATA, kind=FormulaKind.METRIC, formula=formula
    )


class BrokenDomain:
    @hookimpl
    def mudan_indicators(self) -> list[IndicatorSpec]:
        def boom(session: Session, day: date) -> list[MetricValue]:
            raise RuntimeError("upstream table missing")

        return [IndicatorSpec("broken.metric", "坏指标", "个", "data", compute=boom)]


def test_broken_indicators_are_marked_never_raised(session: Session, lake: Lake) -> None:
    pm = make_plugin_manager()
    pm.register(BrokenDomain(), name="broken")
    # saved without a trial run (e.g. before the data turned bad): divides by zero at run time
    defs.create_def(
        session, data=_def("t.div", "SELECT sum(v) / sum(z - 1) AS value FROM d371700001.stations"),
        actor="t", lake=None,
    )  # fmt: skip
    defs.create_def(session, data=_metric("t.broken", "broken.metric"), actor="t", lake=None)
    defs.create_def(session, data=_metric("t.none", "nobody.metric"), actor="t", lake=None)
    for code in ("t.div", "t.broken", "t.none"):
        compute.compute(session, code=code, at=AT, lake=lake, pm=pm)
    got = {v.code: v for v in service.latest_values(session, codes=["t.div", "t.broken", "t.none"])}
    assert got["t.div"].status == "error" and "除以零" in got["t.div"].status_text
    assert (
        got["t.broken"].status == "error"
        and "upstream table missing" in got["t.broken"].status_text
    )
    assert got["t.none"].status == "no_source" and got["t.none"].status_text == "暂无数据源"
    assert all(v.value is None for v in got.values())
    # the SQL engine refuses a write even if one slipped into the database
    from sqlalchemy import select

    from mudan.domains.indicators.models import IndicatorVersion

    ver = session.scalar(select(IndicatorVersion).where(IndicatorVersion.formula.like("%z - 1%")))
    assert ver is not None
    ver.formula = "DELETE FROM d371700001.stations"
    session.flush()
    r = compute.compute(session, code="t.div", at=AT, lake=lake, pm=pm)
    assert r.status == "error" and r.error
    assert lake.row_count(AIR) == 3
