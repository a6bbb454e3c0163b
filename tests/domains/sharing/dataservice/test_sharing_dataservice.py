"""The data service of a grant: masking, region rows, keyset paging, fields, filters, CSV,
and every refusal with its stable code (400 naming the filter, 403, 429 with Retry-After)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from mudan.domains.sharing.models import ShareGrant
from tests.domains.sharing.conftest import World, bearer, granted, people_rows

ALL = people_rows(60)
MUDAN = sorted((r for r in ALL if r["ssqx"] == "371702"), key=lambda r: r["bh"])


def _get(client: TestClient, gid: int, headers: dict[str, str], **params: object) -> dict:
    r = client.get(f"/api/v1/share/services/{gid}", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _err(
    client: TestClient, gid: int, headers: dict[str, str], **params: object
) -> tuple[int, str, str]:
    r = client.get(f"/api/v1/share/services/{gid}", params=params, headers=headers)
    body = r.json()["error"]
    return r.status_code, body["code"], body["message"]


def test_rows_are_masked_and_limited_to_the_granted_county(
    client: TestClient, world: World
) -> None:
    gid, h = granted(client, world)
    body = _get(client, gid, h, _size=1000)
    assert body["count"] == len(MUDAN) > 0 and body["next"] is None
    assert body["fields"] == ["bh", "xm", "sfzh", "lxdh", "ssqx", "nl", "djrq"]
    for got, raw in zip(body["rows"], MUDAN, strict=True):
        assert got["ssqx"] == "371702" and got["bh"] == raw["bh"]
        assert got["sfzh"] == raw["sfzh"][:6] + "********" + raw["sfzh"][14:]
        assert re.fullmatch(r"138\*{4}\d{4}", got["lxdh"]) and got["lxdh"][-4:] == raw["lxdh"][-4:]
        assert got["xm"] == raw["xm"][0] + "*" * (len(raw["xm"]) - 1)
        assert got["nl"] == raw["nl"] and got["djrq"] == raw["djrq"].isoformat()
        assert "bz" not in got


def test_unmasked_only_where_the_grant_allows(client: TestClient, world: World) -> None:
    gid, h = granted(client, world, unmasked_items=["sfzh"])
    row = _get(client, gid, h, _size=1)["rows"][0]
    assert row["sfzh"] == MUDAN[0]["sfzh"]
    assert row["xm"] != MUDAN[0]["xm"] and row["xm"].endswith("*")


def test_keyset_paging_walks_every_row_once(client: TestClient, world: World) -> None:
    gid, h = granted(client, world)
    seen, after, pages = [], None, 0
    while True:
        params: dict[str, object] = {"_size": 7, "_fields": "bh"}
        if after:
            params["_after"] = after
        body = _get(client, gid, h, **params)
        seen += [r["bh"] for r in body["rows"]]
        pages += 1
        after = body["next"]
        if after is None:
            break
        assert MUDAN[len(seen) - 1]["bh"] not in after  # the cursor is opaque
    assert seen == [r["bh"] for r in MUDAN]
    assert pages == -(-len(MUDAN) // 7)


def test_fields_filters_and_csv(client: TestClient, world: World) -> None:
    gid, h = granted(client, world)
    body = _get(client, gid, h, _fields="bh,nl", nl__gte=30, nl__lt=45, _size=1000)
    assert body["fields"] == ["bh", "nl"]
    assert [r["bh"] for r in body["rows"]] == [r["bh"] for r in MUDAN if 30 <= r["nl"] < 45]
    assert all(set(r) == {"bh", "nl"} for r in body["rows"])
    picked = [MUDAN[0]["bh"], MUDAN[3]["bh"], ALL[1]["bh"]]  # the last one is another county's
    body = _get(client, gid, h, bh__in=",".join(picked))
    assert [r["bh"] for r in body["rows"]] == picked[:2]
    body = _get(client, gid, h, djrq__gte=MUDAN[-2]["djrq"].isoformat(), ssqx="371702")
    assert [r["bh"] for r in body["rows"]] == [r["bh"] for r in MUDAN[-2:]]
    r = client.get(
        f"/api/v1/share/services/{gid}", params={"_format": "csv", "_fields": "bh,sfzh"}, headers=h
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [x["bh"] for x in rows[:3]] == [x["bh"] for x in MUDAN[:3]]
    assert all("********" in x["sfzh"] for x in rows)


def test_malformed_filters_are_400_naming_the_filter(client: TestClient, world: World) -> None:
    gid, h = granted(client, world)
    cases = [
        ({"nl": "abc"}, "nl"),
        ({"nl__between": "1"}, "nl__between"),
        ({"zzz": "1"}, "zzz"),
        ({"djrq__gte": "2024-13-45"}, "djrq__gte"),
        ({"nl__in": ","}, "nl__in"),
        ({"_size": "0"}, "_size"),
        ({"_size": "many"}, "_size"),
        ({"_after": "not-a-cursor"}, "_after"),
        ({"_format": "xml"}, "_format"),
        ({"_fields": "bh,zzz"}, "_fields"),
        ({"_sort": "bh"}, "_sort"),
    ]
    for params, name in cases:
        status, code, message = _err(client, gid, h, **params)
        assert (status, code) == (400, "sharing.bad_filter"), params
        assert name in message


def test_columns_and_regions_outside_the_grant_are_403(client: TestClient, world: World) -> None:
    gid, h = granted(client, world)
    assert _err(client, gid, h, _fields="bh,bz")[:2] == (403, "sharing.column_not_granted")
    assert _err(client, gid, h, bz="备注1")[:2] == (403, "sharing.column_not_granted")
    assert _err(client, gid, h, ssqx="371703")[:2] == (403, "sharing.region_not_granted")
    assert _err(client, gid, h, ssqx__in="371702,371721")[:2] == (403, "sharing.region_not_granted")
    # a cursor of another grant is refused
    other, h2 = granted(client, world)
    token = _get(client, other, h2, _size=1)["next"]
    assert _err(client, gid, h, _after=token)[:2] == (400, "sharing.bad_filter")


def test_only_the_grant_client_may_call(client: TestClient, world: World) -> None:
    gid, h = granted(client, world)
    _other, h2 = granted(client, world)
    assert _err(client, gid, h2)[:2] == (403, "sharing.not_grant_client")
    # a person's token lacks dataservice.call
    r = client.get(f"/api/v1/share/services/{gid}", headers=bearer(client, "gaj"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    assert client.get(f"/api/v1/share/services/{gid}").status_code == 401
    assert client.get("/api/v1/share/services/999999", headers=h).status_code == 404


def test_revoked_and_expired_grants_are_403_with_the_reason(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    r = client.post(
        f"/api/v1/share/grants/{gid}/revoke",
        json={"reason": "项目已结束"},
        headers=bearer(client, "gaj"),
    )
    assert r.status_code == 403  # grant.manage is the bureau's
    r = client.post(
        f"/api/v1/share/grants/{gid}/revoke",
        json={"reason": "项目已结束"},
        headers=bearer(client, "dsj"),
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    status, code, message = _err(client, gid, h)
    assert (status, code) == (403, "sharing.grant_revoked") and "项目已结束" in message
    gid2, h2 = granted(client, world)
    session.execute(
        update(ShareGrant)
        .where(ShareGrant.id == gid2)
        .values(valid_until=datetime.now(UTC) - timedelta(days=1))
    )
    session.commit()
    status, code, message = _err(client, gid2, h2)
    assert (status, code) == (403, "sharing.grant_expired")
    r = client.post("/api/v1/share/tick", headers=bearer(client, "dsj"))
    assert r.json()["expired_grants"] == [gid2]


def test_rate_limit_is_429_with_retry_after(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    session.execute(update(ShareGrant).where(ShareGrant.id == gid).values(rate_per_minute=3))
    session.commit()
    codes = [client.get(f"/api/v1/share/services/{gid}", headers=h).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get(f"/api/v1/share/services/{gid}", headers=h)
    assert r.status_code == 429 and r.json()["error"]["code"] == "sharing.rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 20
