"""Callbacks, one module per page or concern; importing this package registers them all."""

from callbacks import area, budget, compare, goals, indicator, profile, report, router, share, start  # noqa: F401
