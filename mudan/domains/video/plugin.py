"""Hooks of the video domain."""

from __future__ import annotations
