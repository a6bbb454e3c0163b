"""The indicator centre (指标中心): definitions, computation, roll-up, graded alerts
and forecasts.
"""
