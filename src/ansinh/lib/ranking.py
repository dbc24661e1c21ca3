"""Standard competition ranking, shared by every leaderboard."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def competition_ranks(scores: Sequence[Hashable]) -> list[int]:
    """Ranks for ``scores`` already sorted best first: equal scores share a rank and the next one
    skips as many places (1, 2, 2, 4)."""
    ranks: list[int] = []
    for position, score in enumerate(scores, start=1):
        ranks.append(ranks[-1] if ranks and score == scores[position - 2] else position)
    return ranks
