"""The respondent-level files of a wave, written into a folder: CSV, XLSX, SPSS and Stata
(one per form language), the JSON codebook, the raking margins and the analysis scripts."""

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports.codebook import INTERVIEWS
from exports.formats import labelled, snippets
from exports.formats.text import frame_csv
from exports.formats.workbook import write_workbook
from exports.microdata import Microdata, site_language

TEXT_NOTES = [
    "Categorical answers hold the choice's value in CSV and XLSX and its integer code in SPSS "
    "and Stata; `values` maps one to the other.",
    "A select_multiple question has its original answer (values separated by spaces) and one "
    "0/1 column per choice (empty where the question was not answered).",
    "Open answers have phone numbers masked.",
    "Dates and times are local time of the server's time zone.",
    "Interviewer codes are pseudonyms valid within this wave only.",
    "Weights exist for approved interviews only: weight = w_design × w_nonresponse × "
    "w_household × w_raking × w_trimming.",
]


def codebook(data: Microdata) -> dict:
    """The machine-readable codebook (codebook.json)."""
    wave = data.wave
    definition = wave.questionnaire_version.definition
    return {
        "wave": {"id": wave.pk, "name": wave.name},
        "questionnaire": {
            "form_id": definition.get("form_id"),
            "version": wave.questionnaire_version_id,
            "title": definition.get("title"),
        },
        # when the data last changed, not when this file was written: the same data gives
        # the same package (the job's record says when it was built)
        "data_as_of": timezone.localtime(data.as_of).isoformat() if data.as_of else None,
        "review_states": data.states,
        "languages": data.languages,
        "notes": TEXT_NOTES,
        "weighting": {**data.design, "report_margins": data.report.get("margins", [])},
        "files": [
            {
                "file": level.file,
                "repeat": level.path,
                "label": level.label,
                "keys": level.keys,
                "rows": len(data.frames[level.file]),
                "variables": [v.as_dict() for v in data.variables(level)],
                "withheld": level.withheld,
            }
            for level in data.levels
        ],
    }


def margins_frame(data: Microdata) -> pd.DataFrame:
    """The raking's population margins: margin, level (the cell's label), Freq."""
    rows = [
        (name, str(label), float(count))
        for name, population in data.margins
        for label, count in sorted(population.items())
    ]
    return pd.DataFrame(rows, columns=["margin", "level", "Freq"])


def _titles() -> dict:
    return {
        "codebook": _("Codebook"),
        "values": _("Value labels"),
        "file": _("File"),
        "name": _("Variable"),
        "kind": _("Type"),
        "path": _("Question path"),
        "code": _("Code"),
        "value": _("Value"),
        "label": _("Label"),
    }


def _words(language: str) -> dict:
    with translation.override(site_language(language)):
        return {"not_selected": _("Not selected"), "selected": _("Selected")}


def write_microdata(
    data: Microdata, root: Path, progress: Callable[[str], None] = lambda step: None
) -> dict[str, int]:
    """Every file under `root`; returns {relative path: rows} of the tables."""
    rows: dict[str, int] = {}
    folders = {name: root / name for name in ("data", "data/spss", "data/stata", "analysis")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    progress(_("Writing CSV files"))
    for level in data.levels:
        frame = data.frames[level.file]
        (folders["data"] / f"{level.file}.csv").write_bytes(frame_csv(frame))
        rows[f"data/{level.file}.csv"] = len(frame)
    progress(_("Writing SPSS and Stata files"))
    title = data.wave.name
    stamped = timezone.localtime(data.as_of) if data.as_of else None
    for language in data.languages:
        for level in data.levels:
            frame, variables = data.frames[level.file], data.variables(level)
            stem = f"{level.file}_{language}"
            options = {"language": language, "words": _words(language), "file_label": title,
                       "stamped": stamped}  # fmt: skip
            labelled.write_sav(frame, variables, folders["data/spss"] / f"{stem}.sav", **options)
            labelled.write_dta(frame, variables, folders["data/stata"] / f"{stem}.dta", **options)
            rows[f"data/spss/{stem}.sav"] = rows[f"data/stata/{stem}.dta"] = len(frame)
    progress(_("Writing the workbook"))
    write_workbook(
        folders["data"] / "interviews.xlsx",
        data.frames,
        data.levels,
        data.own,
        languages=data.languages,
        titles=_titles(),
    )
    book = codebook(data)
    (root / "codebook.json").write_text(json.dumps(book, ensure_ascii=False, indent=2, default=str))
    margins = margins_frame(data)
    (folders["analysis"] / "margins.csv").write_bytes(frame_csv(margins))
    rows["analysis/margins.csv"] = len(margins)
    first = data.languages[0]
    (folders["analysis"] / "design.R").write_text(snippets.r_script(data.design, title=title))
    (folders["analysis"] / "design.do").write_text(
        snippets.stata_do(
            data.design, title=title, data_file=f"data/stata/{INTERVIEWS}_{first}.dta"
        )
    )
    (folders["analysis"] / "design.sps").write_text(
        snippets.spss_syntax(
            data.design, title=title, data_file=f"data/spss/{INTERVIEWS}_{first}.sav"
        )
    )
    return rows
