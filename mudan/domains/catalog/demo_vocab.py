"""Vocabulary of the catalog demo: which department publishes what, and typical columns."""

from __future__ import annotations

from mudan.lake.schema import ItemType

S, N, D, T, F = ItemType.STRING, ItemType.INTEGER, ItemType.DATE, ItemType.TIMESTAMP, ItemType.FLOAT

# column: (name, label, type, length, sensitivity, personal kind)
Col = tuple[str, str, ItemType, int | None, int, str | None]
KIND_COLUMNS: dict[str, tuple[Col, ...]] = {
    "person": (
        ("xm", "姓名", S, 50, 3, "name"),
        ("sfzh", "身份证号", S, 18, 4, "citizen_id"),
        ("xb", "性别", S, 2, 2, None),
        ("csrq", "出生日期", D, None, 3, None),
        ("lxdh", "联系电话", S, 20, 3, "phone"),
        ("zz", "地址", S, 200, 3, "address"),
        ("djrq", "登记日期", D, None, 1, None),
        ("ssqx", "所属区县", S, 12, 1, None),
    ),
    "entity": (
        ("dwmc", "单位名称", S, 200, 1, None),
        ("tyshxydm", "统一社会信用代码", S, 18, 1, None),
        ("fddbr", "法定代表人", S, 50, 3, "name"),
        ("zcdz", "注册地址", S, 200, 1, None),
        ("clrq", "成立日期", D, None, 1, None),
        ("djjg", "登记机关", S, 100, 1, None),
        ("jyfw", "经营范围", S, 2000, 1, None),
        ("djzt", "登记状态", S, 20, 1, None),
    ),
    "licence": (
        ("zzbh", "证照编号", S, 64, 2, None),
        ("zzmc", "证照名称", S, 100, 1, None),
        ("cyzmc", "持证主体", S, 200, 2, None),
        ("cyzdm", "持证主体代码", S, 18, 3, None),
        ("fzjg", "发证机关", S, 100, 1, None),
        ("fzrq", "发证日期", D, None, 1, None),
        ("yxqz", "有效期至", D, None, 1, None),
    ),
    "facility": (
        ("bm", "编码", S, 32, 1, None),
        ("mc", "名称", S, 200, 1, None),
        ("dz", "地址", S, 200, 1, None),
        ("jd", "经度", F, None, 2, None),
        ("wd", "纬度", F, None, 2, None),
        ("fzr", "负责人", S, 50, 3, "name"),
        ("lxdh", "联系电话", S, 20, 3, "phone"),
        ("ssqx", "所属区县", S, 12, 1, None),
    ),
    "stats": (
        ("tjnd", "统计年度", N, None, 1, None),
        ("qhdm", "区划代码", S, 12, 1, None),
        ("zbmc", "指标名称", S, 100, 1, None),
        ("zbz", "指标值", F, None, 1, None),
        ("jldw", "计量单位", S, 20, 1, None),
    ),
    "monitor": (
        ("jcdbm", "监测点编码", S, 32, 1, None),
        ("jcsj", "监测时间", T, None, 1, None),
        ("jczb", "监测指标", S, 50, 1, None),
        ("jcz", "监测值", F, None, 1, None),
        ("dw", "单位", S, 20, 1, None),
    ),
}
KIND_KEYS = {
    "person": "sfzh",
    "entity": "tyshxydm",
    "licence": "zzbh",
    "facility": "bm",
    "stats": "",
    "monitor": "",
}
KIND_CATEGORY = {
    "person": "基础信息",
    "entity": "基础信息",
    "licence": "电子证照",
    "facility": "基础信息",
    "stats": "统计信息",
    "monitor": "业务信息",
}
KIND_CYCLES = {
    "person": ("daily", "weekly", "monthly"),
    "entity": ("daily", "weekly"),
    "licence": ("daily", "realtime"),
    "facility": ("monthly", "quarterly", "yearly"),
    "stats": ("monthly", "quarterly", "yearly"),
    "monitor": ("realtime", "daily"),
}
# theme → (subject, kind)
SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "人口": (
        ("户籍人口", "person"),
        ("流动人口", "person"),
        ("出生登记", "person"),
        ("死亡登记", "person"),
        ("婚姻登记", "person"),
        ("人口统计", "stats"),
    ),
    "法人": (
        ("企业法人", "entity"),
        ("个体工商户", "entity"),
        ("社会组织", "entity"),
        ("事业单位", "entity"),
        ("农民专业合作社", "entity"),
    ),
    "电子证照": (
        ("营业执照", "licence"),
        ("食品经营许可证", "licence"),
        ("建筑施工许可证", "licence"),
        ("道路运输经营许可证", "licence"),
    ),
    "社保": (
        ("养老保险参保", "person"),
        ("医疗保险参保", "person"),
        ("失业保险金发放", "person"),
        ("社保基金收支", "stats"),
    ),
    "不动产": (
        ("不动产登记", "person"),
        ("商品房预售", "facility"),
        ("国有土地出让", "facility"),
        ("房屋交易", "stats"),
    ),
    "交通": (
        ("机动车登记", "person"),
        ("驾驶人", "person"),
        ("公交站点", "facility"),
        ("道路交通流量", "monitor"),
        ("客运车辆", "facility"),
    ),
    "生态环境": (
        ("空气质量监测", "monitor"),
        ("水质监测", "monitor"),
        ("排污许可", "licence"),
        ("重点排污单位", "entity"),
        ("环境信访", "stats"),
    ),
    "教育": (
        ("中小学校", "facility"),
        ("在校学生学籍", "person"),
        ("幼儿园", "facility"),
        ("教师资格", "person"),
        ("教育经费", "stats"),
    ),
    "医疗卫生": (
        ("医疗机构", "facility"),
        ("执业医师", "person"),
        ("预防接种", "person"),
        ("传染病报告", "stats"),
        ("卫生监督", "entity"),
    ),
    "应急": (
        ("应急避难场所", "facility"),
        ("危险化学品企业", "entity"),
        ("应急物资储备", "facility"),
        ("自然灾害灾情", "stats"),
        ("安全生产检查", "entity"),
    ),
    "市场监管": (
        ("市场主体登记", "entity"),
        ("行政处罚", "entity"),
        ("特种设备", "facility"),
        ("食品抽检", "stats"),
        ("消费投诉", "stats"),
    ),
    "农业农村": (
        ("农业经营主体", "entity"),
        ("耕地保护", "stats"),
        ("牡丹种植", "stats"),
        ("农村集体资产", "stats"),
        ("农机购置补贴", "person"),
    ),
    "城市管理": (
        ("市政设施", "facility"),
        ("城市部件", "facility"),
        ("违法建设查处", "stats"),
        ("环卫作业", "monitor"),
        ("户外广告设施", "facility"),
    ),
    "文化旅游": (
        ("A级旅游景区", "facility"),
        ("星级饭店", "entity"),
        ("文物保护单位", "facility"),
        ("游客接待量", "stats"),
    ),
    "财政经济": (
        ("财政预算执行", "stats"),
        ("政府采购项目", "entity"),
        ("重点项目", "facility"),
        ("国民经济核算", "stats"),
        ("价格监测", "monitor"),
    ),
    "其他": (
        ("政务服务事项", "stats"),
        ("12345热线工单", "stats"),
        ("法律援助", "person"),
        ("政务信息资源共享", "stats"),
    ),
}
SUFFIXES = {
    "person": ("基本信息", "登记信息", "名册", "变更信息"),
    "entity": ("基本信息", "登记信息", "名录", "年报信息"),
    "licence": ("信息", "电子证照信息", "发证信息"),
    "facility": ("基本信息", "分布信息", "名录"),
    "stats": ("统计数据", "年度统计", "月度统计"),
    "monitor": ("实时数据", "监测数据", "小时数据"),
}
DEPARTMENT_THEMES: dict[str, tuple[str, ...]] = {
    "大数据局": ("其他", "财政经济"),
    "公安局": ("人口", "交通"),
    "城市管理局": ("城市管理",),
    "生态环境局": ("生态环境",),
    "卫生健康委员会": ("医疗卫生",),
    "教育局": ("教育",),
    "民政局": ("人口", "法人"),
    "交通运输局": ("交通",),
    "应急管理局": ("应急",),
    "市场监督管理局": ("市场监管", "法人", "电子证照"),
    "住房和城乡建设局": ("不动产", "电子证照"),
    "自然资源和规划局": ("不动产",),
    "行政审批服务局": ("电子证照", "法人"),
    "人力资源和社会保障局": ("社保",),
    "医疗保障局": ("社保", "医疗卫生"),
    "文化和旅游局": ("文化旅游",),
    "水务局": ("生态环境",),
    "农业农村局": ("农业农村",),
    "发展和改革委员会": ("财政经济",),
    "财政局": ("财政经济",),
    "司法局": ("其他",),
    "统计局": ("财政经济", "人口"),
    "大数据中心": ("其他",),
    "公安分局": ("人口", "交通"),
    "综合行政执法局": ("城市管理",),
}
LEGAL_BASES = (
    "《中华人民共和国个人信息保护法》第十三条",
    "《中华人民共和国数据安全法》第二十一条",
    "《政务信息资源共享管理暂行办法》第九条",
)
SHARE_CONDITIONS = (
    "仅限政务部门依法履职使用，需经提供方审核同意",
    "按需共享，申请方需说明使用目的并签订安全承诺书",
    "通过接口核验方式共享，不批量提供原始数据",
)
OPEN_CONDITIONS = ("实名注册并签署数据开放协议后获取", "限科研与公益用途，需提交使用申请")
FORMATS = ("数据库表",) * 6 + ("电子表格",) * 2 + ("接口",) * 2 + ("电子文件",)
