"""The county nodes page (/share/nodes): the nodes whose region the viewer sees."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mudan.core.deps import DbSession
from mudan.domains.sharing.returnflow import county
from mudan.kernel.deps import current_principal, require
from mudan.kernel.models import Region
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
FLOW_READ = require("returnflow.read")


@router.get("/share/nodes", dependencies=[FLOW_READ])
def nodes_page(request: Request, session: DbSession) -> Response:
    who = current_principal(request)
    nodes = []
    for n in county.list_nodes(session):
        region = session.get(Region, n.region_code)
        if region is not None and (who.can("county.manage") or who.sees_path(region.path)):
            nodes.append(n)
    return render(request, "sharing/nodes.html", {"nodes": nodes})
