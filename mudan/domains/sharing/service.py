"""The sharing domain's public service surface (other domains import only this module)."""

from __future__ import annotations

from mudan.domains.sharing.deadlines import on_time_rates, remind_and_mark, set_step_rule
from mudan.domains.sharing.grants import expire_due, grant_out, issue_credentials, revoke, usage
from mudan.domains.sharing.requests import create_request, decide, list_requests, resubmit
from mudan.domains.sharing.returnflow import add_flow, create_node, run_flow

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
