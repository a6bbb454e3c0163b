"""The quality engine on real Arrow batches: casting, every rule kind, row numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mudan.core.errors import InvalidInput
from mudan.domains.quality.casting import cast_column
from mudan.domains.quality.engine import Evaluation, check_freshness, evaluate
from mudan.domains.quality.enums import RuleKind, Severity, UpdateCycle
from mudan.domains.quality.rules import KEY_SEP, Rule, RuleContext, validate_rule
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema

T = ItemType
CTX = RuleContext(today=date(2026, 1, 1))
VALID_ID = "11010519491231002X"
VALID_USCC = "91350100M000100Y43"


def spec_of(*cols: ColumnSpec, key: tuple[str, ...] = ()) -> TableSpec:
    return TableSpec("d371700002", "people", cols, key=key)


def run(
    data: dict[str, list[str | None]],
    spec: TableSpec,
    rules: list[Rule] = [],  # noqa: B006 - never mutated
    ctx: RuleContext = CTX,
    offset: int = 0,
) -> Evaluation:
    batch = pa.record_batch({k: pa.array(v, pa.string()) for k, v in data.items()})
    for r in rules:
        validate_rule(r, spec)
    return evaluate(batch, spec, rules, row_offset=offset, context=ctx)


def failing_rows(ev: Evaluation, rule_id: int | str) -> list[int]:
    return sorted(v.row_number for v in ev.bad + ev.warnings if v.rule_id == rule_id)


def test_types_cast_and_bad_values_are_violations_not_nulls() -> None:
    spec = spec_of(
        ColumnSpec("n", T.INTEGER),
        ColumnSpec("amount", T.DECIMAL),
        ColumnSpec("ratio", T.FLOAT),
        ColumnSpec("born", T.DATE),
        ColumnSpec("at", T.TIMESTAMP),
        ColumnSpec("alive", T.BOOLEAN),
    )
    ev = run(
        {
            "n": ["1", " -7 ", "", "1.5"],
            "amount": ["12.3456", "0", "3", "1.23456"],
            "ratio": ["1e3", ".5", "2", "abc"],
            "born": ["2024-02-29", "2024/01/05", "20240105", "2023-02-29"],
            "at": ["2024-01-05 08:30:00", "2024/01/05T08:30", "20240105083000", "2024-01-05 24:00"],
            "alive": ["是", "否", "TRUE", "也许"],
        },
        spec,
    )
    assert ev.good.schema == arrow_schema(spec)
    assert ev.good.to_pylist() == [
        {
            "n": 1,
            "amount": Decimal("12.3456"),
            "ratio": 1000.0,
            "born": date(2024, 2, 29),
            "at": datetime(2024, 1, 5, 8, 30),
            "alive": True,
        },
        {
            "n": -7,
            "amount": Decimal("0"),
            "ratio": 0.5,
            "born": date(2024, 1, 5),
            "at": datetime(2024, 1, 5, 8, 30),
            "alive": False,
        },
        {
            "n": None,  # the empty string is null, not an error
            "amount": Decimal("3"),
            "ratio": 2.0,
            "born": date(2024, 1, 5),
            "at": datetime(2024, 1, 5, 8, 30),
            "alive": True,
        },
    ]
    bad = {(v.row_number, v.column) for v in ev.bad}
    assert bad == {(4, c) for c in ("n", "amount", "ratio", "born", "at", "alive")}
    assert all(v.rule_kind == "type" for v in ev.bad)
    reason = next(v.reason for v in ev.bad if v.column == "born")
    assert "日期" in reason
    assert ev.bad[0].values["n"] == "1.5"  # the original string is kept


def test_not_nullable_columns_and_missing_source_columns() -> None:
    spec = spec_of(ColumnSpec("name", T.STRING, nullable=False), ColumnSpec("x", T.STRING))
    ev = run({"name": ["甲", "", None]}, spec)  # column x absent from the source: all null
    assert failing_rows(ev, "nullable:name") == [2, 3]
    assert ev.good.num_rows == 1


def test_row_numbers_count_data_rows_from_the_offset() -> None:
    spec = spec_of(ColumnSpec("n", T.INTEGER))
    ev = run({"n": ["1", "x", "2", "y"]}, spec, offset=1000)
    assert [v.row_number for v in ev.bad] == [1002, 1004]


def test_not_null_unique_and_primary_key_against_existing() -> None:
    spec = spec_of(ColumnSpec("code", T.STRING), ColumnSpec("part", T.STRING), key=("code", "part"))
    rules = [
        Rule(1, RuleKind.NOT_NULL, "code"),
        Rule(2, RuleKind.UNIQUE, "code"),
        Rule(3, RuleKind.PRIMARY_KEY, None),
    ]
    ctx = RuleContext(
        today=CTX.today,
        existing_values={"code": frozenset({"old"})},
        existing_keys=frozenset({f"k9{KEY_SEP}b"}),
    )
    ev = run(
        {
            "code": ["a", "a", "", "old", "k9", "k9"],
            "part": ["1", "1", "1", "x", "b", "c"],
        },
        spec,
        rules,
        ctx,
    )
    assert failing_rows(ev, 1) == [3]
    assert failing_rows(ev, 2) == [2, 4, 6]  # later duplicates, and a value already loaded
    assert failing_rows(ev, 3) == [2, 3, 5]  # duplicate key, null key part, existing key
    assert ev.counters["2"].failed == 3


def test_range_numeric_and_date() -> None:
    spec = spec_of(ColumnSpec("age", T.INTEGER), ColumnSpec("day", T.DATE))
    rules = [
        Rule("age", RuleKind.RANGE, "age", {"min": 0, "max": 150}),
        Rule("day", RuleKind.RANGE, "day", {"min": "2020-01-01"}),
    ]
    ev = run(
        {"age": ["-1", "0", "150", "151", ""], "day": ["20191231", "2020/01/01", "", "", ""]},
        spec,
        rules,
    )
    assert failing_rows(ev, "age") == [1, 4]
    assert failing_rows(ev, "day") == [1]


def test_enum_regex_phone() -> None:
    spec = spec_of(
        ColumnSpec("sex", T.STRING), ColumnSpec("plate", T.STRING), ColumnSpec("tel", T.STRING)
    )
    rules = [
        Rule(1, RuleKind.ENUM, "sex", {"values": ["男", "女"]}),
        Rule(2, RuleKind.REGEX, "plate", {"pattern": r"鲁R[A-Z0-9]{5}"}),
        Rule(3, RuleKind.PHONE, "tel"),
    ]
    ev = run(
        {
            "sex": ["男", "女", "未知", ""],
            "plate": ["鲁R12345", "x鲁R12345", "鲁R1234", None],
            "tel": ["13812345678", "0530-5311234", "12812345678", "05305311234"],
        },
        spec,
        rules,
    )
    assert failing_rows(ev, 1) == [3]
    assert failing_rows(ev, 2) == [2, 3]  # anchored: no partial matches
    assert failing_rows(ev, 3) == [3]


def test_citizen_id_and_uscc_with_reasons() -> None:
    spec = spec_of(ColumnSpec("pid", T.STRING), ColumnSpec("uscc", T.STRING))
    rules = [Rule(1, RuleKind.CITIZEN_ID, "pid"), Rule(2, RuleKind.USCC, "uscc")]
    bad_id = VALID_ID[:-1] + "1"
    bad_uscc = VALID_USCC[:-1] + "0"
    ev = run({"pid": [VALID_ID, bad_id, ""], "uscc": [VALID_USCC, "", bad_uscc]}, spec, rules)
    assert failing_rows(ev, 1) == [2]
    assert failing_rows(ev, 2) == [3]
    reasons = {v.rule_id: v.reason for v in ev.bad}
    assert "身份证号" in reasons[1] and "校验码" in reasons[1]
    assert "统一社会信用代码" in reasons[2]


def test_region_code_and_referential() -> None:
    spec = spec_of(ColumnSpec("region", T.STRING), ColumnSpec("dept", T.STRING))
    rules = [
        Rule(1, RuleKind.REGION_CODE, "region"),
        Rule(2, RuleKind.REFERENTIAL, "dept", {"ref": "org.department.code"}),
    ]
    ctx = RuleContext(
        today=CTX.today,
        region_codes=frozenset({"371702", "371702001000"}),
        references={"org.department.code": frozenset({"371700001"})},
    )
    data: dict[str, list[str | None]] = {
        "region": ["371702", "371702001000", "371799", "3717"],
        "dept": ["371700001", "999", "", "371700001"],
    }
    ev = run(data, spec, rules, ctx)
    assert failing_rows(ev, 1) == [3, 4]
    assert failing_rows(ev, 2) == [2]
    skipped = run(data, spec, rules, RuleContext(today=CTX.today))
    assert skipped.counters["2"].skipped and failing_rows(skipped, 2) == []
    assert failing_rows(skipped, 1) == [4]  # without a code list only the shape is checked


def test_cross_field_expressions() -> None:
    spec = spec_of(
        ColumnSpec("start_date", T.DATE), ColumnSpec("end_date", T.DATE), ColumnSpec("n", T.INTEGER)
    )
    rule = Rule(1, RuleKind.CROSS_FIELD, None, {"expression": "end_date >= start_date AND n != 0"})
    ev = run(
        {
            "start_date": ["2024-01-01", "2024-01-05", "2024-01-01", "2024-01-01"],
            "end_date": ["2024-01-02", "2024-01-04", "", "2024-01-01"],
            "n": ["1", "1", "1", "0"],
        },
        spec,
        [rule],
    )
    assert failing_rows(ev, 1) == [2, 4]  # a missing value does not fail the comparison
    lit = Rule(2, RuleKind.CROSS_FIELD, None, {"expression": "start_date < '2024-01-03'"})
    ev = run(
        {"start_date": ["2024-01-01", "2024-01-05"], "end_date": ["", ""], "n": ["", ""]},
        spec,
        [lit],
    )
    assert failing_rows(ev, 2) == [2]


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (
            Rule(1, RuleKind.CROSS_FIELD, None, {"expression": "__import__('os')"}),
            "quality.bad_expression",
        ),
        (
            Rule(1, RuleKind.CROSS_FIELD, None, {"expression": "name = name OR age"}),
            "quality.bad_expression",
        ),
        (Rule(1, RuleKind.CROSS_FIELD, None, {"expression": "nope > 1"}), "quality.unknown_column"),
        (Rule(1, RuleKind.CROSS_FIELD, None, {"expression": "age > 'x'"}), "quality.bad_param"),
        (Rule(1, RuleKind.REGEX, "name", {"pattern": "(unclosed"}), "quality.bad_regex"),
        (Rule(1, RuleKind.REGEX, "name", {"pattern": "(a)\\1"}), "quality.bad_regex"),
        (Rule(1, RuleKind.RANGE, "age", {"min": "old"}), "quality.bad_param"),
        (Rule(1, RuleKind.RANGE, "age", {}), "quality.bad_param"),
        (Rule(1, RuleKind.ENUM, "name", {"values": []}), "quality.bad_param"),
        (Rule(1, RuleKind.NOT_NULL, "ghost"), "quality.unknown_column"),
        (Rule(1, RuleKind.PRIMARY_KEY, None), "quality.no_key"),
        (Rule(1, RuleKind.REFERENTIAL, "name", {"ref": "x"}), "quality.bad_reference"),
    ],
)
def test_bad_rules_are_refused_with_clear_codes(rule: Rule, code: str) -> None:
    spec = spec_of(ColumnSpec("name", T.STRING), ColumnSpec("age", T.INTEGER))
    with pytest.raises(InvalidInput) as exc:
        validate_rule(rule, spec)
    assert exc.value.code == code


def test_warnings_do_not_withhold_rows() -> None:
    spec = spec_of(ColumnSpec("tel", T.STRING))
    ev = run(
        {"tel": ["123", "13812345678"]},
        spec,
        [Rule(1, RuleKind.PHONE, "tel", severity=Severity.WARNING)],
    )
    assert ev.good.num_rows == 2 and not ev.bad and len(ev.warnings) == 1


values = st.one_of(
    st.sampled_from(["", "1", "-3", "x", "2024-01-05", "20240230", "是", "0", "13812345678"]),
    st.text(max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(values, values, values), max_size=40), st.integers(0, 10_000))
def test_good_plus_bad_rows_equal_input_rows(rows: list[tuple[str, str, str]], offset: int) -> None:
    spec = spec_of(
        ColumnSpec("n", T.INTEGER, nullable=False),
        ColumnSpec("d", T.DATE),
        ColumnSpec("b", T.BOOLEAN),
        key=("n",),
    )
    data: dict[str, list[str | None]] = {
        "n": [r[0] for r in rows],
        "d": [r[1] for r in rows],
        "b": [r[2] for r in rows],
    }
    rules = [Rule(1, RuleKind.PRIMARY_KEY, None), Rule(2, RuleKind.RANGE, "n", {"min": 0})]
    ev = run(data, spec, rules, offset=offset)
    bad_rows = {v.row_number for v in ev.bad}
    assert ev.good.num_rows + len(bad_rows) == len(rows)
    assert all(offset < r <= offset + len(rows) for r in bad_rows)


def test_freshness_against_update_cycles() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert not check_freshness(None, UpdateCycle.DAILY, now).fresh
    assert check_freshness(now - timedelta(hours=20), UpdateCycle.DAILY, now).fresh
    stale = check_freshness(now - timedelta(days=3), UpdateCycle.DAILY, now)
    assert not stale.fresh and stale.overdue_by == timedelta(days=2) and "逾期" in stale.reason
    assert check_freshness(now - timedelta(days=80), UpdateCycle.parse("每季度"), now).fresh
    assert UpdateCycle.parse("实时") is UpdateCycle.REALTIME
    assert UpdateCycle.parse("yearly") is UpdateCycle.YEARLY


@settings(max_examples=80, deadline=None)
@given(st.dates(min_value=date(1, 1, 1)), st.sampled_from(["-", "/", ""]))
def test_every_valid_date_casts_to_itself(day: date, sep: str) -> None:
    text = sep.join((f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"))
    spec = spec_of(ColumnSpec("d", T.DATE), ColumnSpec("at", T.TIMESTAMP))
    stamp = f"{day.year:04d}-{day.month:02d}-{day.day:02d} 23:59:59.000001"
    ev = run({"d": [text], "at": [stamp]}, spec)
    assert ev.good.to_pylist() == [
        {"d": day, "at": datetime(day.year, day.month, day.day, 23, 59, 59, 1)}
    ]


def _python_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        # Python accepts unpadded parts; the platform's layouts are fixed-width
        if len(text) == (8 if fmt == "%Y%m%d" else 10):
            return parsed.date()
    return None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda y, m, d, sep: sep.join((f"{y:04d}", f"{m:02d}", f"{d:02d}")),
            st.integers(0, 2100),
            st.integers(0, 13),
            st.integers(0, 32),
            st.sampled_from(["-", "/", ""]),
        )
        | st.sampled_from(["2024-3-5", "2024-03-05x", "x", "2024-02-29", "2023-02-29"]),
        min_size=1,
        max_size=40,
    )
)
def test_date_cast_agrees_with_python(texts: list[str]) -> None:
    """Mixed valid and invalid dates in one column (the fast path and the general parser
    together) give exactly what Python's own parser accepts, row for row."""
    result = cast_column(pa.array(texts), ColumnSpec("d", T.DATE))
    expected = [_python_date(t) for t in texts]
    assert result.values.to_pylist() == expected
    assert list(result.bad) == [e is None for e in expected]
