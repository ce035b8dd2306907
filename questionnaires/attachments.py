"""Choices from a form's attached CSV or XML file, as ODK reads them. Pure: no Django.

A CSV file has a `name` column (the choice's value) and `label` columns (`label`, or one per
language `label::English (en)`, keyed like the form's languages); other columns are kept as
the choice's extra columns (a choice_filter reads them). An XML file is ODK's secondary
instance: `<root><item><name>…</name><label>…</label>…</item>…</root>`.
"""

import csv
import io
import xml.etree.ElementTree as ET

from questionnaires.xlsform.languages import Languages

__all__ = ["DATA_SUFFIXES", "AttachmentError", "read_choices"]

DATA_SUFFIXES = (".csv", ".xml")
MAX_CHOICES = 20_000


class AttachmentError(ValueError):
    """The file cannot give choices; the message names the file and what is wrong."""


def read_choices(data: bytes, name: str, default_language: str | None = None) -> list[dict]:
    """[{"value", "label": {code: text}, "extra": {column: text}}] from a CSV or XML file."""
    languages = Languages(default_language)
    rows = _xml_rows(data, name) if name.lower().endswith(".xml") else _csv_rows(data, name)
    if len(rows) > MAX_CHOICES:
        raise AttachmentError(f"{name}: more than {MAX_CHOICES} rows")
    choices = []
    for row in rows:
        value = (row.get("name") or "").strip()
        if not value:
            continue
        labels = {key: text for key, text in row.items() if key.split("::")[0] == "label"}
        label = {
            **({} if "label" not in labels else {languages.default_code: labels["label"]}),
            **{languages.code(key.split("::", 1)[1]): text for key, text in labels.items()
               if "::" in key and text},
        }  # fmt: skip
        extra = {key: text for key, text in row.items() if key != "name" and key not in labels}
        choices.append({"value": value, "label": label or {languages.default_code: value},
                        "extra": extra})  # fmt: skip
    return choices


def _csv_rows(data: bytes, name: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AttachmentError(f"{name}: not a UTF-8 text file") from err
    reader = csv.DictReader(io.StringIO(text))
    if "name" not in (reader.fieldnames or []):
        raise AttachmentError(f"{name}: the first row has no 'name' column")
    return [{key: (value or "") for key, value in row.items() if key} for row in reader]


def _xml_rows(data: bytes, name: str) -> list[dict]:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise AttachmentError(f"{name}: XML with a DOCTYPE or entities is not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise AttachmentError(f"{name}: not well-formed XML") from err
    return [{child.tag: (child.text or "").strip() for child in item} for item in root.iter("item")]
