"""The operations centre's screens: the big screen (一屏观全市), the one-map (一张图) and
reports.
"""
