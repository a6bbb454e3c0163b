"""Serving lake tables to callers: the data service's long-lived engine with its native cache
per snapshot (:mod:`.engine`, :mod:`.cache`) and one-off locked views over a snapshot's
Parquet files (:mod:`.files`).

The lake knows nothing of grants, masks or open datasets: a domain compiles its SQL over the
table ``t`` (and, for the cache, a :class:`~mudan.lake.serve.cache.Layout` of the expressions
to precompute) and hands it in as plain data.
"""
