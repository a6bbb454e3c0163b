"""``mudan backup`` / ``mudan restore``: the metadata database, the Iceberg catalog, the lake's
files, the search indexes and the other files under ``var_dir`` in one checksummed tar archive.
See ``docs/backup.md``."""
