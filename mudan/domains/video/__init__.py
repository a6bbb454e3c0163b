"""Video channels (视频资源): GB/T 28181 registry, status fusion, snapshot probes, 在线率
and 出图率.
"""
