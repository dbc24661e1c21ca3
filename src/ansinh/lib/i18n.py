"""Translation without Django: ``N_`` marks a string for the catalogues (``make messages`` extracts it),
and the layer above registers once (an ``AppConfig.ready``) how to tell the language being shown, so a
``DomainError`` or a ``Notice`` built here in Vietnamese *and* English speaks the reader's language.

The Vietnamese text is the source (the msgid); English comes either from the pair given beside it at the
raise site (``pick``) or from the app's catalogue (``translate``, which the layer above registers too)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The language a command-line tool speaks, chosen like gettext's: ``LANGUAGE`` (a list, ``fr:en``),
    then the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (``en_US.UTF-8`` is English).
    Vietnamese, the source text, when nothing names English (unset, ``C.UTF-8``, ``vi_VN``, ``fr_FR``).
    Unlike gettext, ``LANGUAGE`` counts under the ``C`` locale too (containers often run under ``C.UTF-8``)."""
    for item in environ.get("LANGUAGE", "").split(":"):
        if _language_code(item) in ("vi", "en"):
            return _language_code(item)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return "en" if _language_code(environ[name]) == "en" else "vi"
    return "vi"


def _language_code(locale_name: str) -> str:
    """``en_US.UTF-8`` → ``en``; ``vi_VN@x`` → ``vi``; ``C`` → ``c``."""
    return locale_name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].strip().lower()
