"""The data package's ZIP and its manifest. Pure: no Django.

The manifest lists every file with its size, SHA-256 and (for tables) rows, plus what the
package holds (`about`); SHA256SUMS has the same checksums in the form `sha256sum -c` reads.
"""

import hashlib
import json
import zipfile
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


def write_zip(root: Path, target: Path, about: dict, rows: dict[str, int]) -> dict:
    """Zip every file under `root` into `target` with manifest.json and SHA256SUMS; returns
    the manifest. `rows` gives the row count of table files by relative path."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    entries = [file_entry(root, p, rows.get(p.relative_to(root).as_posix())) for p in files]
    manifest = {**about, "files": entries}
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for path, entry in zip(files, entries, strict=True):
            out.write(path, entry["path"])
        out.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        out.writestr("SHA256SUMS", sums)
    return manifest
