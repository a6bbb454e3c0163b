"""The data-service API: ``GET /api/v1/share/services/{grant_id}`` for a consuming system's
token (permission ``dataservice.call``). The call itself — checks, masked query, call log —
is :func:`mudan.domains.sharing.dataservice.serving.call_service`; see
:mod:`mudan.domains.sharing.dataservice.calllog` for how the log is sealed into the audit chain
(on the call-log writer's timer, not by the calls)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from mudan.core.db import transaction
from mudan.core.deps import app_ctx, locale_of
from mudan.core.params import Id
from mudan.domains.sharing.dataservice import calllog, serving
from mudan.domains.sharing.dataservice.runtime import runtime_of
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/share/services", tags=["sharing"])
CALL = require(serving.PERMISSION)


@router.get("/{grant_id}")
async def call_service(grant_id: Id, request: Request, who: Principal = CALL) -> Response:
    # One threadpool hop for the whole call (session, query, log) instead of one per
    # dependency and one for the endpoint.
    response: Response = await run_in_threadpool(_call, request, grant_id, who)
    return response


def _call(request: Request, grant_id: int, who: Principal) -> Response:
    ctx = app_ctx(request)
    rt = runtime_of(ctx)
    with transaction(ctx.sessions) as session:
        try:
            answer = serving.call_service(
                session,
                runtime=rt,
                principal=who,
                grant_id=grant_id,
                query=dict(request.query_params),
            )
        except serving.CallRefused as refused:
            exc = refused.error
            headers = (
                {"Retry-After": str(exc.retry_after)}
                if isinstance(exc, calllog.RateLimited)
                else {}
            )
            return JSONResponse(exc.envelope(locale_of(request)), exc.status, headers=headers)
    headers = {"X-Next-Cursor": answer.next} if answer.next else {}
    return Response(answer.content, media_type=answer.media_type, headers=headers)
