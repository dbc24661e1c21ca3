"""Vietnamese text: folding for search ("Nguyễn Văn Ả" → "nguyen van a") and the one normalisation of
names and free text typed or imported by users (``clean_text``)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ansinh.lib.errors import invalid_input
from ansinh.lib.i18n import N_, verbatim

NAME_MAX = 200  # the Person.full_name column; no Vietnamese name comes near it
ADDRESS_MAX = 300  # the address columns
TEXT_MAX = 1000  # notes, reasons and other free text
# Vietnamese in NFC needs no combining mark; NFD needs two on one letter ("ệ" = e + ̣ + ̂). More than
# this many in a row is "Zalgo" text that overflows lines and defeats duplicate detection.
MAX_COMBINING_RUN = 3
# Categories refused anywhere in user text: control (Cc; tabs and newlines are whitespace and collapse
# first), format (Cf: zero-width U+200B–U+200D, marks U+200E/U+200F, bidi embeddings and overrides
# U+202A–U+202E and isolates U+2066–U+2069, BOM U+FEFF, soft hyphen), surrogates and private use: they
# hide or reorder what a reader sees, so two different strings look like one name.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


@lru_cache(maxsize=65536)  # pure, and imports fold the same names, sexes and relationships again and again
def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace(verbatim("Đ"), "D").replace(verbatim("đ"), "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


# Characters already checked by clean_text and found neither refused nor combining: a text made only of
# them passes the per-character loop unchanged, so the loop (~60 µs a name in Python) runs only on text
# with a character not seen before (an import of 1,000,000 rows checks each distinct letter once).
_PLAIN_CHARS: set[str] = set()
_PLAIN_CHARS_MAX = 50_000


def clean_text(value: str, field: str, max_length: int, label: str | None = None, required: bool = False) -> str:
    """``value`` in NFC, trimmed, inner whitespace collapsed to one space; refuses (naming ``label``,
    Vietnamese, and ``field`` in the details) hidden or reordering characters, runs of more than
    ``MAX_COMBINING_RUN`` combining marks, and more than ``max_length`` characters."""
    shown = label or field
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text and required:
        raise invalid_input(N_("{shown} là bắt buộc.").format(shown=shown), f"{field} is required.", field=field)
    if not _PLAIN_CHARS.issuperset(text):  # a character not yet seen to be neither refused nor combining
        run = 0
        for ch in text:
            if unicodedata.category(ch) in REFUSED_CATEGORIES:
                raise invalid_input(
                    N_("{shown} chứa ký tự ẩn hoặc ký tự điều khiển (U+{value:04X}); hãy gõ lại.").format(
                        shown=shown, value=ord(ch)),
                    f"{field} contains a hidden or control character (U+{ord(ch):04X}).", field=field)
            run = run + 1 if unicodedata.combining(ch) else 0
            if run > MAX_COMBINING_RUN:
                raise invalid_input(N_("{shown} có quá nhiều dấu chồng lên một chữ cái.").format(shown=shown),
                                    f"{field} stacks too many combining marks.", field=field)
        if len(_PLAIN_CHARS) < _PLAIN_CHARS_MAX:
            _PLAIN_CHARS.update(ch for ch in text if not unicodedata.combining(ch))
    if len(text) > max_length:
        raise invalid_input(N_("{shown} dài quá {max_length} ký tự.").format(
                                shown=shown, max_length=max_length), f"{field} is longer than {max_length}.",
                            field=field)
    return text
