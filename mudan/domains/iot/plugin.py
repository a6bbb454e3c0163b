"""Hooks of the iot domain."""

from __future__ import annotations
