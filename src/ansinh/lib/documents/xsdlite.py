"""Validation of an XML document against an XSD written in a small subset of XML Schema: global
``xs:element``s with a ``xs:complexType``/``xs:sequence`` of child elements (``minOccurs``/``maxOccurs``,
nested complex types), simple types xs:string, xs:integer, xs:decimal, xs:date and named
``xs:simpleType``s restricting xs:string with ``xs:pattern``/``xs:maxLength``. lxml is not in the
project's environment; with it, ``lxml.etree.XMLSchema`` would validate the same files (they are plain
XSD 1.0). The schema file is the only source of the rules: nothing here names an element."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

XS = "{http://www.w3.org/2001/XMLSchema}"


@dataclass(frozen=True)
class SimpleType:
    base: str
    pattern: str = ""
    max_length: int = 0


def _simple_types(schema: ET.Element) -> dict[str, SimpleType]:
    types = {}
    for node in schema.findall(f"{XS}simpleType"):
        restriction = node.find(f"{XS}restriction")
        assert restriction is not None
        pattern = restriction.find(f"{XS}pattern")
        length = restriction.find(f"{XS}maxLength")
        types[node.get("name", "")] = SimpleType(restriction.get("base", "xs:string"),
                                                 pattern.get("value", "") if pattern is not None else "",
                                                 int(length.get("value", "0")) if length is not None else 0)
    return types


def _check_simple(text: str, type_name: str, types: dict[str, SimpleType], where: str) -> list[str]:
    found = types.get(type_name)
    base = found.base if found else type_name
    errors = []
    if base == "xs:integer" and not re.fullmatch(r"-?\d+", text):
        errors.append(f"{where}: '{text}' is not an integer")
    elif base == "xs:decimal":
        try:
            Decimal(text)
        except InvalidOperation:
            errors.append(f"{where}: '{text}' is not a decimal")
    elif base == "xs:date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        errors.append(f"{where}: '{text}' is not a date")
    if found and found.pattern and not re.fullmatch(found.pattern, text):
        errors.append(f"{where}: '{text}' does not match {found.pattern}")
    if found and found.max_length and len(text) > found.max_length:
        errors.append(f"{where}: longer than {found.max_length}")
    return errors


def _check(node: ET.Element, decl: ET.Element, types: dict[str, SimpleType], where: str) -> list[str]:
    complex_type = decl.find(f"{XS}complexType")
    if complex_type is None:
        if len(node):
            return [f"{where}: unexpected child elements"]
        return _check_simple(node.text or "", decl.get("type", "xs:string"), types, where)
    sequence = complex_type.find(f"{XS}sequence")
    children = list(node)
    errors: list[str] = []
    at = 0
    for child_decl in (sequence if sequence is not None else []):
        name = child_decl.get("name", "")
        low = int(child_decl.get("minOccurs", "1"))
        high_text = child_decl.get("maxOccurs", "1")
        high = None if high_text == "unbounded" else int(high_text)
        count = 0
        while at < len(children) and children[at].tag == name and (high is None or count < high):
            errors += _check(children[at], child_decl, types, f"{where}/{name}[{count + 1}]")
            at += 1
            count += 1
        if count < low:
            errors.append(f"{where}: {name} expected at least {low} time(s), found {count}")
    if at < len(children):
        errors.append(f"{where}: unexpected element {children[at].tag}")
    return errors


def validate(document: bytes, schema_path: Path) -> list[str]:
    """The problems of ``document`` against the schema (empty: valid)."""
    schema = ET.parse(schema_path).getroot()
    root = ET.fromstring(document)
    types = _simple_types(schema)
    for decl in schema.findall(f"{XS}element"):
        if decl.get("name") == root.tag:
            return _check(root, decl, types, root.tag)
    return [f"root element {root.tag} is not declared"]
