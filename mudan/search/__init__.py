"""Chinese full-text search with facets (tantivy + jieba). See :mod:`mudan.search.index`."""

from mudan.search.index import SearchDoc, SearchHit, SearchIndex, SearchResult

__all__ = ["SearchDoc", "SearchHit", "SearchIndex", "SearchResult"]
