"""Hooks of the indicators domain."""

from __future__ import annotations
