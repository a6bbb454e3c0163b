"""Emergency test helpers: a principal for a demo user, a small plan with known holders, and
incidents at known points (street representative points from the region table)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import DeliveryStatus
from mudan.domains.emergency.schemas import HolderIn, PlanIn, PlanLevelIn, PlanRoleIn, ReportRuleIn
from mudan.kernel.identity import principal_for_user
from mudan.kernel.models import Region, User
from mudan.kernel.rbac import Principal


def principal(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_for_user(session, user=user, via="session")


def street_point(session: Session, name: str) -> tuple[float, float]:
    region = session.scalar(select(Region).where(Region.name == name, Region.level == "street"))
    assert region is not None and region.lon is not None and region.lat is not None
    return region.lon, region.lat


def test_plan() -> PlanIn:
    """Level Ⅳ: duty officer only; Ⅱ: commander + duty; Ⅰ: commander only."""
    return PlanIn(
        code="T-FLOOD",
        name="测试防汛预案",
        event_type="flood",
        department_code="371700017",
        levels=[
            PlanLevelIn(level=1, reports=[ReportRuleIn(title="首报", minutes=30)]),
            PlanLevelIn(
                level=2,
                reports=[
                    ReportRuleIn(title="首报", minutes=30),
                    ReportRuleIn(title="续报", minutes=120),
                ],
            ),
            PlanLevelIn(level=4, reports=[ReportRuleIn(title="首报", minutes=120)]),
        ],
        roles=[
            PlanRoleIn(
                code="commander",
                name="总指挥",
                checklists={1: ["报省指挥部"], 2: ["召开指挥部会议", "部署处置"]},
                holders=[
                    HolderIn(
                        name="孙总", username="mudanqu", phone="13800001111", channels=["sms"]
                    ),
                    HolderIn(name="钱副", phone="13900002222", channels=["sms", "voice"]),
                ],
            ),
            PlanRoleIn(
                code="duty",
                name="值班",
                checklists={2: ["通知成员单位"], 4: ["两小时内首报"]},
                holders=[HolderIn(name="刘洋", username="zhiban", channels=[])],
            ),
        ],
    )


test_plan.__test__ = False  # type: ignore[attr-defined]


@dataclass
class FakeSms:
    """A stand-in SMS gateway that records what it was asked to send."""

    name: str = "fake_sms"
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, recipient: es.Recipient, message: es.Message) -> es.DeliveryResult:
        self.sent.append((recipient.name, recipient.phone, message.title))
        return es.DeliveryResult(DeliveryStatus.DELIVERED, self.name, "msgid-" + recipient.phone)


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    provider = FakeSms()
    restore = es.register_provider("sms", provider)
    yield provider
    restore()
