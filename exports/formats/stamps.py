"""The date and time written inside SPSS and Stata files, set to a given moment. Pure: no
Django.

ReadStat (through pyreadstat) stamps each .sav and .dta file with the clock's time when it is
written, and offers no way to choose it; two packages written from the same data would then
differ in those bytes only. The stamp sits at a fixed place in both formats' headers, so it is
rewritten here with the moment the data last changed (exports.loaders.data_as_of).

SPSS (.sav/.zsav): after the 4-byte magic, the 60-byte product name, five 4-byte integers and
the 8-byte bias come the creation date "dd Mmm yy" (9 bytes) and time "hh:mm:ss" (8 bytes).
Stata 117–119 (.dta): `<timestamp>`, one byte of length (17), then "dd Mmm yyyy hh:mm".
Month names are English in both (the formats' own convention, whatever the locale).
"""

from datetime import datetime
from pathlib import Path

__all__ = ["stamp_dta", "stamp_sav"]

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_SAV_MAGICS = (b"$FL2", b"$FL3")
_SAV_DATE = 4 + 60 + 4 * 5 + 8
_DTA_TAG = b"<timestamp>"


def _month(moment: datetime) -> str:
    return _MONTHS[moment.month - 1]


def stamp_sav(path: Path, moment: datetime) -> None:
    """Set the creation date and time in the SPSS file at `path` to `moment` (as given: pass
    it in the time zone the file should show)."""
    stamp = f"{moment.day:02d} {_month(moment)} {moment.year % 100:02d}" + moment.strftime(
        "%H:%M:%S"
    )
    with path.open("r+b") as stream:
        if stream.read(4) not in _SAV_MAGICS:
            raise ValueError(f"{path.name} is not an SPSS file")
        stream.seek(_SAV_DATE)
        stream.write(stamp.encode("ascii"))


def stamp_dta(path: Path, moment: datetime) -> None:
    """Set the timestamp in the Stata file at `path` to `moment`."""
    stamp = f"{moment.day:02d} {_month(moment)} {moment.year:04d} {moment:%H:%M}".encode("ascii")
    with path.open("r+b") as stream:
        head = stream.read(512)
        at = head.find(_DTA_TAG)
        if at < 0 or head[at + len(_DTA_TAG)] != len(stamp):
            raise ValueError(f"{path.name} has no Stata timestamp where one is expected")
        stream.seek(at + len(_DTA_TAG) + 1)
        stream.write(stamp)
