"""Catalog entries awaiting approval on the approver's workbench: the catalog list's count."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.workbench import bearer, todos_of


def test_pending_entries_for_approvers_only(client: TestClient) -> None:
    todo = todos_of(client, "dsj")["catalog.pending"]
    listed = client.get(
        "/api/v1/catalog/entries?status=pending", headers=bearer(client, "dsj")
    ).json()
    assert todo["count"] == listed["total"] >= 1 and todo["href"] == "/catalog?status=pending"
    page = client.get(todo["href"], headers=bearer(client, "dsj")).text
    assert page.count('href="/catalog/') >= todo["count"]
    for user in ("gaj", "kaohe", "zhiban"):  # no catalog.approve
        assert "catalog.pending" not in todos_of(client, user)
