"""Catalog lifecycle: draft → pending → published → withdrawn, with versions and audit.

Service functions are keyword-only, take a session and never commit. A caller that follows the
search index (``indexing.follow``) has it updated after its commit from the entries whose
version or status changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from mudan.domains.catalog.codes import next_code, parse_code
from mudan.domains.catalog.enums import EntryStatus, PersonalKind, ShareType, UpdateCycle
from mudan.domains.catalog.models import CatalogEntry, CatalogItem, CatalogVersion
from mudan.domains.catalog.schemas import EntryIn, EntryOut, ItemOut
from mudan.domains.catalog.validate import check_entry
from mudan.kernel.models import Department, Region
from mudan.kernel.rbac import Principal
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec

_ENTRY_FIELDS = (
    "name",
    "abstract",
    "category",
    "format",
    "update_cycle",
    "release_date",
    "related",
    "tags",
    "theme",
    "industry",
    "region_code",
    "grade",
    "share_type",
    "share_conditions",
    "share_method",
    "legal_basis",
    "open_type",
    "open_conditions",
    "aggregated",
    "key_columns",
)


def entry_out(entry: CatalogEntry) -> EntryOut:
    return EntryOut(
        id=entry.id,
        code=entry.code,
        department_code=entry.department.code,
        department_name=entry.department.name,
        status=entry.status,
        version=entry.version,
        review_note=entry.review_note,
        items=[
            ItemOut(
                name=i.name,
                label=i.label,
                type=ItemType(i.type),
                length=i.length,
                share_type=ShareType(i.share_type),
                sensitivity=i.sensitivity,
                personal_kind=PersonalKind(i.personal_kind) if i.personal_kind else None,
                description=i.description,
            )
            for i in entry.items
        ],
        **{f: getattr(entry, f) for f in _ENTRY_FIELDS},
    )


def snapshot(entry: CatalogEntry) -> dict[str, Any]:
    """The JSON stored as a version: everything a reader of that version needs."""
    return entry_out(entry).model_dump(mode="json")


def get_entry(session: Session, *, entry_id: int) -> CatalogEntry:
    entry = session.get(CatalogEntry, entry_id)
    if entry is None:
        raise NotFound("catalog.not_found", id=entry_id)
    return entry


def sees_working_copy(principal: Principal, entry: CatalogEntry) -> bool:
    """Drafts and entries under review are the provider's work in progress: only the providing
    department and the approvers see them. Everyone with catalog.read sees what was published."""
    return principal.can("catalog.approve") or entry.department_id in principal.department_ids


def get_visible_entry(session: Session, *, principal: Principal, entry_id: int) -> CatalogEntry:
    """The entry if the principal may see it at all (never published and not theirs: 404)."""
    entry = get_entry(session, entry_id=entry_id)
    if entry.version == 0 and not sees_working_copy(principal, entry):
        raise NotFound("catalog.not_found", id=entry_id)
    return entry


def visible_out(session: Session, *, principal: Principal, entry_id: int) -> EntryOut:
    """What the principal may read: the working copy for its owners and approvers, otherwise
    the last published version (unpublished edits stay private until approved)."""
    entry = get_visible_entry(session, principal=principal, entry_id=entry_id)
    if sees_working_copy(principal, entry) or entry.status in PUBLIC_STATES:
        return entry_out(entry)
    published = get_version(session, entry_id=entry.id, version=entry.version)
    return EntryOut.model_validate(published.snapshot)


PUBLIC_STATES = (EntryStatus.PUBLISHED.value, EntryStatus.WITHDRAWN.value)


def get_by_code(session: Session, *, code: str) -> CatalogEntry:
    entry = session.scalar(select(CatalogEntry).where(CatalogEntry.code == code))
    if entry is None:
        raise NotFound("catalog.not_found", id=code)
    return entry


def can_edit(principal: Principal, department_id: int) -> bool:
    """Approvers edit every department's entries; data officers only their own."""
    if not principal.can("catalog.edit"):
        return False
    return principal.can("catalog.approve") or department_id in principal.department_ids


def _check_edit(principal: Principal, department_id: int) -> None:
    if not principal.can("catalog.edit"):
        raise Forbidden("auth.forbidden", permission="catalog.edit")
    if not can_edit(principal, department_id):
        raise Forbidden("catalog.not_own_department")


