"""SensorThings ``$filter`` and ``$orderby``: every operator and function docs/iot.md lists is
evaluated (in SQL), a function it does not list is refused by name, wrong types are a 400."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import Device
from tests.domains.iot.conftest import StaWorld


def _get(client: TestClient, sta: StaWorld, path: str, **params: Any) -> Any:
    r = client.get(f"/sta/v1.1/{path}", params=params, headers=sta.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _results(client: TestClient, sta: StaWorld, flt: str, **params: Any) -> list[float]:
    got = _get(client, sta, f"Datastreams({sta.ds})/Observations", **{"$filter": flt} | params)
    return [o["result"] for o in got["value"]]


def _z(t: Any) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("flt", "want"),
    [
        ("result gt 2.5", [3.75, 4.0]),
        ("result ge 2.5 and result lt 4", [2.5, 3.75]),
        ("result eq 4 or result le 1.25", [1.25, 4.0]),
        ("not (result gt 1.25)", [1.25]),
        ("result ne 2.5", [1.25, 3.75, 4.0]),
        ("result eq null", []),
        ("result ne null", [1.25, 2.5, 3.75, 4.0]),
        ("result add 1 gt 4", [3.75, 4.0]),
        ("result sub 1 lt 1", [1.25]),
        ("result mul 2 eq 5", [2.5]),
        ("result div 2 eq 2", [4.0]),
        ("result div 0 gt 1", []),  # null, not a database error
        ("result mod 2 eq 0", [4.0]),
        ("(result sub 1) mul 4 eq 11", [3.75]),
        ("round(result) eq 4", [3.75, 4.0]),
        ("floor(result) eq 2", [2.5]),
        ("ceiling(result) eq 2", [1.25]),
        ("phenomenonTime lt now() and resultTime gt mindatetime()", [1.25, 2.5, 3.75, 4.0]),
        ("phenomenonTime lt maxdatetime()", [1.25, 2.5, 3.75, 4.0]),
    ],
)
def test_operators_and_math(client: TestClient, sta: StaWorld, flt: str, want: list) -> None:
    assert _results(client, sta, flt) == want


def test_time_functions_and_literals(client: TestClient, sta: StaWorld) -> None:
    t0 = sta.t0
    assert _results(client, sta, f"phenomenonTime ge {_z(t0 + timedelta(minutes=5))}") == [
        2.5,
        3.75,
        4.0,
    ]
    assert _results(client, sta, f"resultTime eq '{_z(t0)}'") == [1.25]  # a quoted time too
    for fn, part in (("year", t0.year), ("month", t0.month), ("day", t0.day), ("hour", t0.hour)):
        assert _results(client, sta, f"{fn}(phenomenonTime) eq {part}") == list(sta.levels)
    assert _results(client, sta, "minute(phenomenonTime) ge 10") == [3.75, 4.0]
    assert _results(client, sta, "second(phenomenonTime) eq 0") == list(sta.levels)
    a, b = _z(t0 + timedelta(minutes=5)), _z(t0 + timedelta(minutes=15))
    window = f"{a}/{b}"  # half-open: 5 and 10 minutes in, not 15
    assert _results(client, sta, f"during(phenomenonTime, {window})") == [2.5, 3.75]
    assert _results(client, sta, f"overlaps(phenomenonTime, {window})") == [2.5, 3.75]
    assert _results(client, sta, f"before(phenomenonTime, {window})") == [1.25]
    assert _results(client, sta, f"after(phenomenonTime, {window})") == [4.0]
    assert _results(client, sta, f"before(phenomenonTime, {a})") == [1.25]
    assert _results(client, sta, f"after(phenomenonTime, {a})") == [3.75, 4.0]
    assert _results(client, sta, f"starts(phenomenonTime, {window})") == [2.5]
    assert _results(client, sta, f"finishes(phenomenonTime, {window})") == [4.0]
    assert _results(client, sta, f"meets(phenomenonTime, {window})") == [2.5, 4.0]


def test_string_functions(client: TestClient, sta: StaWorld, session: Session) -> None:
    code = sta.level.code  # WL-<district>-<serial>
    water = session.scalar(select(func.count()).where(Device.type == "water_level"))

    def names(flt: str) -> list[str]:
        got = _get(client, sta, "Things", **{"$filter": flt, "$top": "1000", "$count": "true"})
        assert got["@iot.count"] == len(got["value"])
        return [t["name"] for t in got["value"]]

    assert len(names("startswith(name, 'WL-')")) == water
    assert len(names("substringof('WL-', name)")) == water
    assert len(names("contains(name, 'WL-') and properties/type eq 'water_level'")) == water
    assert names(f"endswith(name, '{code[3:]}') and startswith(name, 'WL')") == [code]
    assert names(f"length(name) eq {len(code)} and name eq '{code}'") == [code]
    assert names(f"indexof(name, '{code[3:]}') eq 3") == [code]
    assert names(f"substring(name, 3) eq '{code[3:]}' and substring(name, 0, 2) eq 'WL'") == [code]
    assert names(f"tolower(name) eq '{code.lower()}'") == [code]
    assert names(f"toupper(tolower(name)) eq '{code}'") == [code]
    assert names(f"trim(concat(concat(' ', name), ' ')) eq '{code}'") == [code]
    assert names(f"concat(name, '!') eq '{code}!'") == [code]
    assert names("name eq 'it''s not there'") == []


def test_paths_across_navigations(client: TestClient, sta: StaWorld, session: Session) -> None:
    def ids(path: str, flt: str) -> set[int]:
        got = _get(client, sta, path, **{"$filter": flt, "$top": "1000"})
        return {e["@iot.id"] for e in got["value"]}

    ds = sta.ds
    assert len(ids("Observations", f"Datastream/id eq {ds}")) == 4
    assert len(ids("Observations", f"Datastream/id eq '{ds}'")) == 4  # quoted, as in STA 1.1
    assert len(ids("Observations", f"Datastream/Thing/name eq '{sta.level.code}'")) == 4
    smoke_ds = {sta.smoke.id * 8, sta.smoke.id * 8 + 1}
    assert ids("Datastreams", f"Thing/id eq {sta.smoke.id}") == smoke_ds
    assert ids("Datastreams", "Observations/result ge 3.9") >= {ds}
    assert sta.level.id in ids("Things", "Datastreams/Observations/result eq 3.75")
    assert ids("Things", f"Datastreams/name eq '{sta.smoke.code}:temp'") == {sta.smoke.id}
    assert ids("Locations", f"Things/name eq '{sta.level.code}'") == {sta.level.id}
    assert ids("Things", f"Locations/name eq '{sta.level.code}'") == {sta.level.id}
    smoke = session.scalar(select(func.count()).where(Device.type == "smoke"))
    got = _get(client, sta, "Datastreams", **{"$filter": "Thing/properties/type eq 'smoke'",
                                              "$count": "true", "$top": "0"})  # fmt: skip
    assert got["@iot.count"] == 2 * smoke and got["value"] == []


def test_id_comparisons(client: TestClient, sta: StaWorld) -> None:
    """``@iot.id`` of a datastream or an observation is row id × 8 + metric: every comparison
    still means the number."""
    s = sta.smoke.id * 8  # s: smoke, s + 1: temp

    def ids(flt: str) -> list[int]:
        got = _get(client, sta, f"Things({sta.smoke.id})/Datastreams", **{"$filter": flt})
        return [d["@iot.id"] for d in got["value"]]

    assert ids(f"id eq {s}") == [s] and ids(f"{s + 1} eq id") == [s + 1]
    assert ids(f"id eq {s + 2}") == [] and ids(f"id ne {s}") == [s + 1]
    assert ids(f"id gt {s}") == [s + 1] and ids(f"id ge {s + 1}") == [s + 1]
    assert ids(f"id lt {s + 1}") == [s] and ids(f"id le {s}") == [s]
    assert ids(f"id gt {s - 1} and id lt {s + 2}") == [s, s + 1]
    assert ids(f"{s} lt id") == [s + 1] and ids(f"id eq {s}.0") == [s]
    assert ids(f"id add 0 eq {s + 1}") == [s + 1]  # arithmetic: no shortcut, same answer
    obs = _get(client, sta, f"Datastreams({sta.ds})/Observations")["value"]
    first, second = obs[0]["@iot.id"], obs[1]["@iot.id"]
    got = _get(client, sta, "Observations", **{"$filter": f"id ge {first} and id le {second}"})
    assert [o["@iot.id"] for o in got["value"]] == [first, second]


@pytest.mark.parametrize(
    ("flt", "name"),
    [
        ("geo.intersects(location, geography'POINT(115 35)')", "geo.intersects"),
        ("geo.distance(location, geography'POINT(115 35)') lt 1", "geo.distance"),
        ("st_within(location, geography'POLYGON((0 0,1 0,1 1,0 0))')", "st_within"),
        ("fractionalseconds(phenomenonTime) eq 0", "fractionalseconds"),
        ("date(phenomenonTime) eq date(resultTime)", "date"),
        ("totaloffsetminutes(phenomenonTime) eq 0", "totaloffsetminutes"),
        ("matchesPattern(name, '^WL')", "matchesPattern"),
    ],
)
def test_unsupported_functions_are_refused_by_name(
    client: TestClient, sta: StaWorld, flt: str, name: str
) -> None:
    r = client.get("/sta/v1.1/Things", params={"$filter": flt}, headers=sta.headers)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "iot.sta_unsupported_function" and err["details"] == [{"function": name}]
    assert name in err["message"]


@pytest.mark.parametrize(
    "flt",
    [
        "name eq",
        "year(name) eq 2026",
        "startswith(properties/interval_s, '3')",
        "name gt 5",
        "name",
        "nosuchproperty eq 1",
        "Sensor/name eq 'x'",
        "Datastreams/name eq Datastreams/Observations/id",  # two to-many paths in one term
        "name eq 'a' garbage",
        "substring(name)",
        "name in ('a', 'b')",
    ],
)
def test_malformed_filters_are_a_400(client: TestClient, sta: StaWorld, flt: str) -> None:
    r = client.get("/sta/v1.1/Things", params={"$filter": flt}, headers=sta.headers)
    assert r.status_code == 400, (flt, r.text)
    err = r.json()["error"]
    assert err["code"] == "iot.sta_bad_query" and err["details"] == [{"option": "$filter"}]


def test_orderby(client: TestClient, sta: StaWorld, session: Session) -> None:
    assert _results(client, sta, "result gt 0", **{"$orderby": "result desc"}) == [
        4.0,
        3.75,
        2.5,
        1.25,
    ]
    by_time = _get(client, sta, f"Datastreams({sta.ds})/Observations",
                   **{"$orderby": "phenomenonTime desc", "$top": "2"})  # fmt: skip
    assert [o["result"] for o in by_time["value"]] == [4.0, 3.75] and "@iot.nextLink" in by_time
    things = _get(client, sta, "Things", **{"$orderby": "properties/type,name desc", "$top": "50"})
    order = (Device.type, Device.code.desc())
    rows = session.execute(select(Device.type, Device.code).order_by(*order).limit(50)).all()
    assert [t["name"] for t in things["value"]] == [code for _, code in rows]
    both = _get(client, sta, "Observations", **{
        "$filter": f"Datastream/Thing/id eq {sta.smoke.id}",
        "$orderby": "Datastream/id desc, result asc"})  # fmt: skip
    assert [o["result"] for o in both["value"]] == [20.0, 21.0, 0.0, 0.5]
    expr = _get(client, sta, f"Datastreams({sta.ds})/Observations",
                **{"$orderby": "result mod 2 desc, result"})  # fmt: skip
    assert [o["result"] for o in expr["value"]] == [3.75, 1.25, 2.5, 4.0]  # 1.75 1.25 0.5 0
    for bad in ("result up", "Datastreams/name", "result,", "startswith(name"):
        r = client.get("/sta/v1.1/Observations", params={"$orderby": bad}, headers=sta.headers)
        assert r.status_code == 400 and r.json()["error"]["details"] == [{"option": "$orderby"}]
