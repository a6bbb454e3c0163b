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
    CALL_TAKER = "call_taker"  # 12345 话务员
    DISPATCHER = "dispatcher"  # 派遣员 / 指挥中心
    HANDLER = "handler"  # 处置部门经办人
    SYSTEM = "system"  # a consuming system (data services, IoT gateways), token only
    CITIZEN = "citizen"  # a registered member of the public (open-data applications)
    PUBLIC = "public"


class DepartmentLevel(StrEnum):
    CITY = "city"
    COUNTY = "county"