def _department(session: Session, principal: Principal, code: str | None) -> Department:
    if code:
        dept = session.scalar(select(Department).where(Department.code == code))
        if dept is None:
            raise NotFound("department.not_found", code=code)
        return dept
    if len(principal.department_ids) == 1:
        (dept_id,) = principal.department_ids
        found = session.get(Department, dept_id)
        if found is not None:
            return found
    raise InvalidInput("catalog.department_required")


def _apply(session: Session, entry: CatalogEntry, data: EntryIn) -> None:
    check_entry(data)
    if session.get(Region, data.region_code) is None:
        raise InvalidInput("catalog.bad_region", code=data.region_code)
    for f in _ENTRY_FIELDS:
        value = getattr(data, f)
        setattr(entry, f, str(value) if hasattr(value, "value") else value)
    if entry.id is not None and entry.items:
        entry.items.clear()  # delete the old rows first: (entry_id, name) is unique
        session.flush()
    entry.items = [
        CatalogItem(
            position=pos,
            name=i.name,
            label=i.label,
            type=i.type.value,
            length=i.length,
            share_type=i.share_type.value,
            sensitivity=i.sensitivity,
            personal_kind=i.personal_kind.value if i.personal_kind else None,
            description=i.description,
        )
        for pos, i in enumerate(data.items, start=1)
    ]


def _audit(
    session: Session, principal: Principal, action: str, entry: CatalogEntry, **detail: Any
) -> None:
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action=f"catalog.{action}",
        object_type="catalog_entry",
        object_id=str(entry.id),
        detail={"code": entry.code, "status": entry.status, "version": entry.version, **detail},
    )


def assign_code(session: Session, *, department: Department, theme: str, category: str) -> str:
    provider = department.code
    taken = session.scalars(
        select(CatalogEntry.code).where(CatalogEntry.code.startswith(provider + "-"))
    )
    return str(next_code(provider, theme, category, taken))


def create_entry(
    session: Session, *, principal: Principal, data: EntryIn, code: str | None = None
) -> CatalogEntry:
    """A new draft in the given (or the editor's own) department."""
    dept = _department(session, principal, data.department_code)
    _check_edit(principal, dept.id)
    if code is not None:
        parsed = parse_code(code)
        if parsed is None or parsed.provider != dept.code:
            raise InvalidInput("catalog.bad_code", code=code)
        if session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == code)) is not None:
            raise Conflict("catalog.duplicate_code", code=code)
    entry = CatalogEntry(
        department_id=dept.id,
        department=dept,
        status=EntryStatus.DRAFT.value,
        version=0,
        review_note="",
        created_by=principal.username,
    )
    _apply(session, entry, data)
    entry.code = code or assign_code(
        session, department=dept, theme=data.theme, category=data.category
    )
    session.add(entry)
    session.flush()
    _audit(session, principal, "create", entry)
    return entry


def update_entry(
    session: Session, *, principal: Principal, entry_id: int, data: EntryIn
) -> CatalogEntry:
    """Edit the working copy. A published or withdrawn entry becomes a new draft revision;
    its last published version stays readable (and searchable) until the next approval."""
    entry = get_entry(session, entry_id=entry_id)
    _check_edit(principal, entry.department_id)
    if data.department_code and data.department_code != entry.department.code:
        raise InvalidInput("catalog.department_fixed")
    if entry.status == EntryStatus.PENDING:
        raise Conflict("catalog.bad_state", state=entry.status, action="update")
    was = entry.status
    _apply(session, entry, data)
    entry.status = EntryStatus.DRAFT.value
    session.flush()
    _audit(session, principal, "update", entry, previous_status=was)
    return entry


def _transition(entry: CatalogEntry, action: str, allowed: tuple[EntryStatus, ...]) -> None:
    if entry.status not in allowed:
        raise Conflict("catalog.bad_state", state=entry.status, action=action)


def submit(session: Session, *, principal: Principal, entry_id: int) -> CatalogEntry:
    entry = get_entry(session, entry_id=entry_id)
    _check_edit(principal, entry.department_id)
    _transition(entry, "submit", (EntryStatus.DRAFT,))
    if not entry.items:
        raise InvalidInput("catalog.no_items")
    entry.status = EntryStatus.PENDING.value
    entry.review_note = ""
    session.flush()
    _audit(session, principal, "submit", entry)
    return entry


