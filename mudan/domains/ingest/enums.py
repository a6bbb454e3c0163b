from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the process died mid-job; the table is at its previous snapshot


class SourceKind(StrEnum):
    FILE = "file"
    DATABASE = "database"
    HTTP = "http"


class LoadMode(StrEnum):
    APPEND = "append"  # 追加
    UPSERT = "upsert"  # 按主键更新
    REPLACE = "replace"  # 全量覆盖: the batch becomes the whole table, in one snapshot


class NodeKind(StrEnum):
    SOURCE = "source"
    JOB = "job"
    TABLE = "table"
    VIEW = "view"
