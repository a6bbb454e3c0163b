"""Share requests, grants, masked data services, bulk delivery and county return flows
(数据共享与回流).
"""
