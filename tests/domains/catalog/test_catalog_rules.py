"""Permissions (own department, approvers) and validation error codes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden, InvalidInput, MudanError
from mudan.domains.catalog import service
from mudan.domains.catalog.schemas import ItemIn
from tests.domains.catalog.catalog_fixtures import next_seq, principal, sample_entry

WJW = "371700005"  # 菏泽市卫生健康委员会


def test_data_officer_edits_only_own_department(session: Session) -> None:
    gaj, admin = principal(session, "gaj"), principal(session, "admin")
    health = service.create_entry(
        session,
        principal=admin,
        data=sample_entry(department_code=WJW, name="菏泽市医疗机构基本信息", theme="医疗卫生"),
    )
    with pytest.raises(Forbidden) as exc:
        service.update_entry(
            session, principal=gaj, entry_id=health.id, data=sample_entry(department_code=WJW)
        )
    assert exc.value.code == "catalog.not_own_department"
    with pytest.raises(Forbidden):
        service.create_entry(session, principal=gaj, data=sample_entry(department_code=WJW))
    with pytest.raises(Forbidden):
        service.submit(session, principal=gaj, entry_id=health.id)
    # Their own department: the default when no department is named.
    own = service.create_entry(session, principal=gaj, data=sample_entry(department_code=None))
    assert own.department.code == "371700002"


def test_only_approvers_approve(session: Session) -> None:
    gaj, dsj = principal(session, "gaj"), principal(session, "dsj")
    entry = service.create_entry(session, principal=gaj, data=sample_entry())
    service.submit(session, principal=gaj, entry_id=entry.id)
    with pytest.raises(Forbidden) as exc:
        service.approve(session, principal=gaj, entry_id=entry.id)
    assert exc.value.code == "auth.forbidden"
    with pytest.raises(Forbidden):
        service.reject(session, principal=gaj, entry_id=entry.id, reason="x")
    assert service.approve(session, principal=dsj, entry_id=entry.id).version == 1


def test_readers_cannot_edit(session: Session) -> None:
    zhiban = principal(session, "zhiban")  # duty officer: catalog.read only
    with pytest.raises(Forbidden):
        service.create_entry(session, principal=zhiban, data=sample_entry())


def _item(**kw: Any) -> ItemIn:
    return ItemIn(**{"name": "col", "label": "列", **kw})


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"items": [_item(name="xm"), _item(name="xm")], "key_columns": []},
            "catalog.duplicate_item",
        ),
        ({"items": [_item(name="XingMing")], "key_columns": []}, "catalog.bad_item_name"),
        ({"items": [_item(name="1abc")], "key_columns": []}, "catalog.bad_item_name"),
        ({"key_columns": ["nope"]}, "catalog.key_not_an_item"),
        ({"share_type": "none", "legal_basis": ""}, "catalog.legal_basis_required"),
        (
            {"share_type": "conditional", "share_conditions": ""},
            "catalog.share_conditions_required",
        ),
        ({"theme": "天气"}, "catalog.bad_theme"),
        ({"format": "pdf"}, "catalog.bad_format"),
        ({"grade": "core", "open_type": "unconditional"}, "catalog.core_data_not_openable"),
        (
            {
                "share_type": "none",
                "legal_basis": "《个人信息保护法》",
                "open_type": "unconditional",
            },
            "catalog.open_without_share",
        ),
        ({"open_type": "conditional", "open_conditions": ""}, "catalog.open_conditions_required"),
        (
            {
                "items": [_item(name="sfzh", personal_kind="citizen_id", sensitivity=2)],
                "key_columns": [],
            },
            "catalog.personal_item_too_low",
        ),
        (
            {
                "items": [_item(name="sfzh", sensitivity=4, share_type="unconditional")],
                "key_columns": [],
            },
            "catalog.sensitive_item_unconditional",
        ),
        ({"items": [], "key_columns": [], "aggregated": True}, "catalog.aggregated_needs_items"),
        ({"region_code": "999999"}, "catalog.bad_region"),
    ],
)
def test_validation_codes(session: Session, overrides: dict[str, Any], code: str) -> None:
    admin = principal(session, "admin")
    with pytest.raises(InvalidInput) as exc:
        service.create_entry(session, principal=admin, data=sample_entry(**overrides))
    assert exc.value.code == code
    assert not exc.value.message().startswith("error.")  # translated


def test_explicit_code_must_match_provider(session: Session) -> None:
    admin = principal(session, "admin")
    with pytest.raises(MudanError) as exc:
        service.create_entry(
            session, principal=admin, data=sample_entry(), code="371700005-01-01-0001"
        )
    assert exc.value.code == "catalog.bad_code"
    # a free code well above those already taken (the demo's entries have some)
    code = f"371700002-01-01-{next_seq(session, '371700002-01-01-') + 41:04d}"
    made = service.create_entry(session, principal=admin, data=sample_entry(), code=code)
    assert made.code == code
    with pytest.raises(MudanError) as dup:
        service.create_entry(session, principal=admin, data=sample_entry(), code=code)
    assert dup.value.code == "catalog.duplicate_code"
