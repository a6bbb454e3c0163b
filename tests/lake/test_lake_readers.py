"""Readers: encodings never garbled, spreadsheets with title rows, JSON, Parquet, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from mudan.core.errors import InvalidInput
from mudan.lake.headers import map_headers, safe_upload_name
from mudan.lake.readers import SourceReader, open_source
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec

SPEC = TableSpec(
    "d371700002",
    "people",
    (
        ColumnSpec("sfzh", ItemType.STRING, "公民身份号码"),
        ColumnSpec("xm", ItemType.STRING, "姓名"),
        ColumnSpec("dz", ItemType.STRING, "住址"),
        ColumnSpec("nl", ItemType.INTEGER, "年龄"),
    ),
)
ROWS = [
    ("371702199001011234", "张三", "菏泽市牡丹区东城街道中华路1号", "34"),
    ("371721198512120021", "李四", "曹县青菏街道", ""),
    ("371722200002020013", "欧阳娜娜", "单县园艺街道“胜利”路（东段）", "24"),
]
CSV_TEXT = "公民身份号码,姓名,住址,年龄\n" + "".join(",".join(r) + "\n" for r in ROWS)


def read_all(reader: SourceReader) -> list[dict[str, str | None]]:
    return [row for b in reader for row in b.to_pylist()]


def expected() -> list[dict[str, str | None]]:
    names = ["公民身份号码", "姓名", "住址", "年龄"]
    return [{n: (v or None) for n, v in zip(names, r, strict=True)} for r in ROWS]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    reader = open_source(path)
    assert reader.encoding == detected
    assert reader.columns == ["公民身份号码", "姓名", "住址", "年龄"]
    assert read_all(reader) == expected()
    assert all(f.type == pa.string() for b in reader for f in b.schema)


def test_gb18030_only_characters_survive(tmp_path: Path) -> None:
    text = "xm,dz\n𠮷野家,菏泽\n"  # 𠮷 is outside GBK: only GB18030 (4-byte) has it
    path = tmp_path / "rare.csv"
    path.write_bytes(text.encode("gb18030"))
    reader = open_source(path)
    assert reader.encoding == "gb18030"
    assert read_all(reader) == [{"xm": "𠮷野家", "dz": "菏泽"}]


def test_csv_streams_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("a,b\n" + "".join(f"{i},值{i}\n" for i in range(10_000)), encoding="utf-8")
    batches = list(open_source(path, batch_rows=1000))
    assert len(batches) >= 10 and max(b.num_rows for b in batches) <= 1000
    assert sum(b.num_rows for b in batches) == 10_000
    assert batches[0].column("a")[0].as_py() == "0"  # strings, never inferred numbers


def test_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("sfzh\txm\n1\t张三\n", encoding="utf-8")
    assert read_all(open_source(path)) == [{"sfzh": "1", "xm": "张三"}]


def test_mixed_encoding_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    head = CSV_TEXT.encode("utf-8") * 1  # a clean UTF-8 sample ...
    filler = ("371702199001011234,张三,菏泽,1\n" * 40_000).encode("utf-8")
    path.write_bytes(head + filler + "371702199001011234,李四,曹县,2\n".encode("gbk"))
    reader = open_source(path)
    assert reader.encoding == "utf-8"
    with pytest.raises(InvalidInput) as e:
        read_all(reader)
    assert e.value.code == "lake.bad_encoding"


def test_mixed_encoding_in_gbk_file(tmp_path: Path) -> None:
    path = tmp_path / "mixed_gbk.csv"
    body = ("371702199001011234,张三,菏泽,1\n" * 40_000).encode("gbk")
    path.write_bytes(CSV_TEXT.encode("gbk") + body + b"1,\x80\xff,x,2\n")
    reader = open_source(path)
    assert reader.encoding == "gb18030"
    with pytest.raises(InvalidInput) as e:
        read_all(reader)
    assert e.value.code == "lake.bad_encoding"


@pytest.mark.parametrize(
    "content",
    [b"a,b,c\n1,2,3\n4,5\n", b'a,b\n1,2\n3,"unterminated\n'],
    ids=["short-row", "truncated-quote"],
)
def test_corrupt_or_truncated_csv(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as e:
        read_all(open_source(path))
    assert e.value.code == "lake.bad_csv"
    assert e.value.params["line"] >= 2


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as e:
        open_source(path)
    assert e.value.code == "lake.empty_file"


def test_duplicate_header_and_unknown_format(tmp_path: Path) -> None:
    dup = tmp_path / "dup.csv"
    dup.write_text("a,a\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        open_source(dup)
    assert e.value.code == "lake.bad_header"
    other = tmp_path / "x.doc"
    other.write_bytes(b"x")
    with pytest.raises(InvalidInput) as e:
        open_source(other)
    assert e.value.code == "lake.unknown_format"


def test_xlsx_with_merged_title_rows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["菏泽市公安局户籍人口信息表"])
    ws.merge_cells("A1:D1")
    ws.append(["填报单位：菏泽市公安局", None, "填报日期：2024-03-01"])
    ws.append(["公民身份号码", "姓名", "住址", "年龄"])
    for sfzh, xm, dz, nl in ROWS:
        ws.append([sfzh, xm, dz, int(nl) if nl else None])
    ws.append([])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    for spec in (SPEC, None):
        reader = open_source(path, spec=spec)
        assert reader.columns == ["公民身份号码", "姓名", "住址", "年龄"]
        assert read_all(reader) == expected()


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidInput) as e:
        open_source(path)
    assert e.value.code == "lake.bad_xlsx"


def test_ndjson_and_json_array(tmp_path: Path) -> None:
    records = [
        {"sfzh": "371702199001011234", "xm": "张三", "nl": 34, "ok": True},
        {"sfzh": "371721198512120021", "xm": "李四", "nl": None, "tags": ["a"]},
    ]
    nd = tmp_path / "p.ndjson"
    nd.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", "utf-8")
    arr = tmp_path / "p.json"
    arr.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    want = [
        {"sfzh": "371702199001011234", "xm": "张三", "nl": "34", "ok": "true", "tags": None},
        {"sfzh": "371721198512120021", "xm": "李四", "nl": None, "ok": None, "tags": '["a"]'},
    ]
    for path in (nd, arr):
        reader = open_source(path)
        assert reader.columns == ["sfzh", "xm", "nl", "ok", "tags"]
        assert read_all(reader) == want


def test_bad_ndjson_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text('{"a": "1"}\n{"a": \n', encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        read_all(open_source(path))
    assert e.value.code == "lake.bad_json" and e.value.params["line"] == 2


def test_parquet_source(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"xm": ["张三", "李四"], "nl": [34, None]}), path)
    reader = open_source(path, batch_rows=1)
    batches = list(reader)
    assert len(batches) == 2
    assert read_all(reader) == [{"xm": "张三", "nl": "34"}, {"xm": "李四", "nl": None}]
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 garbage")
    with pytest.raises(InvalidInput) as e:
        open_source(bad)
    assert e.value.code == "lake.bad_parquet"


def test_map_headers_by_name_or_label() -> None:
    m = map_headers(["公民身份号码", "XM", " 住 址 ", "备注"], SPEC)
    assert m.mapped == {"公民身份号码": "sfzh", "XM": "xm", " 住 址 ": "dz"}
    assert m.extra == ("备注",)
    assert m.missing == ("nl",)
    assert m.rename(["公民身份号码", "备注"]) == ["sfzh", "备注"]


@pytest.mark.parametrize(
    "name", ["../etc/passwd", "/etc/passwd", "a/b.csv", "..\\x.csv", "C:evil.csv", "", ".hidden"]
)
def test_safe_upload_name_refuses_traversal(name: str) -> None:
    with pytest.raises(InvalidInput) as e:
        safe_upload_name(name)
    assert e.value.code == "lake.bad_filename"


def test_safe_upload_name_keeps_chinese_names() -> None:
    assert safe_upload_name(" 2024年人口数据.csv ") == "2024年人口数据.csv"
