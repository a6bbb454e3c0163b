"""The telemetry pipeline shared by the MQTT ingester and the HTTP batch endpoint.

``Pipeline.process(session, messages)`` validates, de-duplicates and writes one batch in the
caller's transaction: hot readings (unique per device and timestamp: a redelivered or repeated
message is a counted no-op), the latest state per device (never moved backwards, never by a
reading from the future), dead letters with their reason, and rule alerts. The caller commits,
and only then acknowledges the messages (see ``docs/iot.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any, cast

import pluggy
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from mudan.core.db import as_utc, utcnow
from mudan.domains.iot import rules
from mudan.domains.iot.dbutil import naive
from mudan.domains.iot.enums import (
    FLAG_FUTURE,
    MAX_METRICS,
    TYPES,
    DeadReason,
    DeviceStatus,
    DeviceType,
)
from mudan.domains.iot.models import DeadLetter, Device, Latest, Reading
from mudan.domains.iot.parse import Dead, Incoming, Parsed, parse, payload_text

FUTURE_SKEW = timedelta(minutes=5)
OFFLINE_FACTOR = 3  # offline after 3 missed reporting intervals
CACHE_MAX = 500_000
_V = tuple(f"v{i}" for i in range(MAX_METRICS))


@dataclass
class BatchStats:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    future: int = 0
    alerts: int = 0
    dead_by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, other: BatchStats) -> None:
        for name in ("received", "accepted", "duplicates", "dead_letters", "future", "alerts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.dead_by_reason.items():
            self.dead_by_reason[k] = self.dead_by_reason.get(k, 0) + v


def _marks(session: Session, n: int) -> str:
    mark = "%s" if session.get_bind().dialect.name == "postgresql" else "?"
    return ", ".join([mark] * n)


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, datetime):  # SQLAlchemy's SQLite storage format; values are UTC here
        return v.replace(tzinfo=None).isoformat(" ", "microseconds")
    return v


def _param_converter(session: Session) -> Callable[[Any], Any]:
    if session.get_bind().dialect.name == "postgresql":
        return lambda v: v
    return _sqlite_value


class DeviceCache:
    """Device code → DevInfo, filled in bulk per batch (codes not found are looked up again)."""

    def __init__(self) -> None:
        self._by_code: dict[str, rules.DevInfo] = {}

    def lookup(self, session: Session, codes: set[str]) -> dict[str, rules.DevInfo]:
        missing = [c for c in codes if c not in self._by_code]
        if len(self._by_code) + len(missing) > CACHE_MAX:
            self._by_code.clear()
            missing = list(codes)
        for start in range(0, len(missing), 1000):
            chunk = missing[start : start + 1000]
            for d in session.scalars(select(Device).where(Device.code.in_(chunk))):
                self._by_code[d.code] = rules.info_of(d)
        return {c: self._by_code[c] for c in codes if c in self._by_code}

    def put(self, dev: rules.DevInfo) -> None:
        self._by_code[dev.code] = dev

    def clear(self) -> None:
        self._by_code.clear()


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int | float) and v == v and abs(v) < 1e15:
        return float(v)
    return None


class Pipeline:
    def __init__(self, *, prefix: str = "mudan", pm: pluggy.PluginManager | None = None) -> None:
        self.prefix = prefix
        self.pm = pm
        self.devices = DeviceCache()
        self.rulebook = rules.RuleBook()

    def _check(
        self, p: Parsed, dev: rules.DevInfo | None
    ) -> Dead | tuple[tuple[float | None, ...], int]:
        if dev is None:
            return Dead(p.msg, DeadReason.UNKNOWN_DEVICE, "", p.device_code)
        if p.device_type is not None and p.device_type != dev.type:
            return Dead(p.msg, DeadReason.TYPE_MISMATCH, f"{p.device_type}≠{dev.type}", dev.code)
        if dev.status == "retired":
            return Dead(p.msg, DeadReason.DEVICE_RETIRED, "", dev.code)
        spec = TYPES[DeviceType(dev.type)]
        vals: list[float | None] = [None] * MAX_METRICS
        known = 0
        for key, raw in p.values.items():
            idx = spec.metric_index(key)
            if idx is None:
                continue
            num = _number(raw)
            if num is None:
                return Dead(p.msg, DeadReason.BAD_VALUE, f"{key}={raw!r}"[:200], dev.code)
            vals[idx] = num
            known += 1
        if not known:
            keys = ",".join(sorted(map(str, p.values)))[:200]
            return Dead(p.msg, DeadReason.UNKNOWN_METRIC, keys, dev.code)
        return tuple(vals), known

    def process(
        self, session: Session, messages: list[Incoming], *, now: datetime | None = None
    ) -> BatchStats:
        now = now or utcnow()
        stats = BatchStats(received=len(messages))
        dead: list[Dead] = []
        parsed: list[Parsed] = []
        for m in messages:
            r = parse(m, self.prefix)
            (dead if isinstance(r, Dead) else parsed).append(r)  # type: ignore[arg-type]
        devs = self.devices.lookup(session, {p.device_code for p in parsed})
        conv = _param_converter(session)
        rows: dict[tuple[int, datetime], dict[str, Any]] = {}
        for p in parsed:
            dev = devs.get(p.device_code)
            checked = self._check(p, dev)
            if isinstance(checked, Dead):
                dead.append(checked)
                continue
            assert dev is not None
            received = p.msg.received_at
            if received.tzinfo is not UTC:
                received = as_utc(received)
            future = p.ts > received + FUTURE_SKEW
            key = (dev.id, p.ts.replace(tzinfo=None))  # p.ts is UTC
            if key in rows:
                stats.duplicates += 1
                continue
            row: dict[str, Any] = {
                "key": key,
                "device_id": dev.id,
                "ts": p.ts,
                "received_at": received,
                "flags": FLAG_FUTURE if future else "",
                "msg_id": p.msg_id,
                "db_ts": conv(p.ts),  # each datetime converted once (it was most of the cost)
                "db_received_at": conv(received),
            }
            row.update(zip(_V, checked[0], strict=True))
            rows[key] = row
        inserted = self._insert(session, list(rows.values()))
        stats.duplicates += len(rows) - len(inserted)
        fresh = [rows[k] for k in rows if k in inserted]
        stats.accepted = len(fresh)
        stats.future = sum(1 for r in fresh if r["flags"] == FLAG_FUTURE)
        current = [r for r in fresh if r["flags"] != FLAG_FUTURE]
        by_id = {d.id: d for d in devs.values()}
        if any(d.status == DeviceStatus.PENDING for d in by_id.values()):
            self._activate(session, fresh, by_id)
        stats.alerts = self._latest_and_rules(session, current, by_id)
        stats.add(self.dead_letters(session, dead))
        return stats

    def _activate(
        self, session: Session, fresh: list[dict[str, Any]], by_id: dict[int, rules.DevInfo]
    ) -> None:
        """A pending (未接入) device's first accepted reading connects it: ACTIVE from the
        reading's receive time, so the online rate counts it from then. One UPDATE per device,
        once in its life (``status = 'pending'`` guards against a concurrent ingester)."""
        first: dict[int, datetime] = {}
        for r in fresh:
            i = r["device_id"]
            if by_id[i].status == DeviceStatus.PENDING and (
                i not in first or r["received_at"] < first[i]
            ):
                first[i] = r["received_at"]
        if not first:
            return
        table = cast(Table, Device.__table__)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.status == str(DeviceStatus.PENDING))
            .values(status=str(DeviceStatus.ACTIVE), installed_at=bindparam("b_at"))
        )
        session.connection().execute(stmt, [{"b_id": i, "b_at": at} for i, at in first.items()])
        for i in first:
            by_id[i] = dev = replace(by_id[i], status=str(DeviceStatus.ACTIVE))
            self.devices.put(dev)
            loaded = session.identity_map.get(identity_key(Device, i))
            if loaded is not None:  # the ORM copy the cache was filled from is stale now
                session.expire(loaded, ["status", "installed_at"])

    def _insert(self, session: Session, rows: list[dict[str, Any]]) -> set[tuple[int, datetime]]:
        """Insert the batch's new readings; return their keys (existing keys are duplicates).

        Raw DBAPI ``executemany`` (SQLAlchemy's per-parameter processing cost more than the
        insert itself); ON CONFLICT DO NOTHING still guards against a concurrent ingester."""
        if not rows:
            return set()
        ids = sorted({r["device_id"] for r in rows})
        lo = min(r["ts"] for r in rows)
        hi = max(r["ts"] for r in rows)
        existing: set[tuple[int, datetime]] = set()
        for start in range(0, len(ids), 1000):
            q = select(Reading.device_id, Reading.ts).where(
                Reading.device_id.in_(ids[start : start + 1000]), Reading.ts >= lo, Reading.ts <= hi
            )
            existing.update((int(d), naive(t)) for d, t in session.execute(q).all())
        new = [r for r in rows if r["key"] not in existing]
        if new:
            cols = ("device_id", "db_ts", "db_received_at", *_V, "flags", "msg_id")
            names = ", ".join(c.removeprefix("db_") for c in cols)
            sql = (
                f"INSERT INTO iot_reading ({names}) VALUES ({_marks(session, len(cols))}) "
                "ON CONFLICT (device_id, ts) DO NOTHING"
            )
            pick = itemgetter(*cols)
            session.connection().exec_driver_sql(sql, [pick(r) for r in new])
        return {r["key"] for r in new}

    def _latest_and_rules(
        self, session: Session, rows: list[dict[str, Any]], devs: dict[int, rules.DevInfo]
    ) -> int:
        if not rows:
            return 0
        newest: dict[int, dict[str, Any]] = {}
        for r in sorted(rows, key=lambda r: r["ts"]):
            newest[r["device_id"]] = r
        book = self.rulebook.rules(session)
        prev: dict[int, tuple[datetime, tuple[float | None, ...]]] = {}
        if any(devs[i].type in book for i in newest):
            ids = [i for i in newest if devs[i].type in book]
            for lt in session.scalars(select(Latest).where(Latest.device_id.in_(ids))):
                prev[lt.device_id] = (as_utc(lt.ts), (lt.v0, lt.v1, lt.v2, lt.v3))
        conv = _param_converter(session)
        values = []
        for r in newest.values():
            dev = devs[r["device_id"]]
            off = r["received_at"] + timedelta(seconds=OFFLINE_FACTOR * dev.interval_s)
            values.append(
                (r["device_id"], r["db_ts"], r["db_received_at"], conv(off), r["v0"], r["v1"],
                 r["v2"], r["v3"])
            )  # fmt: skip
        cols = ("device_id", "ts", "received_at", "offline_after", *_V)
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        sql = (
            f"INSERT INTO iot_latest ({', '.join(cols)}) VALUES ({_marks(session, len(cols))}) "
            f"ON CONFLICT (device_id) DO UPDATE SET {sets} WHERE iot_latest.ts <= excluded.ts"
        )
        session.connection().exec_driver_sql(sql, values)
        if not book:
            return 0
        observed = []
        for r in sorted(rows, key=lambda r: r["ts"]):
            dev = devs[r["device_id"]]
            if dev.type not in book:
                continue
            vals = tuple(r[v] for v in _V)
            before = prev.get(dev.id)
            if before is not None and before[0] >= r["ts"]:
                continue  # an older reading arriving late: rules judge the present
            observed.append(
                rules.Observed(
                    dev,
                    r["ts"],
                    vals,
                    before[0] if before else None,
                    before[1] if before else None,
                )
            )
            prev[dev.id] = (r["ts"], vals)
        return rules.evaluate(session, observed=observed, book=book, pm=self.pm)

    def dead_letters(self, session: Session, dead: list[Dead]) -> BatchStats:
        """Store dead letters with their reason (counted in the returned stats)."""
        stats = BatchStats()
        if not dead:
            return stats
        session.execute(
            insert(DeadLetter),
            [
                {
                    "received_at": as_utc(d.msg.received_at),
                    "source": d.msg.source,
                    "topic": d.msg.topic[:300],
                    "device_code": (d.device_code or None) and d.device_code[:64],
                    "reason": str(d.reason),
                    "detail": d.detail[:500],
                    "payload": payload_text(d.msg),
                }
                for d in dead
            ],
        )
        stats.dead_letters = len(dead)
        for d in dead:
            stats.dead_by_reason[str(d.reason)] = stats.dead_by_reason.get(str(d.reason), 0) + 1
        return stats
