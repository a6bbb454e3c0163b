"""Fixtures for the sharing tests: three published catalog entries of the police bureau
(有条件 people with personal items and a region column, 无条件 facilities, 不予共享 secrets),
the people table loaded into the lake, and tokens for the provider, bureau and requester."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mudan.core.ids import gen_citizen_id
from mudan.domains.catalog import service as catalog
from mudan.domains.catalog.schemas import EntryIn, ItemIn
from mudan.domains.sharing.models import ServiceCall, ShareEvent, ShareGrant, ShareRequest
from mudan.domains.sharing.returnflow.models import CountyNode, Delivery, ReturnFlow
from mudan.kernel.identity import principal_for_user
from mudan.kernel.models import User
from mudan.kernel.rbac import Principal
from mudan.lake.catalog import Lake
from mudan.lake.schema import arrow_schema
from mudan.settings import Settings
from tests.conftest import login_token

COUNTIES = ("371702", "371703", "371721")
SURNAMES = "张王李赵刘陈杨黄周吴"


def principal(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_for_user(session, user=user, via="token")


def _publish(session: Session, data: EntryIn) -> Any:
    admin = principal(session, "admin")
    entry = catalog.create_entry(session, principal=admin, data=data)
    catalog.submit(session, principal=admin, entry_id=entry.id)
    catalog.approve(session, principal=admin, entry_id=entry.id)
    return entry


def people_rows(n: int, start: int = 1, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        county = COUNTIES[i % len(COUNTIES)]
        rows.append(
            {
                "bh": f"P{i:05d}",
                "xm": rng.choice(SURNAMES) + rng.choice("伟芳娜敏静") + ("强" if i % 2 else ""),
                "sfzh": gen_citizen_id(rng, county, date(1980, 1, 1) + timedelta(days=i), "M"),
                "lxdh": f"138{rng.randrange(10**8):08d}",
                "ssqx": county,
                "nl": 20 + i % 50,
                "djrq": date(2024, 1, 1) + timedelta(days=i),
                "bz": f"备注{i}",
            }
        )
    return rows


@dataclass
class World:
    session: Session
    settings: Settings
    people: Any
    facilities: Any
    secret: Any

    def lake(self) -> Lake:
        return Lake(db_url=self.settings.database.url, warehouse=self.settings.lake.warehouse)

    def load_people(self, rows: list[dict[str, Any]], batch_id: str, mode: str = "append") -> None:
        spec = catalog.table_spec_for(self.people)
        with self.lake() as lake:
            lake.ensure_table(spec)
            batch = pa.RecordBatch.from_pylist(rows, schema=arrow_schema(spec))
            lake.load(spec, [batch], batch_id=batch_id, mode=mode)  # type: ignore[arg-type]


def people_entry() -> EntryIn:
    S, L3, L4 = "string", 3, 4
    return EntryIn(
        name="菏泽市人口基本信息（共享测试）",
        department_code="371700002",
        theme="人口",
        category="基础信息",
        update_cycle="daily",  # type: ignore[arg-type]
        share_type="conditional",  # type: ignore[arg-type]
        share_conditions="仅限政务部门依法履职使用",
        aggregated=True,
        key_columns=["bh"],
        items=[
            ItemIn(name="bh", label="编号", length=10),
            ItemIn(name="xm", label="姓名", sensitivity=L3, personal_kind="name"),  # type: ignore[arg-type]
            ItemIn(
                name="sfzh",
                label="身份证号",
                sensitivity=L4,
                personal_kind="citizen_id",
                share_type="conditional",
            ),  # type: ignore[arg-type]
            ItemIn(name="lxdh", label="联系电话", sensitivity=L3, personal_kind="phone"),  # type: ignore[arg-type]
            ItemIn(name="ssqx", label="所属区县", type=S),  # type: ignore[arg-type]
            ItemIn(name="nl", label="年龄", type="integer"),  # type: ignore[arg-type]
            ItemIn(name="djrq", label="登记日期", type="date"),  # type: ignore[arg-type]
            ItemIn(name="bz", label="备注", share_type="none"),  # type: ignore[arg-type]
        ],
    )


def clear_demo_sharing(session: Session) -> None:
    """The sharing tests count requests, grants and nodes exactly: drop the demo's."""
    for model in (
        ServiceCall,
        ShareEvent,
        Delivery,
        ShareGrant,
        ShareRequest,
        ReturnFlow,
        CountyNode,
    ):
        session.execute(delete(model))
    session.commit()


@pytest.fixture
def world(session: Session, settings: Settings) -> Iterator[World]:
    clear_demo_sharing(session)
    people = _publish(session, people_entry())
    facilities = _publish(
        session,
        EntryIn(
            name="菏泽市警务设施（共享测试）",
            department_code="371700002",
            theme="其他",
            category="业务信息",
            share_type="unconditional",  # type: ignore[arg-type]
            key_columns=["bm"],
            items=[
                ItemIn(name="bm", label="编码"),
                ItemIn(name="mc", label="名称"),
                ItemIn(name="ssqx", label="所属区县"),
            ],
        ),
    )
    secret = _publish(
        session,
        EntryIn(
            name="菏泽市涉密警务信息（共享测试）",
            department_code="371700002",
            theme="其他",
            category="业务信息",
            share_type="none",  # type: ignore[arg-type]
            legal_basis="《中华人民共和国保守国家秘密法》",
            items=[ItemIn(name="bm", label="编码")],
        ),
    )
    session.commit()
    w = World(session, settings, people, facilities, secret)
    w.load_people(people_rows(60), "people-1")
    yield w


def bearer(client: TestClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, username)}"}


def request_body(entry_code: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entry_code": entry_code,
        "purpose": "牡丹区社区人口服务管理",
        "legal_basis": "《山东省公共数据管理办法》第二十条",
        "period_start": date.today().isoformat(),
        "period_end": (date.today() + timedelta(days=365)).isoformat(),
        "systems": ["牡丹区社区治理平台"],
    }
    body.update(extra)
    return body


def granted(
    client: TestClient,
    world: World,
    *,
    regions: list[str] | None = None,
    entry: Any = None,
    items: list[str] | None = None,
    **extra: Any,
) -> tuple[int, dict[str, str]]:
    """A people grant for 牡丹区 (approved by provider and bureau) and its client's token
    (``entry``: another people-shaped entry; ``items``: fewer items)."""
    body = request_body(
        (entry or world.people).code,
        items=items or ["bh", "xm", "sfzh", "lxdh", "ssqx", "nl", "djrq"],
        region_codes=["371702"] if regions is None else regions,
        **extra,
    )
    r = client.post("/api/v1/share/requests", json=body, headers=bearer(client, "mudanqu"))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    for who in ("gaj", "dsj"):
        r = client.post(
            f"/api/v1/share/requests/{rid}/decision",
            json={"decision": "approve"},
            headers=bearer(client, who),
        )
        assert r.status_code == 200, r.text
    gid = r.json()["grant_id"]
    r = client.post(f"/api/v1/share/grants/{gid}/credentials", headers=bearer(client, "dsj"))
    assert r.status_code == 201, r.text
    return gid, {"Authorization": f"Bearer {r.json()['token']}"}
