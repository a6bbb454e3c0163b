"""Lake tables: create, evolve, refuse incompatible types, drop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from mudan.core.errors import InvalidInput, NotFound
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings

BASE = (
    ColumnSpec("sfzh", ItemType.STRING, "公民身份号码", nullable=False),
    ColumnSpec("xm", ItemType.STRING, "姓名"),
    ColumnSpec("age", ItemType.INTEGER, "年龄"),
)


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    yield lk
    lk.close()


def test_create_table_from_spec(lake: Lake) -> None:
    spec = TableSpec("d371700002", "people", BASE, key=("sfzh",))
    before = lake.list_tables("d371700002")  # the demo world's tables of the department
    report = lake.ensure_table(spec)
    assert report.created and report.changed
    schema = lake.table(spec).schema()
    assert [f.name for f in schema.fields] == ["sfzh", "xm", "age"]
    assert schema.find_field("sfzh").required
    assert schema.find_field("xm").doc == "姓名"
    assert sorted(lake.list_tables("d371700002")) == sorted([*before, "d371700002.people"])
    assert lake.snapshots(spec) == [] and lake.row_count(spec) == 0
    again = lake.ensure_table(spec)
    assert not again.created and not again.changed


def test_evolve_adds_columns_and_reports_missing(lake: Lake) -> None:
    lake.ensure_table(TableSpec("d371700002", "people", BASE))
    lake.load(
        TableSpec("d371700002", "people", BASE),
        [pa.record_batch({"sfzh": ["a"], "xm": ["张三"], "age": [30]})],
        batch_id="old",
    )
    evolved = TableSpec(
        "d371700002",
        "people",
        (BASE[0], BASE[2], ColumnSpec("dz", ItemType.STRING, "住址")),
    )
    report = lake.ensure_table(evolved)
    assert report.extra == ("dz",)
    assert report.missing == ("xm",)
    assert [f.name for f in lake.table(evolved).schema().fields] == ["sfzh", "xm", "age", "dz"]
    lake.load(evolved, [pa.record_batch({"sfzh": ["b"], "age": [5], "dz": ["菏泽"]})], batch_id="n")
    rows = lake.table(evolved).scan().to_arrow().sort_by("sfzh").to_pylist()
    assert rows == [
        {"sfzh": "a", "xm": "张三", "age": 30, "dz": None},
        {"sfzh": "b", "xm": None, "age": 5, "dz": "菏泽"},
    ]


def test_incompatible_type_change_is_refused(lake: Lake) -> None:
    lake.ensure_table(TableSpec("d371700002", "people", BASE))
    changed = TableSpec(
        "d371700002", "people", (BASE[0], BASE[1], ColumnSpec("age", ItemType.DATE, "年龄"))
    )
    with pytest.raises(InvalidInput) as e:
        lake.ensure_table(changed)
    assert e.value.code == "lake.incompatible_type"
    assert e.value.params["column"] == "age"
    assert e.value.params["old"] == "long" and e.value.params["new"] == "date"
    assert "age" in e.value.message("zh")
    assert [str(f.field_type) for f in lake.table(changed).schema().fields][2] == "long"


def test_drop_table_removes_files(lake: Lake, tmp_path: Path) -> None:
    spec = TableSpec("d371700001", "t", BASE)
    lake.ensure_table(spec)
    result = lake.load(spec, [pa.record_batch({"sfzh": ["a"]})], batch_id="b")
    assert all(Path(f).exists() for f in result.files_added)
    lake.drop_table(spec)
    assert not lake.exists(spec)
    assert not any(Path(f).exists() for f in result.files_added)
    with pytest.raises(NotFound) as e:
        lake.table(spec)
    assert e.value.code == "lake.unknown_table"


def test_catalog_lives_in_the_metadata_database(settings: Settings, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect

    with Lake(db_url=settings.database.url, warehouse=tmp_path / "w") as lake:
        lake.ensure_table(TableSpec("d371700001", "t", BASE))
    engine = create_engine(settings.database.url)
    try:
        assert "iceberg_tables" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    with Lake(db_url=settings.database.url, warehouse=tmp_path / "w") as lake:
        assert lake.exists("d371700001.t")
