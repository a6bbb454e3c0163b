"""The channel list's filters are one model (``ChannelQuery``) for the page and the API: the
same filter gives the same channels, and a bad enum value is a 422 ``request.invalid`` naming
the field in the API and a Chinese message on the page (which still lists, unfiltered by it).
Before, the API passed ``status``/``owner_unit`` through unchecked while the page ignored them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.video.models import VideoChannel
from tests.conftest import login_token


def _login(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def _page_total(text: str) -> int:
    found = re.search(r"共 (\d+)", text)
    assert found is not None
    return int(found.group(1))


def test_page_and_api_filter_alike(client: TestClient, session: Session) -> None:
    h = _login(client, "dsj")
    query = "status=not_retrieved&owner_unit=urban&district="
    want = session.scalar(
        select(func.count()).where(
            VideoChannel.online.is_(True),
            VideoChannel.retrieved.is_(False),
            VideoChannel.owner_unit == "urban",
        )
    )
    api = client.get(f"/api/v1/video/channels?{query}", headers=h)
    assert api.status_code == 200 and api.json()["total"] == want
    page = client.get(f"/video?{query}", headers=h)
    assert page.status_code == 200 and _page_total(page.text) == want
    assert 'id="filter-error"' not in page.text


def test_a_bad_enum_value_is_refused_alike(client: TestClient, session: Session) -> None:
    h = _login(client, "dsj")
    for field, value in (("status", "broken"), ("owner_unit", "police")):
        api = client.get(f"/api/v1/video/channels?{field}={value}", headers=h)
        assert api.status_code == 422, api.text
        err = api.json()["error"]
        assert err["code"] == "request.invalid"
        assert [d["loc"] for d in err["details"]] == [["query", field]]
        page = client.get(f"/video?{field}={value}&q=", headers=h)
        assert page.status_code == 422
        label = {"status": "状态", "owner_unit": "权属单位"}[field]
        assert f"筛选条件无效，已忽略：{label}。" in page.text
        total = session.scalar(select(func.count()).select_from(VideoChannel))
        assert _page_total(page.text) == total  # the bad filter is ignored, the list shows
