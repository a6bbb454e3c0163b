"""Hooks of the opendata domain."""

from __future__ import annotations
