"""The masked data service (数据服务): a grant's credentials query its catalog entry's lake
table through masking, region limits and rate limits; every call is logged."""
