"""Lifecycle draft → pending → published → withdrawn, versions, revisions and audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord, verify_chain
from mudan.core.errors import Conflict, InvalidInput
from mudan.domains.catalog import service
from mudan.domains.catalog.codes import parse_code
from mudan.lake.schema import ItemType
from tests.domains.catalog.catalog_fixtures import next_seq, principal, sample_entry


def test_full_lifecycle_with_versions_and_audit(session: Session) -> None:
    gaj, dsj = principal(session, "gaj"), principal(session, "dsj")
    seq = next_seq(session, "371700002-01-01-")  # the demo's entries have taken some codes
    entry = service.create_entry(session, principal=gaj, data=sample_entry())
    assert entry.status == "draft" and entry.version == 0
    code = parse_code(entry.code)
    assert code is not None and code.provider == "371700002" and code.klass == "01"
    assert code.item == "01" and code.seq == seq

    service.submit(session, principal=gaj, entry_id=entry.id)
    assert entry.status == "pending"
    with pytest.raises(Conflict):
        service.update_entry(session, principal=gaj, entry_id=entry.id, data=sample_entry())
    service.reject(session, principal=dsj, entry_id=entry.id, reason="摘要不完整")
    assert entry.status == "draft" and entry.review_note == "摘要不完整"

    service.submit(session, principal=gaj, entry_id=entry.id)
    v1 = service.approve(session, principal=dsj, entry_id=entry.id)
    assert (entry.status, entry.version, v1.version) == ("published", 1, 1)
    assert v1.snapshot["name"] == "菏泽市户籍人口基本信息"
    assert [i["name"] for i in v1.snapshot["items"]] == ["xm", "sfzh", "hjdz", "djrq"]

    # Editing a published entry makes a draft revision of the same entry; v1 stays readable.
    edited = sample_entry(name="菏泽市户籍人口基本信息（含迁入迁出）")
    service.update_entry(session, principal=gaj, entry_id=entry.id, data=edited)
    assert entry.status == "draft" and entry.version == 1
    service.submit(session, principal=gaj, entry_id=entry.id)
    v2 = service.approve(session, principal=dsj, entry_id=entry.id)
    assert v2.version == 2 and entry.version == 2
    old = service.get_version(session, entry_id=entry.id, version=1)
    assert old.snapshot["name"] == "菏泽市户籍人口基本信息"
    assert v2.snapshot["name"].endswith("（含迁入迁出）")

    service.withdraw(session, principal=gaj, entry_id=entry.id, reason="数据源停用")
    assert entry.status == "withdrawn" and not entry.is_live
    assert [v.version for v in service.list_versions(session, entry_id=entry.id)] == [1, 2]

    actions = session.scalars(
        select(AuditRecord.action)
        .where(AuditRecord.object_type == "catalog_entry", AuditRecord.object_id == str(entry.id))
        .order_by(AuditRecord.id)
    ).all()
    assert actions == [
        "catalog.create",
        "catalog.submit",
        "catalog.reject",
        "catalog.submit",
        "catalog.approve",
        "catalog.update",
        "catalog.submit",
        "catalog.approve",
        "catalog.withdraw",
    ]
    session.commit()
    assert verify_chain(session).ok


def test_bad_transitions_are_refused(session: Session) -> None:
    admin = principal(session, "admin")
    entry = service.create_entry(session, principal=admin, data=sample_entry())
    with pytest.raises(Conflict) as exc:
        service.approve(session, principal=admin, entry_id=entry.id)
    assert exc.value.code == "catalog.bad_state"
    with pytest.raises(Conflict):
        service.withdraw(session, principal=admin, entry_id=entry.id)
    with pytest.raises(InvalidInput) as bad:
        service.transition(session, principal=admin, entry_id=entry.id, action="publish")
    assert bad.value.code == "catalog.bad_action"
    empty = service.create_entry(
        session,
        principal=admin,
        data=sample_entry(items=[], key_columns=[], aggregated=False),
    )
    with pytest.raises(InvalidInput) as no_items:
        service.submit(session, principal=admin, entry_id=empty.id)
    assert no_items.value.code == "catalog.no_items"
    service.submit(session, principal=admin, entry_id=entry.id)
    with pytest.raises(InvalidInput) as reason:
        service.reject(session, principal=admin, entry_id=entry.id, reason=" ")
    assert reason.value.code == "catalog.reason_required"


def test_codes_are_sequential_per_class_and_item(session: Session) -> None:
    admin = principal(session, "admin")
    # one above the highest code already taken (by the demo) for provider + class + item
    basic, stats = next_seq(session, "371700002-01-01-"), next_seq(session, "371700002-01-03-")
    a = service.create_entry(session, principal=admin, data=sample_entry())
    b = service.create_entry(session, principal=admin, data=sample_entry(name="流动人口"))
    c = service.create_entry(
        session, principal=admin, data=sample_entry(name="人口统计", category="统计信息")
    )
    assert a.code == f"371700002-01-01-{basic:04d}"
    assert b.code == f"371700002-01-01-{basic + 1:04d}"
    assert c.code == f"371700002-01-03-{stats:04d}"


def test_table_spec_for_entry(session: Session) -> None:
    admin = principal(session, "admin")
    entry = service.create_entry(session, principal=admin, data=sample_entry())
    spec = service.table_spec_for(entry)
    assert spec.ident == f"d371700002.t{entry.id}"
    assert spec.key == ("sfzh",)
    assert [c.name for c in spec.columns] == ["xm", "sfzh", "hjdz", "djrq"]
    assert spec.column("djrq").type == ItemType.DATE
    assert spec.column("sfzh").label == "身份证号" and not spec.column("sfzh").nullable
