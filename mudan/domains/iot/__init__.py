"""IoT terminals (物联感知): registry, MQTT telemetry, latest state, lake history, online rate,
SensorThings.
"""
