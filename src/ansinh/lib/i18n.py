"""Translation without Django: ``N_`` marks a string for the catalogues (``make messages`` extracts it),
and the layer above registers once (an ``AppConfig.ready``) how to tell the language being shown, so a
``DomainError`` or a ``Notice`` built here in Vietnamese *and* English speaks the reader's language.

The Vietnamese text is the source (the msgid); English comes either from the pair given beside it at the
raise site (``pick``) or from the app's catalogue (``translate``, which the layer above registers too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _vietnamese() -> str:
    return "vi"


def _untranslated(text: str) -> str:
    return text


_language: Callable[[], str | None] = _vietnamese
_translate: Callable[[str], str] = _untranslated


def N_(text: str) -> str:
    """Mark ``text`` for translation; it is translated where it is shown (``translate``)."""
    return text


def verbatim(text: str) -> str:
    """Vietnamese on purpose and never translated: words matched in what users give (a sheet's name in a
    collector's file, "bà" before folding, the letter đ), not text shown to them. The i18n scanner
    (tests/test_i18n.py) accepts what this wraps; ``make messages`` does not extract it."""
    return text


def set_translator(language: Callable[[], str | None], translate: Callable[[str], str]) -> None:
    """Called once at startup by an app (``ruleset``): the active language and gettext."""
    global _language, _translate
    _language, _translate = language, translate


def english() -> bool:
    return (_language() or "vi").split("-")[0] == "en"


def pick(vietnamese: str, english_text: str) -> str:
    """The text of a pair in the language shown (Vietnamese unless English is active and given)."""
    return english_text if english_text and english() else vietnamese


def translate(text: str) -> str:
    """A string marked with ``N_``, in the language shown (gettext, once registered)."""
    return _translate(text)


class Labels(dict[str, Any]):
    """Labels by code, marked lazily (``gettext_lazy``) where they are declared: every read gives a plain
    ``str`` in the language shown, so callers may join, slice or serialise them like any text."""

    def __getitem__(self, key: str) -> str:
        return str(super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:
        return str(super().__getitem__(key)) if key in self else default

    def values(self) -> Any:
        return [str(value) for value in super().values()]

    def items(self) -> Any:
        return [(key, str(value)) for key, value in super().items()]