def _check_approver(principal: Principal) -> None:
    if not principal.can("catalog.approve"):
        raise Forbidden("auth.forbidden", permission="catalog.approve")


def approve(session: Session, *, principal: Principal, entry_id: int) -> CatalogVersion:
    """Publish: the entry becomes version N+1 and a full snapshot is stored."""
    _check_approver(principal)
    entry = get_entry(session, entry_id=entry_id)
    _transition(entry, "approve", (EntryStatus.PENDING,))
    entry.status = EntryStatus.PUBLISHED.value
    entry.version += 1
    if entry.release_date is None:
        entry.release_date = utcnow().date()
    session.flush()
    ver = CatalogVersion(
        entry_id=entry.id,
        version=entry.version,
        snapshot=snapshot(entry),
        published_at=utcnow(),
        published_by=principal.username,
    )
    session.add(ver)
    session.flush()
    if entry.aggregated:
        register_for_aggregation(session, entry=entry)
    _audit(session, principal, "approve", entry)
    return ver


def reject(session: Session, *, principal: Principal, entry_id: int, reason: str) -> CatalogEntry:
    _check_approver(principal)
    if not reason.strip():
        raise InvalidInput("catalog.reason_required")
    entry = get_entry(session, entry_id=entry_id)
    _transition(entry, "reject", (EntryStatus.PENDING,))
    entry.status = EntryStatus.DRAFT.value
    entry.review_note = reason.strip()
    session.flush()
    _audit(session, principal, "reject", entry, reason=entry.review_note)
    return entry


def withdraw(
    session: Session, *, principal: Principal, entry_id: int, reason: str = ""
) -> CatalogEntry:
    """Take a published entry off the catalog (已下架); its versions stay readable."""
    entry = get_entry(session, entry_id=entry_id)
    _check_edit(principal, entry.department_id)
    _transition(entry, "withdraw", (EntryStatus.PUBLISHED,))
    entry.status = EntryStatus.WITHDRAWN.value
    session.flush()
    _audit(session, principal, "withdraw", entry, reason=reason)
    return entry


def transition(
    session: Session, *, principal: Principal, entry_id: int, action: str, reason: str = ""
) -> CatalogEntry:
    if action == "submit":
        return submit(session, principal=principal, entry_id=entry_id)
    if action == "approve":
        approve(session, principal=principal, entry_id=entry_id)
        return get_entry(session, entry_id=entry_id)
    if action == "reject":
        return reject(session, principal=principal, entry_id=entry_id, reason=reason)
    if action == "withdraw":
        return withdraw(session, principal=principal, entry_id=entry_id, reason=reason)
    raise InvalidInput("catalog.bad_action", action=action)


def list_versions(session: Session, *, entry_id: int) -> list[CatalogVersion]:
    get_entry(session, entry_id=entry_id)
    return list(
        session.scalars(
            select(CatalogVersion)
            .where(CatalogVersion.entry_id == entry_id)
            .order_by(CatalogVersion.version)
        )
    )


def get_version(session: Session, *, entry_id: int, version: int) -> CatalogVersion:
    ver = session.scalar(
        select(CatalogVersion).where(
            CatalogVersion.entry_id == entry_id, CatalogVersion.version == version
        )
    )
    if ver is None:
        raise NotFound("catalog.version_not_found", id=entry_id, version=version)
    return ver


def count_entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(CatalogEntry)) or 0)


def table_spec_for(entry: CatalogEntry) -> TableSpec:
    """The lake table of an entry: namespace ``d<department code>``, name ``t<entry id>``."""
    columns = tuple(
        ColumnSpec(
            name=i.name,
            type=ItemType(i.type),
            label=i.label,
            length=i.length,
            nullable=i.name not in entry.key_columns,
        )
        for i in entry.items
    )
    return TableSpec(
        namespace=f"d{entry.department.code}",
        name=f"t{entry.id}",
        columns=columns,
        key=tuple(entry.key_columns),
    )


def register_for_aggregation(session: Session, *, entry: CatalogEntry) -> None:
    """A published entry marked 需归集 gets its lake table spec (and its update cycle, for
    freshness) registered in the lake's table registry, which ingest loads check against."""
    from mudan.lake import registry

    registry.register_table(
        session,
        spec=table_spec_for(entry),
        department_code=entry.department.code,
        update_cycle=UpdateCycle(entry.update_cycle),
    )
