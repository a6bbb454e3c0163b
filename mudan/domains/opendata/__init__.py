"""The public open-data portal, its CKAN-compatible Action API, DCAT-AP export and 开放合格率."""
