"""Chinese reasons for violations (stored with the quarantined row, shown to departments)."""

from __future__ import annotations

from mudan.domains.quality.enums import BUILTIN_NULLABLE, BUILTIN_TYPE, RuleKind
from mudan.domains.quality.rules import Rule
from mudan.lake.schema import ItemType

TYPE_NAMES = {
    ItemType.STRING: "文本",
    ItemType.INTEGER: "整数",
    ItemType.DECIMAL: "小数（最多4位小数）",
    ItemType.FLOAT: "数值",
    ItemType.DATE: "日期（YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD）",
    ItemType.TIMESTAMP: "时间（YYYY-MM-DD HH:MM:SS）",
    ItemType.BOOLEAN: "布尔（是/否、true/false、1/0）",
}
ID_CODES = {
    "id.format": "格式错误",
    "id.checksum": "校验码错误",
    "id.region": "地区码无效",
    "id.birthdate": "出生日期无效",
    "uscc.format": "格式错误",
    "uscc.checksum": "校验码错误",
    "uscc.dept": "登记管理部门代码无效",
    "uscc.org_type": "机构类别代码无效",
    "uscc.region": "行政区划码无效",
}


def builtin_reason(kind: str, column: str, item_type: ItemType) -> str:
    if kind == BUILTIN_TYPE:
        return f"字段 {column} 的值不是有效的{TYPE_NAMES[item_type]}"
    assert kind == BUILTIN_NULLABLE
    return f"字段 {column} 不允许为空"


def rule_reason(rule: Rule, code: str | None = None) -> str:
    col, p = rule.column or "", rule.params
    match rule.kind:
        case RuleKind.NOT_NULL:
            return f"字段 {col} 为空"
        case RuleKind.UNIQUE:
            return f"字段 {col} 的值重复"
        case RuleKind.PRIMARY_KEY:
            return "主键为空或重复"
        case RuleKind.RANGE:
            return f"字段 {col} 超出范围 [{p.get('min', '')}, {p.get('max', '')}]"
        case RuleKind.ENUM:
            return f"字段 {col} 的值不在代码表中"
        case RuleKind.REGEX:
            return f"字段 {col} 的格式不符合规则"
        case RuleKind.CITIZEN_ID:
            return f"字段 {col} 不是有效的身份证号（{ID_CODES.get(code or '', '无效')}）"
        case RuleKind.USCC:
            return f"字段 {col} 不是有效的统一社会信用代码（{ID_CODES.get(code or '', '无效')}）"
        case RuleKind.PHONE:
            return f"字段 {col} 不是有效的电话号码"
        case RuleKind.REGION_CODE:
            return f"字段 {col} 不是有效的行政区划代码"
        case RuleKind.REFERENTIAL:
            return f"字段 {col} 的值在参照表 {p.get('ref', '')} 中不存在"
        case RuleKind.CROSS_FIELD:
            return f"不满足跨字段规则：{p.get('expression', '')}"
    return "不符合质量规则"  # pragma: no cover
