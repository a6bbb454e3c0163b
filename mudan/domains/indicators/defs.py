"""Indicator definitions (口径) and their versions. A changed formula (kind, formula or
aggregation) is a new version; old versions stay, and values keep pointing at theirs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import Conflict, NotFound
from mudan.domains.indicators import formula as fm
from mudan.domains.indicators.enums import Aggregation, FormulaKind
from mudan.domains.indicators.models import IndicatorDef, IndicatorVersion
from mudan.domains.indicators.schemas import (
    IndicatorIn,
    IndicatorOut,
    IndicatorPatch,
    Thresholds,
    VersionOut,
)
from mudan.lake.catalog import Lake


def get_def(session: Session, *, code: str) -> IndicatorDef:
    row = session.scalar(select(IndicatorDef).where(IndicatorDef.code == code))
    if row is None:
        raise NotFound("indicators.not_found", code=code)
    return row


def current(session: Session, *, indicator: IndicatorDef) -> IndicatorVersion:
    ver = session.scalar(
        select(IndicatorVersion).where(
            IndicatorVersion.indicator_id == indicator.id,
            IndicatorVersion.version == indicator.current_version,
        )
    )
    if ver is None:  # cannot happen through the service; say so rather than guess
        raise NotFound("indicators.version_not_found", code=indicator.code)
    return ver


def list_defs(session: Session, *, enabled_only: bool = False) -> list[IndicatorDef]:
    q = select(IndicatorDef).order_by(
        IndicatorDef.section, IndicatorDef.sort_order, IndicatorDef.code
    )
    if enabled_only:
        q = q.where(IndicatorDef.enabled.is_(True))
    return list(session.scalars(q))


def list_versions(session: Session, *, code: str) -> list[VersionOut]:
    ind = get_def(session, code=code)
    rows = session.scalars(
        select(IndicatorVersion)
        .where(IndicatorVersion.indicator_id == ind.id)
        .order_by(IndicatorVersion.version)
    )
    return [VersionOut.model_validate(v, from_attributes=True) for v in rows]


def def_out(session: Session, ind: IndicatorDef) -> IndicatorOut:
    ver = current(session, indicator=ind)
    return IndicatorOut(
        code=ind.code,
        name=ind.name,
        section=ind.section,
        definition=ind.definition,
        unit=ind.unit,
        frequency=ind.frequency,
        department_code=ind.department_code,
        region_level=ind.region_level,
        target=ind.target,
        higher_is_better=ind.higher_is_better,
        thresholds=Thresholds(**ind.thresholds),
        persistence_hours=ind.persistence_hours,
        hysteresis=ind.hysteresis,
        cooldown_hours=ind.cooldown_hours,
        source_datasets=list(ind.source_datasets),
        current_version=ind.current_version,
        kind=ver.kind,
        formula=ver.formula,
        aggregation=ver.aggregation,
        enabled=ind.enabled,
        builtin=ind.builtin,
    )


def _thresholds(th: Thresholds) -> dict[str, float]:
    return {k: float(v) for k, v in th.model_dump().items() if v is not None}


def create_def(
    session: Session,
    *,
    data: IndicatorIn,
    actor: str,
    lake: Lake | None,
    builtin: bool = False,
    sort_order: int = 100,
) -> IndicatorDef:
    """Validate the formula (refusing bad SQL, unknown tables, division by zero) and save."""
    if session.scalar(select(IndicatorDef.id).where(IndicatorDef.code == data.code)):
        raise Conflict("indicators.code_taken", code=data.code)
    fm.validate(data.kind, data.formula, lake=lake)
    now = utcnow()
    ind = IndicatorDef(
        code=data.code,
        name=data.name,
        section=str(data.section),
        definition=data.definition,
        unit=data.unit,
        frequency=str(data.frequency),
        department_code=data.department_code,
        region_level=data.region_level,
        target=data.target,
        higher_is_better=data.higher_is_better,
        thresholds=_thresholds(data.thresholds),
        persistence_hours=data.persistence_hours,
        hysteresis=data.hysteresis,
        cooldown_hours=data.cooldown_hours,
        source_datasets=list(data.source_datasets),
        current_version=1,
        enabled=True,
        builtin=builtin,
        sort_order=sort_order,
        created_at=now,
        updated_at=now,
    )
    session.add(ind)
    session.flush()
    session.add(
        IndicatorVersion(
            indicator_id=ind.id,
            version=1,
            kind=str(data.kind),
            formula=data.formula.strip(),
            aggregation=str(data.aggregation),
            note=data.note,
            created_by=actor,
            created_at=now,
        )
    )
    session.flush()
    return ind


def update_def(
    session: Session, *, code: str, patch: IndicatorPatch, actor: str, lake: Lake | None
) -> tuple[IndicatorDef, bool]:
    """Apply a change; returns (definition, whether a new formula version was made)."""
    ind = get_def(session, code=code)
    ver = current(session, indicator=ind)
    kind = patch.kind or FormulaKind(ver.kind)
    formula = (patch.formula or ver.formula).strip()
    aggregation = patch.aggregation or Aggregation(ver.aggregation)
    new_version = (str(kind), formula, str(aggregation)) != (ver.kind, ver.formula, ver.aggregation)
    if new_version:
        fm.validate(kind, formula, lake=lake)
    fields = patch.model_dump(
        exclude_unset=True, exclude={"kind", "formula", "aggregation", "note", "thresholds"}
    )
    for name, value in fields.items():
        if value is not None or name == "target":
            setattr(ind, name, str(value) if name == "frequency" else value)
    if patch.thresholds is not None:
        ind.thresholds = _thresholds(patch.thresholds)
    if new_version:
        ind.current_version = ver.version + 1
        session.add(
            IndicatorVersion(
                indicator_id=ind.id,
                version=ind.current_version,
                kind=str(kind),
                formula=formula,
                aggregation=str(aggregation),
                note=patch.note,
                created_by=actor,
                created_at=utcnow(),
            )
        )
    ind.updated_at = utcnow()
    session.flush()
    return ind, new_version
