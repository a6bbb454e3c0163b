"""Text → search tokens: jieba (search mode) for Chinese, lower-cased ASCII words and codes.

Index side (:func:`index_tokens`): Chinese runs are cut with ``jieba.cut_for_search`` (a long
word also yields its dictionary sub-words: 菏泽市 → 菏泽, 菏泽市), ASCII words and digits are
lower-cased, and a code joined by ``-``/``_``/``.``/``/`` (``371700002-0001``) is kept whole
*and* as its parts. Full-width characters are folded first (NFKC).

Query side (:func:`query_groups`): the user's text is never handed to a query parser. It is cut
into words (jieba's precise mode), and each word becomes a :class:`TermGroup`: match the word
itself, or (``parts``) all of its sub-words together, so "人口信息" finds "人口基础信息".

jieba loads its dictionary lazily; :func:`ensure_jieba` does it once per process under a lock,
with jieba's log lines silenced and its import-time warnings (invalid escape sequences in its
regexes, ``pkg_resources``) filtered narrowly around the import only.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_TOKEN_CHARS = 64

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"([{_CJK}]+)|([0-9a-z]+(?:[-_./][0-9a-z]+)*)")
_PARTS = re.compile(r"[0-9a-z]+")

# Heze place names jieba's dictionary cuts badly (定陶|区, 曹|县, 鲁|西|新区).
PLACE_WORDS = ("定陶区", "曹县", "鲁西新区", "高新区", "菏泽经济开发区", "开发区")

_lock = threading.Lock()
_jieba: Any = None


def ensure_jieba() -> Any:
    """A private ``jieba.Tokenizer`` with its dictionary loaded: once per process, thread-safe,
    silent. Private so the place words added here never change anyone else's jieba."""
    global _jieba
    if _jieba is not None:
        return _jieba
    with _lock:
        if _jieba is None:
            with warnings.catch_warnings():
                # jieba 0.42 has non-raw regex strings ("\.") that warn when its source is
                # compiled (DeprecationWarning on 3.11, SyntaxWarning on 3.12+), and may import
                # pkg_resources. Both are harmless and outside our code.
                for category in (DeprecationWarning, SyntaxWarning):
                    warnings.filterwarnings(
                        "ignore", message="invalid escape sequence", category=category
                    )
                warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
            for word in PLACE_WORDS:
                tokenizer.add_word(word)
            _jieba = tokenizer
    return _jieba


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _ascii_tokens(run: str) -> Iterator[str]:
    parts = _PARTS.findall(run)
    if len(parts) > 1:
        yield run
    yield from parts


def _keep(token: str) -> bool:
    return 0 < len(token) <= MAX_TOKEN_CHARS and not token.isspace()


def index_tokens(text: str) -> list[str]:
    """Tokens to index for ``text`` (order kept, repeats kept for term frequency)."""
    cut_for_search: Callable[..., Iterator[str]] = ensure_jieba().cut_for_search
    out: list[str] = []
    for match in _RUN.finditer(normalize(text)):
        cjk, ascii_run = match.groups()
        if cjk:
            out.extend(t for t in cut_for_search(cjk, HMM=False) if _keep(t))
        elif ascii_run:
            out.extend(t for t in _ascii_tokens(ascii_run) if _keep(t))
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping Chinese character pairs of every Chinese run in ``text`` (already folded).

    Indexed next to the jieba words as a recall fallback: jieba cuts by context, so a word can
    hide inside a different cut (台账表 → 台|账表); requiring all pairs of a query word finds it."""
    out: list[str] = []
    for match in _RUN.finditer(text):
        run = match.group(1)
        if run and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _covers(word: str, subs: tuple[str, ...]) -> bool:
    covered = [False] * len(word)
    for sub in subs:
        start = word.find(sub)
        while start >= 0:
            covered[start : start + len(sub)] = [True] * len(sub)
            start = word.find(sub, start + 1)
    return all(covered)


@dataclass(frozen=True)
class TermGroup:
    """One query word: matches ``term``; or all of ``parts`` (sub-words covering the whole word);
    or, as a weaker fallback, all of ``grams`` (its character pairs, see :func:`bigrams`)."""

    term: str
    parts: tuple[str, ...] = ()
    grams: tuple[str, ...] = ()

    @property
    def weak(self) -> bool:
        """A single Chinese character: too common to require when other words are present."""
        return len(self.term) == 1 and not self.term.isascii()

    def tokens(self) -> set[str]:
        return {self.term, *self.parts}


def query_groups(text: str) -> list[TermGroup]:
    """The query's words as term groups, in order, without repeats."""
    jb = ensure_jieba()
    groups: dict[str, TermGroup] = {}
    for match in _RUN.finditer(normalize(text)):
        cjk, ascii_run = match.groups()
        if cjk:
            for word in jb.cut(cjk, HMM=False):
                if not _keep(word) or word in groups:
                    continue
                subs = tuple(
                    dict.fromkeys(
                        t for t in jb.cut_for_search(word, HMM=False) if t != word and len(t) > 1
                    )
                )
                grams = tuple(dict.fromkeys(bigrams(word))) if len(word) > 1 else ()
                groups[word] = TermGroup(word, subs if _covers(word, subs) else (), grams)
        elif ascii_run and _keep(ascii_run) and ascii_run not in groups:
            parts = tuple(_PARTS.findall(ascii_run))
            groups[ascii_run] = TermGroup(ascii_run, parts if len(parts) > 1 else ())
    return list(groups.values())
