"""Reads: the locality tree as a lookup, frames from Parquet, a draw's sample as a table.

The one place where sampling turns querysets and stored files into plain data or DataFrames.
"""

import pandas as pd
from django.core.files.storage import default_storage

from sampling.models import Draw, Frame, Level, Locality


def locality_lookup() -> dict[str, dict]:
    """Locality code → {"level", "street_code", "district_code"} for the whole tree.

    The street and district are the locality's own ancestors at those levels (or itself), None
    above them. One query; the tree is thousands of rows, not millions.
    """
    nodes = {
        pk: (code, level, parent_id)
        for pk, code, level, parent_id in Locality.objects.values_list(
            "pk", "code", "level", "parent_id"
        )
    }
    lookup = {}
    for code, level, parent_id in nodes.values():
        found = {level: code}
        while parent_id is not None:
            parent_code, parent_level, parent_id = nodes[parent_id]
            found[parent_level] = parent_code
        lookup[code] = {
            "level": level,
            "street_code": found.get(Level.STREET),
            "district_code": found.get(Level.DISTRICT),
        }
    return lookup


def load_frame(frame: Frame) -> pd.DataFrame:
    """The frame's validated rows: columns `frame.columns`, all str, in (street, unit id) order."""
    with default_storage.open(frame.path, "rb") as stored:
        return pd.read_parquet(stored)


def sample_table(draw: Draw) -> pd.DataFrame:
    """The drawn units with every frame column plus stratum, replicate and the design figures.

    One row per sampled unit, ordered by stratum and unit id. Contains real phone numbers:
    only for analysts' downloads, never for a page.
    """
    units = pd.DataFrame.from_records(
        draw.units.values(
            "unit_id", "stratum", "replicate", "inclusion_probability", "design_weight"
        ),
        columns=["unit_id", "stratum", "replicate", "inclusion_probability", "design_weight"],
    )
    frame = load_frame(draw.frame)
    # A frame column that happens to share a name with the draw's figures keeps a suffix.
    table = frame.merge(
        units, on="unit_id", how="inner", validate="one_to_one", suffixes=("_frame", "")
    )
    return table.sort_values(["stratum", "unit_id"], kind="stable").reset_index(drop=True)
