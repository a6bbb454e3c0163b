from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    BUREAU_OPERATOR = "bureau_operator"
    DATA_OFFICER = "data_officer"
    COUNTY_OPERATOR = "county_operator"
    DUTY_OFFICER = "duty_officer"
    GRID_WORKER = "grid_worker"
    EVALUATOR = "evaluator"
    PUBLIC = "public"


class DepartmentLevel(StrEnum):
    CITY = "city"
    COUNTY = "county"
