"""The data package's ZIP and its manifest. Pure: no Django.

The manifest lists every file with its size, SHA-256 and (for tables) rows, plus what the
package holds (`about`); SHA256SUMS has the same checksums in the form `sha256sum -c` reads.
"""

import hashlib
import json
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

__all__ = ["file_entry", "write_zip"]

CHUNK = 1 << 20


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(root: Path, path: Path, rows: int | None = None) -> dict:
    entry = {"path": path.relative_to(root).as_posix(), "bytes": path.stat().st_size}
    entry["sha256"] = sha256(path)
    if rows is not None:
        entry["rows"] = rows
    return entry


def _member(name: str, dated: datetime, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=dated.timetuple()[:6])
    info.file_size = size  # known before writing: ZIP64 where a file needs it
    info.compress_type = zipfile.ZIP_DEFLATED  # at zlib's default level, 6
    info.external_attr = 0o644 << 16  # -rw-r--r-- where unzipped
    return info


def write_zip(
    root: Path, target: Path, about: dict, rows: dict[str, int], *, dated: datetime
) -> dict:
    """Zip every file under `root` into `target` with manifest.json and SHA256SUMS; returns
    the manifest. `rows` gives the row count of table files by relative path. Every member is
    dated `dated` (the data's moment, not the files' or the clock's), so the same files
    always give the same ZIP to the byte."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    entries = [file_entry(root, p, rows.get(p.relative_to(root).as_posix())) for p in files]
    manifest = {**about, "files": entries}
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path, entry in zip(files, entries, strict=True):
            with (
                path.open("rb") as source,
                out.open(_member(entry["path"], dated, entry["bytes"]), "w") as sink,
            ):
                shutil.copyfileobj(source, sink, CHUNK)
        manifest_text = json.dumps(manifest, ensure_ascii=False, indent=2)
        out.writestr(_member("manifest.json", dated), manifest_text)
        out.writestr(_member("SHA256SUMS", dated), sums)
    return manifest
