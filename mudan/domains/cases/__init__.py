"""Events and cases (事件工单): 12345 and grid intake, dispatch loop, deadlines, supervision,
Open311.
"""
