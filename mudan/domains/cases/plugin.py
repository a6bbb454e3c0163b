"""Hooks of the cases domain."""

from __future__ import annotations
