"""Content-Security-Policy (issue 15, "Serve"): every page says scripts come from ansinh's own static
files only, and no template carries an inline script or an inline event handler that the policy
would block (the browser sweep, tests/browser/test_every_screen.py, also fails on any violation the
browser reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import ansinh

TEMPLATES = Path(ansinh.__file__).parent / "web" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_script() -> None:
    for path in ("/", "/tham-so/", "/dang-nhap/", "/tu-van/"):
        policy = Client().get(path).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", path
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_no_template_has_an_inline_script_or_handler() -> None:
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.name}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{template.name}: {m.group(0)}" for m in HANDLER.finditer(text)]
    assert found == []
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and HANDLER.search('<a onclick="x()">')
    assert not INLINE_SCRIPT.search('<script src="/static/web/ansinh.js" defer></script>')
