"""The state machine itself: 挂账 and back, reopening, assessment counts, no way out of the end."""

from __future__ import annotations

import pytest
from sqlalchemy import true
from sqlalchemy.orm import Session

from mudan.core.errors import Conflict, Forbidden, InvalidInput
from mudan.domains.cases import service as cs
from mudan.domains.cases.assess import assessment
from mudan.domains.cases.enums import Action, Channel
from mudan.domains.cases.workflow import TRANSITIONS
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

BOSS = Principal(user_id=None, username="t", display_name="t", roles=frozenset({Role.ADMIN}))
CALLER = Principal(
    user_id=None,
    username="c",
    display_name="c",
    roles=frozenset({Role.CALL_TAKER}),
    scope_paths=("3717",),
)


def _case(session: Session) -> cs.Case:  # type: ignore[name-defined]
    data = cs.IntakeIn(
        channel=Channel.HOTLINE, category_code="SJ0102", title="测试", region_code="371702001000"
    )
    return cs.intake(session, data=data, actor="t")


def _do(session: Session, case: object, action: Action, note: str = "原因", **kw: object) -> None:
    cs.act(
        session,
        case=case,
        data=cs.ActIn(action=action, note=note, **kw),  # type: ignore[arg-type]
        principal=BOSS,
    )


def test_park_unpark_reopen_and_assessment(session: Session) -> None:
    case = _case(session)
    assert case.state == "dispatched"
    _do(session, case, Action.ACCEPT)
    _do(session, case, Action.PARK, "等待资金")
    assert case.state == "parked" and case.park_reason == "等待资金"
    _do(session, case, Action.UNPARK)
    assert case.state == "handling" and case.parked_from is None
    _do(session, case, Action.REPORT)
    _do(session, case, Action.VERIFY_FAIL, "未清理干净")
    assert case.state == "handling"
    _do(session, case, Action.REPORT)
    _do(session, case, Action.CLOSE)
    _do(session, case, Action.REOPEN, "群众反映问题复发")
    assert case.state == "dispatched" and case.reopenings == 1 and case.closed_at is None
    _do(session, case, Action.RETURN, "非本部门")
    assert case.returns == 1 and case.department_code is None and case.state == "registered"
    row = {a.key: a for a in assessment(session, scope=true(), by="district")}["371702"]
    assert row.returns >= 1 and row.reopenings >= 1


def test_terminal_states_allow_nothing_and_roles_are_checked(session: Session) -> None:
    assert TRANSITIONS["merged"] == {} and TRANSITIONS["cancelled"] == {}  # type: ignore[index]
    case = _case(session)
    with pytest.raises(Forbidden):  # a call taker may not dispatch or handle
        cs.act(session, case=case, data=cs.ActIn(action=Action.ACCEPT), principal=CALLER)
    _do(session, case, Action.RETURN)
    with pytest.raises(InvalidInput):  # dispatch without a department
        _do(session, case, Action.DISPATCH)
    with pytest.raises(InvalidInput):
        _do(session, case, Action.DISPATCH, department_code="999999999")
    _do(session, case, Action.CANCEL, "重复来电")
    with pytest.raises(Conflict) as err:
        _do(session, case, Action.REGISTER)
    assert err.value.details == [{"state": "cancelled", "action": "register", "allowed": []}]
