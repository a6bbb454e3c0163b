"""Hooks of the emergency domain."""

from __future__ import annotations
