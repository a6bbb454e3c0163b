"""The big screen on the real indicator centre (no fake source): values, and an alert a domain
raises through the hook reaching the screen's alert feed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.ops import sources
from mudan.hooks import AlertSignal, make_plugin_manager


def test_payload_uses_the_indicator_centre(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    r = client.get("/api/v1/ops/screens/overview/payload", headers=admin_headers)
    assert r.status_code == 200, r.text
    panels = r.json()["panels"]
    assert {p["state"] for p in panels} == {"ok"}, [(p["kind"], p.get("error")) for p in panels]
    platform = next(p["data"] for p in panels if p["kind"] == "platform")
    total = session.scalar(select(func.count()).select_from(CatalogEntry))
    assert platform["catalog_entries"] == total
    kpis = {item["code"]: item for p in panels if p["kind"] == "kpi" for item in p["data"]["items"]}
    # computed from the video domain's channels, against the seed target
    assert kpis["sense.video_online_rate"]["target"] == 95.0
    assert 0 < kpis["sense.video_online_rate"]["value"] <= 100
    # a domain that is not built yet shows no number, never a made-up one
    assert kpis["service.one_thing"]["value"] is None
    trend = next(p["data"] for p in panels if p["kind"] == "trend")
    assert trend is not None


def test_a_raised_alert_reaches_the_screen_feed(client: TestClient, session: Session) -> None:
    source = sources.source_for({})
    assert isinstance(source, sources.ServiceSource)
    before = sources.latest_alert_id(source, session)
    alert_id = make_plugin_manager().hook.mudan_raise_alert(
        session=session,
        signal=AlertSignal(
            source="iot.threshold",
            level="orange",
            title="东明县黄河水位超警戒",
            dedup_key="test:water:371728",
            region_code="371728",
        ),
    )
    session.commit()
    assert alert_id is not None and alert_id > before
    feed = source.alerts_since(session, after_id=before, limit=10)
    assert [(a.id, a.level, a.title) for a in feed] == [
        (alert_id, "orange", "东明县黄河水位超警戒")
    ]
    assert any(a.id == alert_id for a in source.open_alerts(session, region_code="3717"))
