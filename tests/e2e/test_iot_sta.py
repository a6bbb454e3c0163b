"""The SensorThings view read by the real frost-sta-client against a live uvicorn server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import frost_sta_client as fsc
import httpx
import pytest
import requests
from frost_sta_client.service.auth_handler import AuthHandler
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import Device, Latest
from mudan.domains.org.demo import DEMO_PASSWORD


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


class TokenHandler(AuthHandler):
    """frost-sta-client's AuthHandler speaks Basic; Mudan's API takes bearer tokens."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def add_auth_header(self) -> requests.auth.AuthBase:
        return BearerAuth(self.token)


@pytest.fixture
def token(server: str) -> str:
    r = httpx.post(
        f"{server}/api/v1/auth/tokens", json={"username": "dsj", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


@pytest.mark.filterwarnings("ignore:furl.pathstr is deprecated:DeprecationWarning")  # the client's
def test_frost_client_reads_things_datastreams_observations(
    server: str, token: str, session: Session
) -> None:
    admin = httpx.post(
        f"{server}/api/v1/auth/tokens", json={"username": "admin", "password": DEMO_PASSWORD}
    ).json()["token"]
    dev = session.scalars(
        select(Device)
        .where(Device.type == "water_level", Device.status == "active")
        .where(~select(Latest.device_id).where(Latest.device_id == Device.id).exists())
    ).first()
    assert dev is not None
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    levels = [1.0, 2.0, 3.0, 4.0]
    body = {"readings": [
        {"device_code": dev.code, "ts": (t0 + timedelta(minutes=5 * i)).isoformat(),
         "values": {"level": v}}
        for i, v in enumerate(levels)
    ]}  # fmt: skip
    r = httpx.post(
        f"{server}/api/v1/iot/telemetry", json=body, headers={"Authorization": f"Bearer {admin}"}
    )
    assert r.status_code == 200 and r.json()["accepted"] == 4, r.text

    assert requests.get(f"{server}/sta/v1.1/Things", timeout=10).status_code == 401
    service = fsc.SensorThingsService(f"{server}/sta/v1.1", auth_handler=TokenHandler(token))

    things = (
        service.things()
        .query()
        .filter(f"name eq '{dev.code}'")
        .expand("Datastreams,Locations")
        .list()
    )
    found = list(things)
    assert [t.name for t in found] == [dev.code]
    thing = found[0]
    assert thing.id == dev.id and thing.properties["type"] == "water_level"
    assert [d.name for d in thing.datastreams] == [f"{dev.code}:level"]
    assert thing.locations.entities[0].location["coordinates"] == [dev.lon, dev.lat]

    ds = service.datastreams().find(dev.id * 8)
    assert ds.unit_of_measurement.symbol == "m"
    obs = list(ds.get_observations().query().filter("result gt 1.5").list())
    assert [o.result for o in obs] == [2.0, 3.0, 4.0]
    window = (
        ds.get_observations()
        .query()
        .filter(
            f"phenomenonTime ge {(t0 + timedelta(minutes=5)).isoformat().replace('+00:00', 'Z')}"
            " and result lt 4"
        )
        .list()
    )
    assert [o.result for o in window] == [2.0, 3.0]

    newest = list(
        service.things()
        .query()
        .filter(f"id eq {dev.id}")
        .expand("Datastreams($expand=Observations($top=1;$orderby=phenomenonTime desc))")
        .list()
    )
    (stream,) = list(newest[0].datastreams)
    assert [o.result for o in stream.observations.entities] == [4.0]  # this page; more linked
    desc = list(ds.get_observations().query().orderby("result", "DESC").select("result").list())
    assert [o.result for o in desc] == [4.0, 3.0, 2.0, 1.0]

    n = service.things().query().filter("properties/type eq 'smoke'").count().top(7).list()
    total = session.query(Device).filter(Device.type == "smoke").count()
    assert n.count == total and n.next_link is not None
    seen = [t.id for t in n]  # the client follows @iot.nextLink
    assert len(seen) == total == len(set(seen))

    raw = requests.get(
        f"{server}/sta/v1.1/Datastreams({dev.id * 8})/Observations",
        params={"$top": "2", "$skip": "1", "$count": "true", "$expand": "Datastream"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert raw["@iot.count"] == 4 and [o["result"] for o in raw["value"]] == [2.0, 3.0]
    assert raw["value"][0]["@iot.selfLink"].endswith(f"Observations({raw['value'][0]['@iot.id']})")
    assert raw["value"][0]["Datastream"]["@iot.id"] == dev.id * 8
    assert "%24skip=3" in raw["@iot.nextLink"]
    bad = requests.get(
        f"{server}/sta/v1.1/Things", params={"$filter": "name eq"},
        headers={"Authorization": f"Bearer {token}"}, timeout=10,
    )  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "iot.sta_bad_query"
    unknown = requests.get(
        f"{server}/sta/v1.1/Things", params={"$apply": "groupby((name))"},
        headers={"Authorization": f"Bearer {token}"}, timeout=10,
    )  # fmt: skip
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"] == [{"option": "$apply"}]
