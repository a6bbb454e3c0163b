"""The share-request list's filters are one model (``RequestQuery``) for the page and the API.
The page used to drop an unknown ``status`` while the API passed it on unchecked: now it is a
422 ``request.invalid`` naming the field in the API and a Chinese message on the page (which
still lists, unfiltered by it). A bad ``box`` keeps its own code (``sharing.bad_box``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.domains.sharing.conftest import World, bearer, granted


def test_page_and_api_refuse_a_bad_status_alike(client: TestClient, world: World) -> None:
    granted(client, world)  # one approved request
    h = bearer(client, "dsj")
    api = client.get("/api/v1/share/requests?status=approved&box=", headers=h)
    assert api.status_code == 200 and api.json()["total"] == 1
    page = client.get("/share/requests?status=approved&overdue=", headers=h)
    assert page.status_code == 200 and 'id="filter-error"' not in page.text
    api = client.get("/api/v1/share/requests?status=bogus", headers=h)
    assert api.status_code == 422, api.text
    err = api.json()["error"]
    assert err["code"] == "request.invalid"
    assert [d["loc"] for d in err["details"]] == [["query", "status"]]
    page = client.get("/share/requests?status=bogus", headers=h)
    assert page.status_code == 422 and "筛选条件无效，已忽略：状态。" in page.text
    assert world.people.code in page.text  # the list still shows
    bad_box = client.get("/api/v1/share/requests?box=bogus", headers=h)
    assert bad_box.json()["error"]["code"] == "sharing.bad_box"
