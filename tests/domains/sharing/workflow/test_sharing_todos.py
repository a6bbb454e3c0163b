"""The sharing domain's workbench todos on the demo world: each count is what the request list
(``GET /api/v1/share/requests``) gives the same user for the todo's link, and nobody sees
another department's inbox."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from fastapi.testclient import TestClient

from tests.workbench import bearer, todos_of


def _listed(client: TestClient, user: str, href: str) -> int:
    """What the API lists for the page a todo links to (same filters)."""
    query = dict(parse_qsl(urlsplit(href).query))
    r = client.get("/api/v1/share/requests", params=query, headers=bearer(client, user))
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def test_sharing_todos_match_the_request_list(client: TestClient) -> None:
    gaj, dsj = todos_of(client, "gaj"), todos_of(client, "dsj")
    mudanqu, kaohe = todos_of(client, "mudanqu"), todos_of(client, "kaohe")
    # the demo plants work for each approver: the police bureau reviews two (one late) …
    review = gaj["sharing.provider_review"]
    assert review["count"] == _listed(client, "gaj", review["href"]) == 2
    late = _listed(client, "gaj", review["href"] + "&overdue=true")
    assert review["overdue"] == late == 1 and review["severity"] == "danger"
    # … the bureau one, the Mudan district node answers a request for more information
    bureau = dsj["sharing.bureau_review"]
    assert bureau["count"] == _listed(client, "dsj", bureau["href"]) == 1
    info = mudanqu["sharing.needs_info"]
    assert info["count"] == _listed(client, "mudanqu", info["href"]) == 1
    # supervision (audit.read): every open request past its deadline in the city
    over = kaohe["sharing.overdue"]
    assert over["count"] == _listed(client, "kaohe", over["href"]) == 1
    # nobody sees another's inbox
    assert "sharing.bureau_review" not in gaj and "sharing.provider_review" not in dsj
    assert not {k for k in mudanqu if k.endswith("_review")} and "sharing.overdue" not in gaj
    assert not [k for k in todos_of(client, "zhiban") if k.startswith("sharing.")]


def test_overdue_filter_on_the_request_page(client: TestClient) -> None:
    h = bearer(client, "kaohe")
    page = client.get("/share/requests?overdue=true", headers=h)
    assert page.status_code == 200 and "合计：1</p>" in page.text
    assert 'name="overdue" value="true" checked' in page.text
    everything = client.get("/api/v1/share/requests", headers=h).json()["total"]
    assert everything > 1
