"""Bounds of the numbers a client sends, shared by every schema that takes them (the public quotes,
the enrolment API): far above anything real, low enough that no request buys minutes of CPU or
memory (5,000,000 household members once took 82 s; 209,114,103,996 ran out of memory)."""

from __future__ import annotations

MAX_MEMBERS = 50  # a household; the largest in the 2019 census had fewer than 30 people
MAX_INCOME = 1_000_000_000  # đồng a month: far above the ceiling (20 × base salary), still bounded
MAX_MONTHS = 120  # the longest catch-up term the rules ever allowed
