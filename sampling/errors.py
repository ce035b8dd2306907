"""The errors sampling's use-cases raise: each carries every problem found, readable as is.

Pure: no Django. Callers (views, forms, commands, fieldwork) show `errors` to the user.
"""

from sampling.frame_validation import FrameError


class SamplingInputError(Exception):
    """Input that cannot be used; `errors` lists every problem found, each a readable sentence."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors[:5]) + (" …" if len(self.errors) > 5 else ""))


class FrameImportError(Exception):
    """A frame file with problems; `errors` holds every problem, phone numbers masked, or
    the first ones the table reader kept of `total` (a file can have a million bad rows)."""

    def __init__(self, errors: list[FrameError], source_name: str = "", total: int = 0):
        self.errors = list(errors)
        self.source_name = source_name
        self.total = max(total, len(self.errors))
        super().__init__(f"{self.total} problems in {source_name or 'the frame file'}")
