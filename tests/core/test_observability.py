from __future__ import annotations

import json
import logging

from mudan.core.observability import JsonFormatter, request_id_var


def test_json_log_line_carries_request_id_and_fields() -> None:
    token = request_id_var.set("rid-42")
    try:
        record = logging.LogRecord("mudan.http", logging.INFO, __file__, 1, "request", None, None)
        record.fields = {"path": "/healthz", "status": 200}
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "rid-42"
    assert line["msg"] == "request" and line["path"] == "/healthz" and line["status"] == 200
