"""Vietnamese text folding for search: "Nguyễn Văn Ả" → "nguyen van a"."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)  # pure, and imports fold the same names, sexes and relationships again and again
def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
