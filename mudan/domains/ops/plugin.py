"""Hooks of the ops domain."""

from __future__ import annotations
