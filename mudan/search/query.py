"""User text + facet filters → a tantivy query built programmatically; hit snippets.

No query parser sees user input, so quotes, ``*``, ``AND OR``, brackets, SQL or emoji are just
text: they become term groups (see :mod:`mudan.search.tokenize`) or nothing.

Semantics: every query word is required (AND); a word matches itself or all of its sub-words;
a single Chinese character is optional when the query has other words (it still ranks). A term
counts in the title (boosted :data:`TITLE_BOOST`) or in the body; the character-pair fallback
(any field, :data:`GRAM_BOOST`) finds words that jieba cut differently in the document.
Filters: AND across facets, OR within a facet, and they do not change the score.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import tantivy

from mudan.search.storage import facet_field
from mudan.search.tokenize import TermGroup, normalize

TITLE_BOOST = 3.0
GRAM_BOOST = 0.2
SNIPPET_BEFORE = 16
SNIPPET_CHARS = 72

Occur = tantivy.Occur
Query = tantivy.Query


def _term(schema: tantivy.Schema, token: str) -> tantivy.Query:
    return Query.boolean_query(
        [
            (
                Occur.Should,
                Query.boost_query(Query.term_query(schema, "title", token), TITLE_BOOST),
            ),
            (Occur.Should, Query.term_query(schema, "body", token)),
        ]
    )


def _all(queries: list[tantivy.Query]) -> tantivy.Query:
    return Query.boolean_query([(Occur.Must, x) for x in queries])


def _group(schema: tantivy.Schema, group: TermGroup) -> tantivy.Query:
    ways = [_term(schema, group.term)]
    if group.parts:
        ways.append(_all([_term(schema, p) for p in group.parts]))
    if group.grams:
        grams = _all([Query.term_query(schema, "gram", g) for g in group.grams])
        ways.append(Query.boost_query(grams, GRAM_BOOST))
    if len(ways) == 1:
        return ways[0]
    return Query.boolean_query([(Occur.Should, w) for w in ways])


def text_query(schema: tantivy.Schema, groups: Sequence[TermGroup]) -> tantivy.Query:
    """The text part; ``groups`` must not be empty."""
    all_weak = all(g.weak for g in groups)
    clauses = [
        (Occur.Must if all_weak or not g.weak else Occur.Should, _group(schema, g)) for g in groups
    ]
    return Query.boolean_query(clauses)


def filter_clauses(
    schema: tantivy.Schema, filters: Mapping[str, Sequence[str]]
) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    out = []
    for name, values in filters.items():
        wanted = [str(v) for v in values]
        if wanted:
            query = Query.term_set_query(schema, facet_field(name), wanted)
            out.append((Occur.Must, Query.const_score_query(query, 0.0)))
    return out


def combine(
    text: tantivy.Query | None, filters: list[tuple[tantivy.Occur, tantivy.Query]]
) -> tantivy.Query:
    if text is None and not filters:
        return Query.all_query()
    head = [(Occur.Must, text if text is not None else Query.all_query())]
    return Query.boolean_query(head + filters) if filters else head[0][1]


def snippet(title: str, body: str, groups: Sequence[TermGroup]) -> str:
    """A short fragment of ``body`` (else ``title``) around the first query term, terms in
    ``<mark>``, everything else HTML-escaped; ``""`` when no term occurs verbatim."""
    tokens = sorted({t for g in groups for t in g.tokens()}, key=len, reverse=True)
    if not tokens:
        return ""
    pattern = re.compile("|".join(re.escape(t) for t in tokens))
    for text in (body, title):
        folded = normalize(text)
        if len(folded) != len(text):  # rare: NFKC changed lengths; show the folded form
            text = folded
        first = pattern.search(folded)
        if first is None:
            continue
        start = max(0, first.start() - SNIPPET_BEFORE)
        end = min(len(text), start + SNIPPET_CHARS)
        parts: list[str] = ["…" if start else ""]
        pos = start
        for m in pattern.finditer(folded, start, end):
            parts.append(html.escape(text[pos : m.start()]))
            parts.append(f"<mark>{html.escape(text[m.start() : m.end()])}</mark>")
            pos = m.end()
        parts.append(html.escape(text[pos:end]))
        parts.append("…" if end < len(text) else "")
        return "".join(parts)
    return ""
