"""Tokens: jieba search mode for Chinese, ASCII words and codes, query term groups."""

from __future__ import annotations

import threading

from mudan.search.tokenize import TermGroup, bigrams, ensure_jieba, index_tokens, query_groups


def test_jieba_loads_once_across_threads() -> None:
    found: list[object] = []
    threads = [threading.Thread(target=lambda: found.append(ensure_jieba())) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len({id(x) for x in found}) == 1


def test_index_tokens_chinese_ascii_and_codes() -> None:
    tokens = index_tokens("菏泽市人口基础信息 AQI ３７１７００００２－０００１")
    assert {"菏泽", "菏泽市", "人口", "基础", "信息", "aqi"} <= set(tokens)
    assert {"371700002-0001", "371700002", "0001"} <= set(tokens)
    assert index_tokens("😀 ()*\"' ") == []
    assert bigrams("台账表 ab 人口") == ["台账", "账表", "人口"]


def test_place_words() -> None:
    assert {"定陶区", "定陶", "曹县", "郓城县", "郓城"} <= set(index_tokens("定陶区曹县郓城县"))


def test_query_groups() -> None:
    assert query_groups("人口信息") == [
        TermGroup("人口", grams=("人口",)),
        TermGroup("信息", grams=("信息",)),
    ]
    (group,) = query_groups("371700002-0001")
    assert group == TermGroup("371700002-0001", ("371700002", "0001"))
    (city,) = query_groups("菏泽市")
    assert city.parts == () and city.grams == ("菏泽", "泽市")  # 菏泽 does not cover 菏泽市
    (law,) = query_groups("不动产")
    assert law.parts == ("不动", "动产")  # sub-words covering the whole word
    assert query_groups('"(((AND OR 😀') == [TermGroup("and"), TermGroup("or")]
    assert query_groups("市")[0].weak and not query_groups("AQI")[0].weak
