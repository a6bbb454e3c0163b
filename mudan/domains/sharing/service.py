"""The sharing domain's public service surface (other domains import only this module)."""

from __future__ import annotations

from mudan.domains.sharing.returnflow.county import add_flow, create_node, run_flow
from mudan.domains.sharing.workflow.deadlines import on_time_rates, remind_and_mark, set_step_rule
from mudan.domains.sharing.workflow.grants import (
    expire_due,
    grant_out,
    issue_credentials,
    revoke,
    usage,
)
from mudan.domains.sharing.workflow.requests import create_request, decide, list_requests, resubmit

__all__ = [
    "add_flow",
    "create_node",
    "create_request",
    "decide",
    "expire_due",
    "grant_out",
    "issue_credentials",
    "list_requests",
    "on_time_rates",
    "remind_and_mark",
    "resubmit",
    "revoke",
    "run_flow",
    "set_step_rule",
    "usage",
]
