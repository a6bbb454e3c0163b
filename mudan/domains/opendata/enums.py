"""States and vocabularies of the open-data portal."""

from __future__ import annotations

from enum import StrEnum


class DatasetState(StrEnum):
    ACTIVE = "active"  # listed on the portal
    DELETED = "deleted"  # the catalog entry was withdrawn or closed to the public


class ApplicationStatus(StrEnum):
    PENDING = "pending"  # 待审核
    APPROVED = "approved"  # 已批准
    REJECTED = "rejected"  # 已驳回


class FeedbackKind(StrEnum):
    FEEDBACK = "feedback"  # 意见建议
    ERROR = "error"  # 数据纠错


class ResourceFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ResourceFormat.CSV: "text/csv",
    ResourceFormat.JSON: "application/json",
    ResourceFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Licences a dataset may carry (CKAN ``license_id`` → title and IRI for DCAT).
LICENCES: dict[str, tuple[str, str]] = {
    "cc-by-4.0": ("知识共享署名 4.0 (CC BY 4.0)", "http://creativecommons.org/licenses/by/4.0/"),
    "cc-zero": ("知识共享零 1.0 (CC0 1.0)", "http://creativecommons.org/publicdomain/zero/1.0/"),
    "odc-by": ("开放数据共享署名许可 (ODC-By)", "http://opendatacommons.org/licenses/by/1-0/"),
}
DEFAULT_LICENCE = "cc-by-4.0"
