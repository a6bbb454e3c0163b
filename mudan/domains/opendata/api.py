"""The CKAN Action API on ``/api/3/action/{action}`` and ``/api/action/{action}`` (GET with
query parameters, or POST with a JSON or form body), in CKAN's own envelope:
``{"help": ..., "success": true, "result": ...}`` or ``{"success": false, "error": {"__type":
"Not Found Error", "message": ...}}``. Public: 有条件开放 data checks the caller itself."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from mudan.core.deps import DbSession, app_ctx, locale_of, public
from mudan.core.errors import MudanError
from mudan.domains.opendata import actions, index
from mudan.domains.opendata.errors import (
    AuthorizationError,
    CkanError,
    NotFoundError,
    ValidationError,
)
from mudan.kernel.deps import CurrentPrincipal
from mudan.lake import lake_of
from mudan.search import SearchIndex

router = APIRouter(tags=["opendata"])
BAD_BODY = "__bad_body__"


async def action_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        data[key] = values[0] if len(values) == 1 else values
    if request.method == "POST":
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            raw = await request.body()
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            if isinstance(body, dict):
                data.update(body)
            else:
                data[BAD_BODY] = True
        elif ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            data.update({k: v for k, v in form.items() if isinstance(v, str)})
    return data


ActionData = Annotated[dict[str, Any], Depends(action_data)]


def portal_index(request: Request, session: Session) -> SearchIndex:
    ctx = app_ctx(request)
    return index.app_index(ctx.extras, ctx.settings, session)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _envelope(request: Request, name: str, body: dict[str, Any], status: int) -> JSONResponse:
    help_url = f"{base_url(request)}/api/3/action/help_show?name={name}"
    return JSONResponse({"help": help_url, **body}, status_code=status)


def _as_ckan(exc: MudanError) -> CkanError:
    if isinstance(exc, CkanError):
        return exc
    if exc.status == 404:
        err: CkanError = NotFoundError(exc.code, **exc.params)
    elif exc.status in (401, 403):
        err = AuthorizationError(exc.code, **exc.params)
    else:
        err = ValidationError(exc.code, field=str(exc.params.get("field", "q")), **exc.params)
    return err


def run_action(
    request: Request, session: Session, principal: Any, name: str, data: dict[str, Any]
) -> JSONResponse:
    fn = actions.ACTIONS.get(name)
    if fn is None:
        body = {
            "success": False,
            "error": {"__type": "Bad Request", "message": f"Action name not known: {name}"},
        }
        return _envelope(request, name, body, 400)
    ctx = actions.Context(
        base=base_url(request),
        principal=principal,
        lake=lambda: lake_of(app_ctx(request)),
        index=lambda: portal_index(request, session),
        action_url=f"{base_url(request)}{request.url.path}",
    )
    try:
        if data.pop(BAD_BODY, False):
            raise ValidationError("opendata.bad_body", field="body")
        result = fn(session, ctx, data)
    except MudanError as exc:
        err = _as_ckan(exc)
        body = {"success": False, "error": err.ckan_error(locale_of(request))}
        return _envelope(request, name, body, err.status)
    return _envelope(request, name, {"success": True, "result": result}, 200)


def _endpoint(path: str, method: str, fn_name: str, doc: str) -> None:
    def endpoint(
        name: str,
        request: Request,
        session: DbSession,
        principal: CurrentPrincipal,
        data: ActionData,
    ) -> JSONResponse:
        return run_action(request, session, principal, name, data)

    endpoint.__name__ = fn_name
    endpoint.__doc__ = doc
    router.add_api_route(path, public(endpoint), methods=[method], name=fn_name)


for _path, _suffix in (("/api/3/action/{name}", ""), ("/api/action/{name}", "_unversioned")):
    for _method in ("GET", "POST"):
        _endpoint(
            _path,
            _method,
            f"ckan_action{_suffix}_{_method.lower()}",
            "CKAN Action API: status_show, package_list, package_search, package_show, "
            "organization_list, organization_show, group_list, tag_list, resource_show, "
            "datastore_search.",
        )
