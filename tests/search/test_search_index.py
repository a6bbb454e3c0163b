"""SearchIndex: Chinese recall, ranking, codes, facets, edits, rebuild, odd queries, reopen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from mudan.core.errors import InvalidInput
from mudan.search import SearchDoc, SearchIndex

FACETS = ("department", "theme", "grade")

DOCS = [
    SearchDoc(
        "1",
        "菏泽市人口基础信息",
        "全市户籍人口基础信息。信息项：姓名、身份证号、联系电话、户籍地址",
        {"department": ["菏泽市公安局"], "theme": ["人口"], "grade": ["重要数据"]},
        "371700002-0001",
    ),
    SearchDoc(
        "2",
        "企业法人登记信息",
        "市场主体登记。信息项：统一社会信用代码、法定代表人、登记日期、常住人口规模",
        {"department": ["菏泽市市场监督管理局"], "theme": ["法人", "人口"], "grade": ["一般数据"]},
        "371700009-0001",
    ),
    SearchDoc(
        "3",
        "定陶区空气质量AQI小时监测",
        "空气质量指数 AQI、PM2.5 浓度，按小时更新",
        {"department": ["菏泽市生态环境局"], "theme": ["生态环境"], "grade": ["一般数据"]},
        "371700010-0003",
    ),
    SearchDoc(
        "4",
        "不动产登记信息",
        "不动产权证书编号、权利人、坐落",
        {"department": ["菏泽市自然资源和规划局"], "theme": ["不动产"], "grade": ["重要数据"]},
        "371700011-0002",
    ),
]


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    ix = SearchIndex(tmp_path / "idx", FACETS)
    assert ix.upsert(DOCS) == 4
    return ix


def ids(ix: SearchIndex, query: str, **kw: object) -> list[str]:
    return [h.id for h in ix.search(query, **kw).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["人口", "人口信息", "菏泽 人口", "菏泽市人口", "人口基础信息"])
def test_chinese_recall(index: SearchIndex, query: str) -> None:
    assert "1" in ids(index, query)


def test_title_match_ranks_above_body_only_match(index: SearchIndex) -> None:
    result = index.search("人口")
    assert [h.id for h in result.hits] == ["1", "2"]  # 2 mentions 人口 only in its body
    assert result.hits[0].score > result.hits[1].score
    assert result.total == 2


def test_ascii_words_and_resource_codes(index: SearchIndex) -> None:
    assert ids(index, "AQI") == ["3"]
    assert ids(index, "aqi") == ["3"]
    assert ids(index, "pm2.5") == ["3"]
    assert ids(index, "371700002-0001") == ["1"]
    assert ids(index, "３７１７０００１０－０００３") == ["3"]  # full-width input
    assert ids(index, "371700011") == ["4"]


def test_place_names_and_compound_words(index: SearchIndex) -> None:
    assert ids(index, "定陶区") == ["3"]
    assert ids(index, "定陶 空气") == ["3"]
    assert ids(index, "不动产") == ["4"]
    assert ids(index, "统一社会信用代码") == ["2"]
    assert ids(index, "不存在的词汇 火星") == []


def test_words_jieba_cut_differently_are_found(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path / "g", FACETS)
    ix.upsert(
        [
            SearchDoc("a", "户籍人口台账表", "", {}),  # jieba: 台|账表
            SearchDoc("b", "社保参保名录", "社保", {}),
            SearchDoc("c", "社保卡发放明细", "", {}),
        ]
    )
    assert ids(ix, "台账") == ["a"]
    assert ids(ix, "社保卡") == ["c"]  # 社保 alone does not stand for 社保卡
    assert ids(ix, "社保")[0] == "b"


def test_snippet_marks_terms_and_escapes_html(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path / "s", FACETS)
    ix.upsert([SearchDoc("x", "学校名录", "<b>全市</b> 中小学校 名录 & 地址", {})])
    (hit,) = ix.search("学校").hits
    assert "<mark>学校</mark>" in hit.snippet
    assert "&lt;b&gt;" in hit.snippet and "&amp;" in hit.snippet and "<b>" not in hit.snippet
    assert ix.search("").hits[0].snippet == ""


def test_facet_counts_cover_all_matches_after_filters(index: SearchIndex) -> None:
    everything = index.search("", limit=1)
    assert everything.total == 4 and len(everything.hits) == 1
    assert everything.facets["grade"] == {"重要数据": 2, "一般数据": 2}
    assert everything.facets["theme"] == {"人口": 2, "法人": 1, "生态环境": 1, "不动产": 1}

    within = index.search("", filters={"theme": ["人口", "不动产"]})  # OR within a facet
    assert sorted(h.id for h in within.hits) == ["1", "2", "4"]
    assert within.facets["grade"] == {"重要数据": 2, "一般数据": 1}

    across = index.search("", filters={"theme": ["人口"], "grade": ["重要数据"]})  # AND across
    assert [h.id for h in across.hits] == ["1"]
    assert across.facets["department"] == {"菏泽市公安局": 1}

    text_and_filter = index.search("信息", filters={"grade": ["一般数据"]})
    assert [h.id for h in text_and_filter.hits] == ["2"]
    assert index.search("", filters={"theme": []}).total == 4  # an empty list filters nothing


def test_browse_is_ordered_by_sort_key_and_pages(index: SearchIndex) -> None:
    assert ids(index, "") == ["1", "2", "3", "4"]
    assert ids(index, "", limit=2, offset=1) == ["2", "3"]
    page = index.search("信息", limit=1, offset=1)
    assert page.total == 3 and len(page.hits) == 1


def test_upsert_replaces_and_is_visible_at_once(index: SearchIndex) -> None:
    assert index.upsert([SearchDoc("1", "菏泽市户籍登记", "户籍", {"theme": ["户籍"]})]) == 1
    assert index.count() == 4
    assert "1" not in ids(index, "人口基础")
    assert ids(index, "户籍登记") == ["1"]
    assert index.search("", filters={"theme": ["户籍"]}).total == 1
    assert index.search("").facets["theme"]["人口"] == 1


def test_delete(index: SearchIndex) -> None:
    assert index.delete(["3", "nope"]) == 1
    assert index.count() == 3
    assert ids(index, "AQI") == []
    assert index.delete([]) == 0


def test_second_object_on_same_folder_sees_edits_and_takes_turns(
    index: SearchIndex, tmp_path: Path
) -> None:
    other = SearchIndex(tmp_path / "idx", FACETS)
    assert other.count() == 4
    index.upsert([SearchDoc("5", "公共交通线路", "公交 线路 站点", {"theme": ["交通"]})])
    assert ids(other, "公交") == ["5"]
    other.delete(["5"])
    assert ids(index, "公交") == []
    # both write from two threads at once: the shared folder lock makes them take turns
    errors: list[BaseException] = []

    def write(ix: SearchIndex, start: int) -> None:
        try:
            for i in range(start, start + 5):
                ix.upsert([SearchDoc(f"t{i}", f"线程文档{i}", "并发", {})])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(ix, s)) for ix, s in ((index, 0), (other, 5))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert index.search("并发").total == 10 == other.search("并发").total


def test_rebuild_swaps_atomically(index: SearchIndex, tmp_path: Path) -> None:
    reader = SearchIndex(tmp_path / "idx", FACETS)
    seen_during: list[int] = []
    steps: list[int] = []

    def new_docs():  # type: ignore[no-untyped-def]
        for i in range(1200):
            if i % 400 == 0:  # a search in the middle of the rebuild sees the old index whole
                seen_during.append(reader.search("人口").total)
                seen_during.append(reader.count())
            yield SearchDoc(
                f"n{i}", f"教育机构名录{i}", "学校 教育", {"theme": ["教育"]}, f"{i:05d}"
            )
        yield SearchDoc("n0", "教育机构名录0", "重复的编号只保留最后一个", {"theme": ["教育"]})

    assert index.rebuild(new_docs(), progress=steps.append) == 1200
    assert seen_during == [2, 4] * 3
    assert sum(steps) == 1201
    for ix in (index, reader):
        assert ix.count() == 1200
        assert ix.search("人口").total == 0
        assert ix.search("教育").facets["theme"] == {"教育": 1200}
    gens = [p.name for p in (tmp_path / "idx").iterdir() if p.name.startswith("gen-")]
    assert len(gens) == 1  # the old generation is gone


def test_failed_rebuild_keeps_the_old_index(index: SearchIndex, tmp_path: Path) -> None:
    def broken():  # type: ignore[no-untyped-def]
        yield SearchDoc("z", "临时", "", {})
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError):
        index.rebuild(broken())
    assert index.count() == 4
    assert len([p for p in (tmp_path / "idx").iterdir() if p.name.startswith("gen-")]) == 1


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND OR",
        "(((",
        ")",
        "title:人口",
        "人口 AND",
        "' OR 1=1; --",
        "SELECT * FROM t WHERE a LIKE '%x%'",
        "😀😀",
        "人口😀",
        "\\",
        "~1^2",
        "[a TO b]",
        "　",
        "-人口",
    ],
)
def test_weird_queries_do_not_raise(index: SearchIndex, query: str) -> None:
    result = index.search(query)
    assert result.total >= 0
    assert result.total == len(result.hits) or result.total > len(result.hits)


def test_odd_queries_still_find_words(index: SearchIndex) -> None:
    assert ids(index, "人口😀") == ids(index, "人口")
    assert ids(index, '"人口"') == ids(index, "人口")
    assert ids(index, "(AQI)*") == ids(index, "AQI")


def test_errors(index: SearchIndex) -> None:
    with pytest.raises(InvalidInput) as too_long:
        index.search("人" * 201)
    assert too_long.value.code == "search.query_too_long"
    index.search("人" * 200)
    with pytest.raises(InvalidInput) as unknown:
        index.search("", filters={"colour": ["red"]})
    assert unknown.value.code == "search.unknown_facet"
    assert unknown.value.params == {"facet": "colour"}
    with pytest.raises(InvalidInput) as paging:
        index.search("", limit=0)
    assert paging.value.code == "search.bad_page"
    with pytest.raises(InvalidInput):
        index.upsert([SearchDoc("q", "x", "", {"colour": ["red"]})])


def test_persists_across_reopen_and_resets_on_new_facets(
    index: SearchIndex, tmp_path: Path
) -> None:
    index.close()
    with pytest.raises(RuntimeError):
        index.count()
    again = SearchIndex(tmp_path / "idx", FACETS)
    assert again.count() == 4
    assert ids(again, "人口") == ["1", "2"]
    assert again.search("").facets["grade"]["重要数据"] == 2
    changed = SearchIndex(tmp_path / "idx", ("department", "theme"))  # other facets: empty
    assert changed.count() == 0
    trimmed = [
        SearchDoc(d.id, d.title, d.body, {k: v for k, v in d.facets.items() if k != "grade"})
        for d in DOCS
    ]
    assert changed.rebuild(trimmed) == 4
    assert ids(changed, "AQI") == ["3"]
