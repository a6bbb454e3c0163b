"""SensorThings query options other than ``$filter``/``$orderby``: each is implemented as STA 1.1
says or refused with a 400 naming it; an unknown ``$`` option is never ignored."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import Device
from tests.conftest import login_token
from tests.domains.iot.conftest import StaWorld


def _get(client: TestClient, sta: StaWorld, path: str, status: int = 200, **params: Any) -> Any:
    r = client.get(f"/sta/v1.1/{path}", params=params, headers=sta.headers)
    assert r.status_code == status, r.text
    return r.json()


def _err(client: TestClient, sta: StaWorld, path: str, **params: Any) -> dict[str, Any]:
    body = _get(client, sta, path, 400, **params)
    assert body["ok"] is False
    return dict(body["error"])


def _query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


@pytest.mark.parametrize("option", ["$foo", "$format", "$search", "$apply", "$levels", "$TOP"])
def test_unknown_dollar_options_are_refused_by_name(
    client: TestClient, sta: StaWorld, option: str
) -> None:
    for path in ("Things", "Things(1)", "Observations", f"Datastreams({sta.ds})/Observations"):
        err = _err(client, sta, path, **{option: "1"})
        assert err["code"] == "iot.sta_unsupported_option"
        assert err["details"] == [{"option": option}] and option in err["message"]
    assert _get(client, sta, "Things", cachebust="1", **{"$top": "1"})["value"]  # not a $ option


def test_top_skip_count_and_next_link(client: TestClient, sta: StaWorld) -> None:
    path = f"Datastreams({sta.ds})/Observations"
    page = _get(client, sta, path, **{"$top": "2", "$skip": "1", "$count": "true"})
    assert page["@iot.count"] == 4 and [o["result"] for o in page["value"]] == [2.5, 3.75]
    assert next(iter(page)) == "@iot.count"  # the count comes before the value
    assert _query(page["@iot.nextLink"]) == {"$top": "2", "$skip": "3", "$count": "true"}
    last = client.get(page["@iot.nextLink"], headers=sta.headers).json()
    assert [o["result"] for o in last["value"]] == [4.0] and "@iot.nextLink" not in last
    assert "@iot.count" not in _get(client, sta, path, **{"$count": "false"})
    none = _get(client, sta, path, **{"$top": "0", "$count": "true"})
    assert none["value"] == [] and none["@iot.count"] == 4
    assert _get(client, sta, path, **{"$skip": "10"})["value"] == []
    default = _get(client, sta, "Things")
    assert len(default["value"]) == 100 and _query(default["@iot.nextLink"])["$skip"] == "100"
    big = _get(client, sta, "Things", **{"$top": "5000"})  # above the limit: the limit applies
    assert len(big["value"]) == 1000 and _query(big["@iot.nextLink"]) == {
        "$top": "1000",
        "$skip": "1000",
    }
    for name, value in (("$top", "-1"), ("$top", "abc"), ("$skip", "1.5"), ("$count", "yes")):
        err = _err(client, sta, "Things", **{name: value})
        assert err["code"] == "iot.sta_bad_query" and err["details"] == [{"option": name}]
    r = client.get("/sta/v1.1/Things?$top=1&$top=2", headers=sta.headers)
    assert r.status_code == 400 and r.json()["error"]["details"] == [{"option": "$top"}]


def test_count_respects_filter_and_scope(
    client: TestClient, sta: StaWorld, session: Session
) -> None:
    total = session.scalar(select(func.count()).select_from(Device))
    assert _get(client, sta, "Things", **{"$count": "true", "$top": "1"})["@iot.count"] == total
    mudanqu = {"Authorization": f"Bearer {login_token(client, 'mudanqu')}"}
    mine = session.scalar(select(func.count()).where(Device.district_code == "371702"))
    r = client.get("/sta/v1.1/Things", params={"$count": "true"}, headers=mudanqu)
    assert r.json()["@iot.count"] == mine
    outside = {"$count": "true", "$filter": "properties/district eq '371721'"}
    assert client.get("/sta/v1.1/Things", params=outside, headers=mudanqu).json()["@iot.count"] == 0


def test_select(client: TestClient, sta: StaWorld) -> None:
    one = _get(client, sta, f"Things({sta.level.id})", **{"$select": "id,name"})
    assert one == {"@iot.id": sta.level.id, "name": sta.level.code}
    links = _get(client, sta, f"Things({sta.level.id})", **{"$select": "Datastreams,@iot.selfLink"})
    assert set(links) == {"@iot.selfLink", "Datastreams@iot.navigationLink"}
    obs = _get(client, sta, f"Datastreams({sta.ds})/Observations", **{"$select": "result"})
    assert obs["value"] == [{"result": v} for v in sta.levels]
    for bad in ("nope", "properties/type", "id,,name", "Sensor"):
        err = _err(client, sta, "Things", **{"$select": bad})
        assert err["code"] == "iot.sta_bad_query" and err["details"] == [{"option": "$select"}]


def test_expand_with_nested_options(client: TestClient, sta: StaWorld) -> None:
    nested = "Datastreams($expand=Observations($top=2;$skip=1;$count=true;$select=result;$orderby=phenomenonTime desc)),Locations($select=location)"  # noqa: E501
    thing = _get(client, sta, f"Things({sta.level.id})", **{"$expand": nested, "$select": "name"})
    assert set(thing) == {"name", "Datastreams", "Locations"}
    (ds,) = thing["Datastreams"]
    assert ds["Observations@iot.count"] == 4
    assert ds["Observations"] == [{"result": 3.75}, {"result": 2.5}]
    more = client.get(ds["Observations@iot.nextLink"], headers=sta.headers).json()
    assert [o["result"] for o in more["value"]] == [1.25]  # the link keeps the nested options
    point = {"type": "Point", "coordinates": [sta.level.lon, sta.level.lat]}
    assert thing["Locations"] == [{"location": point}]
    slash = _get(client, sta, f"Things({sta.smoke.id})",
                 **{"$expand": "Datastreams/Observations($filter=result gt 0.1)"})  # fmt: skip
    got = {d["name"]: [o["result"] for o in d["Observations"]] for d in slash["Datastreams"]}
    assert got == {f"{sta.smoke.code}:smoke": [0.5], f"{sta.smoke.code}:temp": [20.0, 21.0]}
    filtered = _get(client, sta, f"Things({sta.smoke.id})/Datastreams",
                    **{"$expand": "Thing($select=id),Observations($top=0;$count=true)",
                       "$filter": "properties/metric eq 'temp'"})  # fmt: skip
    (only,) = filtered["value"]
    assert only["Thing"] == {"@iot.id": sta.smoke.id} and only["Observations@iot.count"] == 2
    obs_id = _get(client, sta, f"Datastreams({sta.ds})/Observations")["value"][0]["@iot.id"]
    up = _get(client, sta, f"Observations({obs_id})", **{"$expand": "Datastream/Thing"})
    assert up["Datastream"]["@iot.id"] == sta.ds and up["Datastream"]["Thing"]["@iot.id"] == (
        sta.level.id
    )
    things = _get(client, sta, "Locations", **{"$top": "2", "$expand": "Things"})["value"]
    assert [loc["Things"][0]["@iot.id"] for loc in things] == [loc["@iot.id"] for loc in things]


@pytest.mark.parametrize(
    ("expand", "code", "option"),
    [
        ("Sensor", "iot.sta_bad_query", "$expand"),
        ("Datastreams/ObservedProperty", "iot.sta_bad_query", "$expand"),
        ("Datastreams($foo=1)", "iot.sta_unsupported_option", "$foo"),
        ("Datastreams(top=1)", "iot.sta_unsupported_option", "top"),
        ("Datastreams($resultFormat=dataArray)", "iot.sta_unsupported_option", "$resultFormat"),
        ("Datastreams($expand=Thing($top=1))", "iot.sta_bad_query", "$top"),
        ("Datastreams($top=x)", "iot.sta_bad_query", "$top"),
        ("Datastreams($filter=nope eq 1)", "iot.sta_bad_query", "$filter"),
        ("Datastreams(", "iot.sta_bad_query", "$expand"),
        ("Datastreams,,Locations", "iot.sta_bad_query", "$expand"),
    ],
)
def test_bad_expansions_are_refused(
    client: TestClient, sta: StaWorld, expand: str, code: str, option: str
) -> None:
    err = _err(client, sta, "Things", **{"$expand": expand})
    assert err["code"] == code and err["details"] == [{"option": option}]


def test_collection_options_on_a_single_entity_are_refused(
    client: TestClient, sta: StaWorld
) -> None:
    for name, value in (("$top", "1"), ("$skip", "1"), ("$count", "true"),
                        ("$filter", "id eq 1"), ("$orderby", "id"),
                        ("$resultFormat", "dataArray")):  # fmt: skip
        err = _err(client, sta, f"Things({sta.level.id})", **{name: value})
        assert err["code"] == "iot.sta_bad_query" and err["details"] == [{"option": name}]


def test_result_format_data_array(client: TestClient, sta: StaWorld) -> None:
    path = f"Datastreams({sta.ds})/Observations"
    page = _get(client, sta, path, **{"$resultFormat": "dataArray", "$count": "true", "$top": "3"})
    assert page["@iot.count"] == 4 and "@iot.nextLink" in page
    (block,) = page["value"]
    assert block["Datastream@iot.navigationLink"].endswith(f"/Datastreams({sta.ds})")
    assert block["components"] == ["id", "phenomenonTime", "resultTime", "result"]
    assert block["dataArray@iot.count"] == 3 and [row[3] for row in block["dataArray"]] == [
        1.25,
        2.5,
        3.75,
    ]
    picked = _get(client, sta, "Observations", **{
        "$resultFormat": "dataArray", "$select": "result,phenomenonTime",
        "$filter": f"Datastream/Thing/id eq {sta.smoke.id}"})  # fmt: skip
    assert [b["components"] for b in picked["value"]] == [["result", "phenomenonTime"]] * 2
    assert [[r[0] for r in b["dataArray"]] for b in picked["value"]] == [[0.0, 0.5], [20.0, 21.0]]
    array = {"$resultFormat": "dataArray"}
    for params in ({"$resultFormat": "GeoJSON"}, array | {"$expand": "Datastream"},
                   array | {"$select": "Datastream"}):  # fmt: skip
        assert _err(client, sta, path, **params)["code"] == "iot.sta_bad_query"
    err = _err(client, sta, "Things", **{"$resultFormat": "dataArray"})
    assert err["details"] == [{"option": "$resultFormat"}]


def test_navigation_paths_and_not_found(client: TestClient, sta: StaWorld) -> None:
    obs_id = _get(client, sta, f"Datastreams({sta.ds})/Observations")["value"][0]["@iot.id"]
    assert _get(client, sta, f"Observations({obs_id})/Datastream")["@iot.id"] == sta.ds
    assert _get(client, sta, f"Datastreams({sta.ds})/Thing")["@iot.id"] == sta.level.id
    locs = _get(client, sta, f"Locations({sta.level.id})/Things")["value"]
    assert [t["@iot.id"] for t in locs] == [sta.level.id]
    none = 2_000_000_000  # a valid id no thing has (0 is not an id: 422, like every id path)
    for path in (f"Things({none})", f"Things({none})/Datastreams", f"Datastreams({sta.ds + 5})",
                 f"Observations({obs_id + 5})", f"Locations({none})/Things"):  # fmt: skip
        assert _get(client, sta, path, 404)["error"]["code"] == "iot.sta_not_found"


def test_default_order_is_the_id_order_on_every_page(client: TestClient, sta: StaWorld) -> None:
    """Datastreams and Observations are one arm per metric, merged: each page in @iot.id order,
    the same as ``$orderby=id`` gives (which sorts in the database)."""
    for path, skips in (("Datastreams", (0, 3, 995, 3000)), ("Observations", (0, 17, 5000))):
        for skip in skips:
            page = _get(client, sta, path, **{"$skip": str(skip), "$top": "25"})
            ids = [e["@iot.id"] for e in page["value"]]
            assert ids == sorted(ids) and len(set(ids)) == len(ids)
            sorted_db = _get(
                client, sta, path, **{"$skip": str(skip), "$top": "25", "$orderby": "id"}
            )
            assert ids == [e["@iot.id"] for e in sorted_db["value"]], (path, skip)
            assert ("@iot.nextLink" in page) == ("@iot.nextLink" in sorted_db)
