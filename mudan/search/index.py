"""``SearchIndex``: Chinese full-text search with facet counts over one folder.

Documents have a title (weighted highest), a body and multi-valued facets. Search is a tantivy
BM25 query over jieba tokens (see :mod:`mudan.search.query`); facet counts are tantivy terms
aggregations over the *whole* filtered match set, computed in Rust in the same searcher.

Concurrency (see :mod:`mudan.search.storage`): readers never block; each search first checks
(two ``stat`` calls) whether a commit or a rebuild landed — from this object, another object or
another process — and picks it up, so search is right after an edit. Writes take tantivy's writer
only inside ``upsert``/``delete``/``rebuild``; objects on the same folder in one process share a
lock and simply take turns. Do not write to the index from a ``rebuild`` progress callback (the
rebuild holds the writer: that write would wait, then raise ``search.index_busy``).

If the folder was built with other facet names (or an older schema), opening it starts a new
empty generation: ``count()`` is 0 and the owner should ``rebuild``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from mudan.core.errors import InvalidInput
from mudan.search import query as q
from mudan.search import storage as st
from mudan.search.tokenize import bigrams, index_tokens, normalize, query_groups

MAX_QUERY_CHARS = 200
MAX_LIMIT = 1000
MAX_WINDOW = 10_000
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class SearchDoc:
    id: str
    title: str
    body: str
    facets: Mapping[str, Sequence[str]]
    sort_key: str = ""


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    took_ms: float


class SearchIndex:
    """Opens (or creates) the index in folder ``path`` with the given facet names."""

    def __init__(self, path: Path, facet_names: Sequence[str]) -> None:
        self.path = Path(path)
        self.facet_names = tuple(facet_names)
        bad = [n for n in self.facet_names if not n.isidentifier() or not n.isascii()]
        if bad or len(set(self.facet_names)) != len(self.facet_names):
            raise ValueError(f"facet names must be unique ASCII identifiers: {bad}")
        self._schema = st.build_schema(self.facet_names)
        self._lock = st.folder_lock(self.path)
        self._index: tantivy.Index | None = None
        self._gen = self.path
        self._pointer_sig: tuple[int, int] | None = None
        self._meta_sig: tuple[int, int, int] | None = None
        self.path.mkdir(parents=True, exist_ok=True)
        with self._lock:
            gen_name = st.read_pointer(self.path)
            gen = self.path / gen_name if gen_name else None
            wanted = st.manifest_for(self.facet_names)
            if gen is None or not gen.is_dir() or st.read_manifest(gen) != wanted:
                st.switch_to(self.path, st.new_generation(self.path, self.facet_names))
            self._open_current()

    # -- reading ------------------------------------------------------------------------------

    def _open_current(self) -> None:
        name = st.read_pointer(self.path)
        if name is None:
            raise FileNotFoundError(self.path / st.POINTER)
        self._pointer_sig = st.pointer_signature(self.path)
        self._gen = self.path / name
        self._index = tantivy.Index(self._schema, path=str(self._gen), reuse=True)
        self._meta_sig = st.meta_signature(self._gen)

    def _fresh(self) -> tantivy.Index:
        """The current index, reloaded if a commit or a rebuild landed since last look."""
        if self._index is None:
            raise RuntimeError("search index is closed")
        if st.pointer_signature(self.path) != self._pointer_sig:
            self._open_current()
        else:
            sig = st.meta_signature(self._gen)
            if sig != self._meta_sig:
                self._index.reload()
                self._meta_sig = sig
        assert self._index is not None
        return self._index

    def count(self) -> int:
        return int(self._fresh().searcher().num_docs)

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        started = time.perf_counter()
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidInput("search.query_too_long", max=MAX_QUERY_CHARS)
        for name in filters or {}:
            if name not in self.facet_names:
                raise InvalidInput("search.unknown_facet", facet=name)
        if not 0 < limit <= MAX_LIMIT or offset < 0 or offset + limit > MAX_WINDOW:
            raise InvalidInput("search.bad_page", max_limit=MAX_LIMIT, max_window=MAX_WINDOW)
        groups = query_groups(query)
        if query.strip() and not groups:  # only punctuation/emoji: nothing can match
            return SearchResult(0, [], {n: {} for n in self.facet_names}, _ms(started))
        text = q.text_query(self._schema, groups) if groups else None
        tq = q.combine(text, q.filter_clauses(self._schema, filters or {}))
        searcher = self._fresh().searcher()
        if text is None:  # browse: sort by sort key, then id
            res = searcher.search(
                tq,
                limit=limit,
                count=True,
                order_by_field="sort",
                offset=offset,
                order=tantivy.Order.Asc,
            )
            scored = [(1.0, addr) for _key, addr in res.hits]
        else:
            res = searcher.search(tq, limit=offset + limit, count=True)
            scored = list(res.hits)
        docs = [(score, _stored(searcher, addr)) for score, addr in scored]
        if text is not None:  # equal scores: sort key, then id
            docs.sort(key=lambda d: (-round(d[0], 6), d[1]["s"]))
            docs = docs[offset:]
        hits = [
            SearchHit(d["i"], float(score), q.snippet(d["t"], d["b"], groups) if groups else "")
            for score, d in docs
        ]
        total = _count(res)
        return SearchResult(total, hits, self._facet_counts(searcher, tq, total), _ms(started))

    def _facet_counts(
        self, searcher: tantivy.Searcher, tq: tantivy.Query, total: int
    ) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {n: {} for n in self.facet_names}
        if total == 0 or not self.facet_names:
            return out
        spec = {
            n: {"terms": {"field": st.facet_field(n), "size": 65_000}} for n in self.facet_names
        }
        result = searcher.aggregate(tq, spec)
        for name in self.facet_names:
            for bucket in result[name]["buckets"]:
                out[name][str(bucket["key"])] = int(bucket["doc_count"])
        return out

    # -- writing ------------------------------------------------------------------------------

    def _document(self, doc: SearchDoc) -> tantivy.Document:
        unknown = set(doc.facets) - set(self.facet_names)
        if unknown:
            raise InvalidInput("search.unknown_facet", facet=sorted(unknown)[0])
        out = tantivy.Document()
        out.add_text("id", doc.id)
        # the sort key (a resource code) is findable and weighs like the title
        out.add_text("title", " ".join(index_tokens(f"{doc.title} {doc.sort_key}")))
        out.add_text("body", " ".join(index_tokens(doc.body)))
        out.add_text("gram", " ".join(bigrams(normalize(f"{doc.title} {doc.body}"))))
        sort = f"{doc.sort_key}\x1f{doc.id}"
        out.add_text("sort", sort)
        for name, values in doc.facets.items():
            for value in dict.fromkeys(str(v) for v in values):
                out.add_text(st.facet_field(name), value)
        data = {"i": doc.id, "t": doc.title, "b": doc.body, "s": sort}
        out.add_bytes("data", json.dumps(data, ensure_ascii=False).encode())
        return out

    def _write(self, apply: Callable[[tantivy.IndexWriter], int]) -> int:
        """Run ``apply`` with the writer of the current generation, commit, release."""
        with self._lock:
            while True:
                index = self._fresh()
                writer = st.take_writer(index)
                if st.pointer_signature(self.path) == self._pointer_sig:
                    break  # no rebuild swapped generations while we waited
                writer.rollback()
                writer.wait_merging_threads()
            try:
                n = apply(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._fresh()
            return n

    def upsert(self, docs: Iterable[SearchDoc]) -> int:
        """Add or replace documents by id in one commit; returns how many were written."""
        prepared = [(d.id, self._document(d)) for d in docs]
        if not prepared:
            return 0

        def apply(writer: tantivy.IndexWriter) -> int:
            for doc_id, doc in prepared:
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(doc)
            return len(prepared)

        return self._write(apply)

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id in one commit; returns how many existed."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return 0
        searcher = self._fresh().searcher()
        found = _count(
            searcher.search(
                tantivy.Query.term_set_query(self._schema, "id", wanted), limit=1, count=True
            )
        )

        def apply(writer: tantivy.IndexWriter) -> int:
            for doc_id in wanted:
                writer.delete_documents_by_term("id", doc_id)
            return found

        return self._write(apply)

    def rebuild(
        self, docs: Iterable[SearchDoc], progress: Callable[[int], None] | None = None
    ) -> int:
        """Index ``docs`` into a new generation and swap it in atomically; returns the count.

        ``progress`` is called with increments (documents added since the last call), like
        ``Task.advance`` of :mod:`mudan.core.progress`."""
        with self._lock:
            holding = st.take_writer(self._fresh())  # hold off other writers meanwhile
            gen = st.new_generation(self.path, self.facet_names)
            try:
                index = tantivy.Index(self._schema, path=str(gen), reuse=True)
                writer = st.take_writer(index, num_threads=2, heap_size=128_000_000)
                seen: set[str] = set()
                pending = 0
                try:
                    for doc in docs:
                        if doc.id in seen:
                            writer.delete_documents_by_term("id", doc.id)
                        seen.add(doc.id)
                        writer.add_document(self._document(doc))
                        pending += 1
                        if progress is not None and pending == PROGRESS_EVERY:
                            progress(pending)
                            pending = 0
                    writer.commit()
                finally:
                    writer.wait_merging_threads()
                if progress is not None and pending:
                    progress(pending)
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            finally:
                holding.wait_merging_threads()
            st.switch_to(self.path, gen)
            self._open_current()
            return len(seen)

    def close(self) -> None:
        self._index = None


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _count(res: tantivy.SearchResult) -> int:
    """``SearchResult.count`` (missing from tantivy's type stub)."""
    count: int | None = getattr(res, "count", None)
    return int(count or 0)


def _stored(searcher: tantivy.Searcher, addr: tantivy.DocAddress) -> dict[str, str]:
    data: dict[str, str] = json.loads(bytes(searcher.doc(addr).get_first("data") or b"{}"))
    return data
