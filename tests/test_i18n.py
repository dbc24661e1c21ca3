"""The interface in English as well as Vietnamese (issue 15; README "Languages").

- Every English catalogue (``src/ansinh/<package>/locale/en``, the ``django`` domain and the scripts' ``djangojs``)
  is complete: each entry translated, none fuzzy, and the committed ``.mo`` says what the ``.po`` says (``make
  messages`` compiles it).
- No user-facing Vietnamese string escapes translation in the packages already marked (``APPS_DONE``):
  string constants of the Python code outside a gettext call (``ast``), text of the templates outside the
  translate tags (Django's template lexer), and in the offline app's scripts text outside ``gettext("…")``.
  The legal BHXH papers stay Vietnamese on purpose (``ALLOWLIST``).
- The pages, rendered in English for one persona, show no Vietnamese in their navigation, headings, labels,
  table heads and buttons other than the data (names of people, places, campaigns: words of the database).
"""

from __future__ import annotations

import ast
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
import yaml
from django.apps import apps
from django.db import models
from django.template.base import Lexer, TokenType
from django.test import Client

from tests.paths import World, build_world, page_url, pages

SRC = Path(__file__).resolve().parent.parent / "src" / "ansinh"

# The packages whose user-facing strings are all marked. A package joins the list when it is done; the
# scanner then holds it to it. (i18ncore adds the other apps.)
APPS_DONE = ("web", "config", "api",
             # i18ncore: the apps below web (lib/ and rules/ mark with lib.i18n.N_, no Django there)
             "org", "registry", "enrollment", "payments", "campaigns", "reports", "fieldsync", "jobs", "areas",
             "ruleset", "messaging", "lib", "rules",
             # h15i18n: the `ansinh` command (its language from the environment: cli/i18n.py)
             "cli")

# Files (relative to src/ansinh) left in Vietnamese on purpose, with the reason.
ALLOWLIST = {
    # Official BHXH papers: legal forms, Vietnamese in both languages.
    "web/templates/web/receipt.html": "C45-BB, the receipt of BHXH: a legal form, Vietnamese in both languages",
    "web/templates/web/household_declaration.html": "NĐ 188 Mẫu số 4, the household's declaration: a legal form",
    "web/templates/web/participant_declaration.html": "TK1-TS, the participant's declaration: a legal form",
    "web/templates/web/hi_declaration.html": "NĐ 188 Mẫu số 2, the HI declaration: a legal form",
    # i18ncore: the papers built by the apps below web, and text for Vietnamese readers outside the UI.
    "payments/documents.py": "C45-BB, the receipt of BHXH (PDF): a legal form, Vietnamese in both languages",
    "payments/declarations.py": "NĐ 188 Mẫu số 2/4 and TK1-TS, the declarations: legal forms",
    "payments/lists490.py": "D05-TS / D03-TS, the lists of QĐ 490/QĐ-BHXH (XLSX, PDF): legal forms",
    "payments/efiling.py": "the electronic D05-TS / D03-TS file for BHXH's e-filing (I-VAN): a legal form",
    "payments/exports.py": "the columns of the D05-TS and household HI (Mẫu số 4) lists handed to BHXH",
    "lib/documents/listform.py": "the header and signature blocks of the QĐ 490 lists: legal forms",
    "lib/amount_words.py": "the amount in Vietnamese words printed on the C45-BB receipt (num2words, lang vi)",
    "campaigns/bulletin.py": "the launch day's press bulletin and the award certificate (GIẤY KHEN): for the "
                             "Vietnamese press and the awardees, whatever the language of the screen",
    "enrollment/reminders.py": "the reminder texts sent by SMS to citizens: Vietnamese whatever the staff's language",
    "messaging/compose.py": "texts to citizens' phones are Vietnamese",
    "registry/ethnicities.py": "the official list of the 54 ethnic groups (names matched in imported files: data)",
}

