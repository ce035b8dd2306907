"""Searching everything stored for personal values: every column of every table (read raw,
without the application's decryption, on SQLite and PostgreSQL alike: the tables are listed by
the database, not by the models), every file in the storage, a log's text. A value stored as
base64 (the database cache's pickles, the sessions) is searched decoded too."""

import base64
import binascii
import hashlib
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
from cryptography.fernet import InvalidToken
from django.db import connection

from common.crypto import Keyring, normal_phone

TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*")
BASE64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")


def _decoded(text: str) -> list[str]:
    """`text` and, when it is base64, what it decodes to (as UTF-8 and as Latin-1)."""
    if not BASE64.fullmatch(text):
        return [text]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return [text]
    return [text, raw.decode("utf-8", "replace"), raw.decode("latin-1")]


def every_stored_text() -> list[str]:
    """Every value of every column of every table, as text (bytes decoded as Latin-1)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        found += [raw.decode("latin-1"), raw.decode("utf-8", "replace")]
                    elif value is not None:
                        found += _decoded(str(value))
                        found += _json_unescaped(value)
    return found


def table_names() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _json_unescaped(value: object) -> list[str]:
    """A JSON column's text with its escapes undone (SQLite stores "框" as "\\u6846")."""
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    if isinstance(value, str) and value[:1] in "{[" and "\\u" in value:
        try:
            return [json.dumps(json.loads(value), ensure_ascii=False)]
        except ValueError:
            return []
    return []


def every_file(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def unkeyed_hashes(phone: str) -> list[str]:
    """What someone without the key could compute from a number: plain SHA-256 (whole, and cut
    to 16 and 32 characters, the old contact key among them)."""
    text = normal_phone(phone)
    plain = hashlib.sha256(text.encode()).hexdigest()
    old = hashlib.sha256(b"phone:" + text.encode()).hexdigest()
    return [plain, plain[:16], plain[:32], old, old[:16], old[:32]]


def decrypted_tokens(texts: list[str], ring: Keyring) -> list[str]:
    """The plaintext of every token found in `texts` that the keyring opens (a sealed frame's
    whole Arrow stream too, read as text)."""
    opened = []
    for text in texts:
        for token in TOKEN.findall(text):
            try:
                plain = ring.decrypt_bytes(token.encode())
            except InvalidToken:
                continue
            opened.append(_arrow_text(plain) or plain.decode("utf-8", "replace"))
    return opened


def _arrow_text(data: bytes) -> str:
    """A sealed frame's columns (a compressed Arrow stream) as text, "" if it is not one."""
    try:
        with ipc.open_stream(pa.py_buffer(data)) as reader:
            return json.dumps(reader.read_all().to_pydict(), ensure_ascii=False)
    except (pa.ArrowInvalid, OSError):
        return ""


def found_in(values: list[str], texts: list[str]) -> list[str]:
    """The values that occur in any of the texts."""
    return [value for value in values if any(value in text for text in texts)]
