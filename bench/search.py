"""Benchmark: catalog search (tantivy + jieba, with facet counts) vs a plain SQL LIKE baseline.

    .venv/bin/python bench/search.py [--n 14300] [--queries 1000] [--seed 3717]

Generates N catalog-like entries (Heze departments, themes, districts, item labels, 8 facets)
and realistic Chinese queries (1–3 vocabulary words, some with district names, some misspelt or
absent), deterministically. Each query runs through ``SearchIndex.search`` (top 20 + counts for
all 8 facets over all matches) and through SQLite in the same process: ``(title LIKE '%w%' OR
body LIKE '%w%')`` AND-ed per space-separated word, top 20, COUNT(*) and one GROUP BY per facet.

The last line is ``search p95: <ms> ms (LIKE p95 <ms> ms)``.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from random import Random

from mudan.search import SearchDoc, SearchIndex

DEPARTMENTS = (
    "菏泽市公安局", "菏泽市卫生健康委员会", "菏泽市市场监督管理局", "菏泽市人力资源和社会保障局",
    "菏泽市自然资源和规划局", "菏泽市交通运输局", "菏泽市生态环境局", "菏泽市教育局",
    "菏泽市医疗保障局", "菏泽市应急管理局", "菏泽市农业农村局", "菏泽市民政局",
    "菏泽市住房和城乡建设局", "菏泽市大数据局", "菏泽市行政审批服务局", "菏泽市税务局",
    "菏泽市水务局", "菏泽市文化和旅游局", "菏泽市城市管理局", "菏泽市统计局",
)  # fmt: skip
THEMES = {
    "人口": ("户籍人口", "流动人口", "出生登记", "死亡登记", "婚姻登记"),
    "法人": ("企业法人", "个体工商户", "社会组织", "事业单位"),
    "电子证照": ("营业执照", "身份证", "结婚证", "不动产权证书", "驾驶证"),
    "社保": ("养老保险", "失业保险", "工伤保险", "社保卡"),
    "不动产": ("不动产登记", "房屋交易", "土地出让"),
    "交通": ("公交线路", "客运车辆", "道路运输", "停车场"),
    "生态环境": ("空气质量", "水质监测", "排污许可", "噪声监测"),
    "教育": ("中小学校", "学籍", "幼儿园", "教师资格"),
    "医疗": ("医疗机构", "执业医师", "疫苗接种", "医保结算"),
    "应急": ("危险化学品", "应急物资", "避难场所", "安全生产"),
    "市场监管": ("食品经营许可", "特种设备", "行政处罚", "产品抽检"),
    "农业": ("农业合作社", "耕地保护", "农机补贴", "牡丹种植"),
}
PLACES = ("", "牡丹区", "定陶区", "曹县", "单县", "成武县", "巨野县", "郓城县", "鄄城县", "东明县")
OBJECTS = ("基础信息", "登记信息", "统计信息", "名录", "许可信息", "监测数据", "台账", "明细")
ITEMS = (
    "姓名", "身份证号", "联系电话", "统一社会信用代码", "登记日期", "地址", "法定代表人",
    "经营范围", "注册资本", "发证机关", "有效期", "经度", "纬度", "监测时间", "AQI", "PM2.5",
    "车牌号", "学校名称", "床位数", "金额", "行政区划代码", "网格编码",
)  # fmt: skip
GRADES = ("核心数据", "重要数据", "一般数据")
SHARE = ("无条件共享", "有条件共享", "不予共享")
OPEN = ("无条件开放", "有条件开放", "不予开放")
FORMATS = ("数据库", "电子表格", "接口", "文件")
CYCLES = ("实时", "每日", "每周", "每月", "每季度", "每年")
FACETS = ("department", "theme", "grade", "share", "open", "format", "cycle", "region")
MISSPELT = ("人囗", "社宝", "不动惨", "教肓", "火星基地", "量子通信", "区块链存证")


def generate(n: int, rng: Random) -> list[SearchDoc]:
    docs = []
    themes = list(THEMES)
    for i in range(n):
        dept_no = rng.randrange(len(DEPARTMENTS))
        theme = rng.choice(themes)
        subject = rng.choice(THEMES[theme])
        place = rng.choice(PLACES)
        title = f"菏泽市{place}{subject}{rng.choice(OBJECTS)}表"
        items = "、".join(rng.sample(ITEMS, rng.randint(4, 9)))
        extra = rng.choice(themes)
        body = (
            f"{DEPARTMENTS[dept_no]}归集的{place or '全市'}{subject}数据，"
            f"用于{theme}和{extra}领域的业务协同与共享。信息项：{items}。标签：{theme} {subject}"
        )
        code = f"3717{dept_no + 1:05d}-{i:05d}"
        facets = {
            "department": [DEPARTMENTS[dept_no]],
            "theme": [theme] if extra == theme else [theme, extra],
            "grade": [rng.choice(GRADES)],
            "share": [rng.choice(SHARE)],
            "open": [rng.choice(OPEN)],
            "format": [rng.choice(FORMATS)],
            "cycle": [rng.choice(CYCLES)],
            "region": [place or "菏泽市"],
        }
        docs.append(SearchDoc(str(i), title, body, facets, code))
    return docs


def make_queries(n: int, rng: Random) -> list[str]:
    vocab = [*THEMES, *(s for v in THEMES.values() for s in v), *OBJECTS, *ITEMS]
    out = []
    for _ in range(n):
        roll = rng.random()
        words = rng.sample(vocab, rng.choice((1, 1, 2, 2, 3)))
        if roll < 0.25:
            words.insert(0, rng.choice(PLACES[1:]))
        elif roll < 0.32:
            words = [rng.choice(MISSPELT)]
        out.append(" ".join(words))
    return out


def build_sqlite(docs: list[SearchDoc]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    cols = ", ".join(f"{f} TEXT" for f in FACETS)
    db.execute(f"CREATE TABLE e (id INTEGER PRIMARY KEY, title TEXT, body TEXT, code TEXT, {cols})")
    rows = [
        (int(d.id), d.title, d.body, d.sort_key, *(d.facets[f][0] for f in FACETS)) for d in docs
    ]
    db.executemany(f"INSERT INTO e VALUES (?, ?, ?, ?, {', '.join('?' * len(FACETS))})", rows)
    return db


def like_search(db: sqlite3.Connection, query: str) -> tuple[int, list[int]]:
    words = query.split()
    where = " AND ".join("(title LIKE ? OR body LIKE ?)" for _ in words) or "1"
    args = [p for w in words for p in (f"%{w}%", f"%{w}%")]
    top = [r[0] for r in db.execute(f"SELECT id FROM e WHERE {where} ORDER BY code LIMIT 20", args)]
    total = db.execute(f"SELECT COUNT(*) FROM e WHERE {where}", args).fetchone()[0]
    for f in FACETS:
        db.execute(f"SELECT {f}, COUNT(*) FROM e WHERE {where} GROUP BY {f}", args).fetchall()
    return int(total), top


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if values else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=14_300)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=3717)
    args = ap.parse_args()
    rng = Random(args.seed)
    docs = generate(args.n, rng)
    queries = make_queries(args.queries, rng)
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp) / "idx", FACETS)
        t0 = time.perf_counter()
        index.rebuild(docs)
        print(f"indexed {index.count():,} entries in {time.perf_counter() - t0:.1f} s", flush=True)
        db = build_sqlite(docs)
        index.search("人口")  # warm up jieba and the reader
        ours, theirs = [], []
        found_ours = found_like = only_ours = only_like = 0
        for query in queries:
            t = time.perf_counter()
            result = index.search(query)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            like_total, _ = like_search(db, query)
            theirs.append((time.perf_counter() - t) * 1000)
            found_ours += result.total > 0
            found_like += like_total > 0
            only_ours += result.total > 0 and like_total == 0
            only_like += like_total > 0 and result.total == 0
        index.close()
    p50, p95, l50, l95 = pct(ours, 50), pct(ours, 95), pct(theirs, 50), pct(theirs, 95)
    print(f"queries: {len(queries)} over {args.n:,} entries, 8 facets counted per query")
    print(f"tantivy+jieba: p50 {p50:.2f} ms  p95 {p95:.2f} ms")
    print(f"SQL LIKE     : p50 {l50:.2f} ms  p95 {l95:.2f} ms")
    print(f"ratio (LIKE p95 / search p95): {l95 / p95:.1f}x")
    print(
        f"recall note: queries with any hit: search {found_ours}, LIKE {found_like}; "
        f"{only_ours} found only by search (words matched across jieba segmentation), "
        f"{only_like} only by LIKE; "
        "misspelt/absent queries find nothing in both"
    )
    print(f"search p95: {p95:.1f} ms (LIKE p95 {l95:.1f} ms)")


if __name__ == "__main__":
    main()