# Single strings left in Vietnamese on purpose: (file, string) and the reason.
STRING_ALLOWLIST = {
    ("web/templatetags/vn.py", r"\d{1,3}(?:\.\d{3})*\s?đ(?!\w)"): "a pattern finding amounts in đồng, not text",
    ("web/templates/web/_board_data.html", 'r.venue|cut:"Điểm cầu "'): "cuts a prefix off a site's name (data)",
    ("web/static/web/offline/rules.js", 'export function formatVnd(amount) { return '
                                        '`${String(amount).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ".")} đ`; }'):
        "the đồng sign of an amount (rules.js's formatVnd, as lib/money's format)",
    ("web/static/web/offline/store.js", 'return (text || "").normalize("NFD").replace(/[\\u0300-\\u036f]/g, "")'
                                        '.replace(/đ/g, "d").replace(/Đ/g, "d")'): "folds the letter đ (search)",
}

VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ]")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
           "npgettext", "npgettext_lazy", "N_"}
VERBATIM = {"verbatim"}  # lib.i18n.verbatim: Vietnamese on purpose (words matched in users' files, not shown)
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log"}


# --- the catalogues --------------------------------------------------------------------------------------


def catalogues() -> list[Path]:
    """The ``django`` domain of each package and the ``djangojs`` domain of the scripts (``makemessages -d
    djangojs``, web's offline app: its page carries the catalogue, web/offline_views.page_strings)."""
    return sorted([*SRC.glob("*/locale/en/LC_MESSAGES/django.po"), *SRC.glob("*/locale/en/LC_MESSAGES/djangojs.po")])


def catalogue_name(path: Path) -> str:
    return f"{path.relative_to(SRC).parts[0]}/{path.stem}"


def test_there_are_catalogues_for_the_packages_done() -> None:
    have = {path.relative_to(SRC).parts[0] for path in catalogues()}
    assert set(APPS_DONE) <= have


@pytest.mark.parametrize("po_path", catalogues(), ids=catalogue_name)
def test_catalogue_complete_and_compiled(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {po_path}"
    assert fuzzy == [], f"fuzzy in {po_path}"
    assert po.obsolete_entries() == []
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run `make messages`"

    def table(entries: Any) -> dict[tuple[str | None, str], Any]:
        return {(entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
                for entry in entries if entry.msgid}

    live = [entry for entry in po if not entry.obsolete and not entry.fuzzy]
    assert table(polib.mofile(str(mo_path))) == table(live), f"{mo_path} is stale: run `make messages`"


# --- the scanner -----------------------------------------------------------------------------------------


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def untranslated_python(source: str) -> list[tuple[int, str]]:
    """Vietnamese string constants outside a gettext call, a docstring or a logging call."""
    tree = ast.parse(source)
    exempt = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = call_name(node)
            logging = name in LOGGING and isinstance(node.func, ast.Attribute)
            if name in GETTEXT or name in VERBATIM or logging:
                for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
                    exempt.update(id(inner) for inner in ast.walk(arg))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VIETNAMESE.search(node.value)
            and id(node) not in exempt]


TRANSLATE_TAG = re.compile(r"^(translate|trans|blocktranslate|blocktrans|plural)\b")
TRANSLATED_LITERAL = re.compile(r"""_\((".*?"|'.*?')\)""")


def untranslated_template(source: str) -> list[tuple[int, str]]:
    """Vietnamese text or variables of a template outside translate tags and comments."""
    found, inside = [], None  # inside: the closing tag of the block being skipped
    for token in Lexer(source).tokenize():
        contents = token.contents.strip()
        if token.token_type == TokenType.BLOCK:
            word = contents.split(" ", 1)[0] if contents else ""
            if inside:
                if word == inside:
                    inside = None
                continue
            if word in ("blocktranslate", "blocktrans"):
                inside = "end" + word
            elif word == "comment":
                inside = "endcomment"
            elif not TRANSLATE_TAG.match(contents) and VIETNAMESE.search(TRANSLATED_LITERAL.sub("", contents)):
                found.append((token.lineno, contents))
        elif inside or token.token_type == TokenType.COMMENT:
            continue
        elif VIETNAMESE.search(TRANSLATED_LITERAL.sub("", contents)):
            found.append((token.lineno, contents[:80]))
    return found


def scanned_files() -> list[str]:
    files = []
    for package in APPS_DONE:
        for path in sorted((SRC / package).rglob("*")):
            relative = path.relative_to(SRC)
            if "migrations" in relative.parts or "locale" in relative.parts:
                continue
            if path.suffix in (".py", ".html", ".txt") and path.is_file():
                files.append(str(relative))
    return files


def test_scanner_finds_what_it_must() -> None:
    """The scanner itself: it would catch an unmarked string and accepts a marked one."""
    python = 'from x import _\nA = "Hộ gia đình"\nB = _("Hộ gia đình")\nlog.info("ghi %s", 1)\n'
    assert untranslated_python(python) == [(2, "Hộ gia đình")]
    template = ('{% load i18n %}<h1>Tìm hộ</h1>{% translate "Tìm" %}{# Tìm #}{% blocktranslate %}Tìm {{ x }}'
                '{% endblocktranslate %}{{ y|default:"Chưa có" }}{{ z|default:_("Chưa có") }}')
    assert [text for _, text in untranslated_template(template)] == ["<h1>Tìm hộ</h1>", 'y|default:"Chưa có"']


def test_allowlist_names_real_files() -> None:
    assert [name for name in ALLOWLIST if not (SRC / name).exists()] == []


@pytest.mark.parametrize("relative", scanned_files())
def test_no_untranslated_string(relative: str) -> None:
    if relative in ALLOWLIST:
        return  # left in Vietnamese on purpose: see the reason in ALLOWLIST
    source = (SRC / relative).read_text(encoding="utf-8")
    found = untranslated_python(source) if relative.endswith(".py") else untranslated_template(source)
    found = [(line, text) for line, text in found if (relative, text) not in STRING_ALLOWLIST]
    assert found == [], f"{relative}: Vietnamese outside gettext/translate"


# The offline app's scripts: their text goes through i18n.js's gettext("…") (the djangojs domain).
SCRIPTS = sorted(str(path.relative_to(SRC)) for path in (SRC / "web" / "static" / "web" / "offline").glob("*.js"))
JS_GETTEXT = re.compile(r"""gettext\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.DOTALL)


def untranslated_script(source: str) -> list[tuple[int, str]]:
    """Lines of a script with Vietnamese outside comments and ``gettext("…")``."""
    code = JS_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), source)
    code = JS_GETTEXT.sub("gettext(", code)
    return [(number, line.strip()) for number, line in enumerate(code.splitlines(), 1) if VIETNAMESE.search(line)]


def test_the_script_scanner_finds_what_it_must() -> None:
    script = ('// Tìm hộ\nconst a = gettext("Tìm hộ", { n });\nconst b = `Tìm ${x}`;\n'
              '/* Tìm\n hộ */ const c = "https://x"; // Tìm\n')
    assert untranslated_script(script) == [(3, "const b = `Tìm ${x}`;")]


@pytest.mark.parametrize("relative", SCRIPTS)
def test_no_untranslated_string_in_the_offline_scripts(relative: str) -> None:
    if relative in ALLOWLIST:
        return  # left in Vietnamese on purpose: see the reason in ALLOWLIST
    found = [(line, text) for line, text in untranslated_script((SRC / relative).read_text(encoding="utf-8"))
             if (relative, text) not in STRING_ALLOWLIST]
    assert found == [], f"{relative}: Vietnamese outside gettext(…)"


def test_the_offline_app_carries_its_scripts_catalogue_in_the_language_shown(client: Client, db: None) -> None:
    vietnamese = client.get("/ung-dung/").content.decode()
    assert '<html lang="vi">' in vietnamese and "Đang kiểm tra mạng…" in vietnamese
    assert '<meta name="ansinh-strings" content="{}">' in vietnamese
    worker_vi = client.get("/ung-dung/sw.js").content.decode()
    client.cookies["ansinh_language"] = "en"
    english = client.get("/ung-dung/").content.decode()
    assert '<html lang="en">' in english and "Checking the network…" in english and "Đang kiểm tra" not in english
    strings = json.loads(unescape(english.split('<meta name="ansinh-strings" content="')[1].split('">')[0]))
    assert strings["Có mạng"] == "Online" and strings["Mã PIN không đúng."] == "Wrong PIN."
    assert set(strings) == {entry.msgid for entry in polib.pofile(str(SRC / "web/locale/en/LC_MESSAGES/djangojs.po"))}
    # The worker's cache follows the language: a switch installs a new worker, which caches the page again.
    worker_en = client.get("/ung-dung/sw.js").content.decode()
    assert worker_en != worker_vi and "/static/web/offline/i18n.js" in worker_en


# --- the pages in English ------------------------------------------------------------------------------

CHECKED = {"nav", "h1", "h2", "h3", "h4", "label", "th", "button", "legend", "summary", "caption", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WORD = re.compile(r"\w+")


class Structure(HTMLParser):
    """The text inside the checked elements, outside any element marked ``lang="vi"`` (legal papers)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, Vietnamese on purpose)
        self.texts: list[str] = []
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_lang = dict(attrs).get("lang") or ""
        if tag in VOID:
            return
        self.stack.append((tag, dict(attrs).get("lang") == "vi"))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if any(vietnamese for _, vietnamese in self.stack):
            return
        if any(tag in CHECKED for tag, _ in self.stack) and data.strip():
            self.texts.append(data.strip())


MONEY = re.compile(r"\d[\d.]*\s?đ(?!\w)")  # amounts stay Vietnamese-style (1.000 đ) in both languages


def strings_of(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_of(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_of(item)]
    return [value] if isinstance(value, str) else []


def database_words() -> set[str]:
    """Every word of every text column of the database, and of the dated parameter files (the legal
    parameters' names and sources are legal text, shown as they are): what a page may show as data."""
    words: set[str] = set()
    for path in (SRC / "rules" / "parameters").rglob("*.yaml"):
        for text in strings_of(yaml.safe_load(path.read_text(encoding="utf-8"))):
            words.update(WORD.findall(text.lower()))
    for model in apps.get_models():
        fields = [field.name for field in model._meta.concrete_fields
                  if isinstance(field, models.CharField | models.TextField) and not field.choices]
        if fields:
            for row in model.objects.values_list(*fields):
                for value in row:
                    if value:
                        words.update(WORD.findall(str(value).lower()))
    return words


@pytest.fixture(scope="module")
def world(demo_data: None, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture(scope="module")
def data_words(world: World, django_db_blocker: Any) -> set[str]:
    with django_db_blocker.unblock():
        return database_words()


def english_client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["agent_x"])
    client.cookies["ansinh_language"] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_page_in_english_has_no_vietnamese_template_text(world: World, data_words: set[str], page: Any) -> None:
    response = english_client(world).get(page_url(page, world.ids))
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return  # a redirect, a PDF, a file, or a page refused to this persona: nothing shown to read
    if relative_template(response) in ALLOWLIST:
        return
    html = response.content.decode()
    structure = Structure()
    structure.feed(html)
    if structure.html_lang:  # a fragment (htmx) has no <html>
        assert structure.html_lang == "en"
    vietnamese = [text for text in (MONEY.sub("", text) for text in structure.texts) if VIETNAMESE.search(text)
                  and any(VIETNAMESE.search(word) and word not in data_words
                          for word in WORD.findall(text.lower()))]
    assert vietnamese == [], f"{page.name} in English shows Vietnamese template text"


def relative_template(response: Any) -> str:
    names = [template.name for template in getattr(response, "templates", []) if template.name]
    return f"web/templates/{names[0]}" if names else ""


def test_vietnamese_by_default_whatever_the_browser_says(client: Client, db: None) -> None:
    response = client.get("/tham-so/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_the_switch_sets_the_cookie_and_the_page_follows(client: Client, db: None) -> None:
    response = client.post("/ngon-ngu/", {"language": "en", "next": "/tham-so/"})
    assert response.status_code == 302 and response["Location"] == "/tham-so/"
    assert client.cookies["ansinh_language"].value == "en"
    page = client.get("/tham-so/").content.decode()
    assert '<html lang="en">' in page and ">Parameters<" in page
    assert 'name="language" value="vi" class="link" lang="vi">' in page  # the way back, named in Vietnamese
    client.post("/ngon-ngu/", {"language": "vi", "next": "/tham-so/"})
    assert '<html lang="vi">' in client.get("/tham-so/").content.decode()


def test_the_switch_is_a_post_with_csrf(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get("/ngon-ngu/").status_code == 405
    assert client.post("/ngon-ngu/", {"language": "en"}).status_code == 403
    assert "ansinh_language" not in client.cookies or client.cookies["ansinh_language"].value != "en"


def test_an_unknown_language_in_the_cookie_is_vietnamese(client: Client, db: None) -> None:
    client.cookies["ansinh_language"] = "fr"
    assert '<html lang="vi">' in client.get("/tham-so/").content.decode()
