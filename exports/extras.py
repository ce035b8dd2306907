"""The data package's files beside the microdata: the questionnaire, the sampling plan and
allocation, the dispositions, the methodology appendix and a README."""

import json
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from exports import loaders
from exports.formats.text import frame_csv
from exports.microdata import Microdata
from fieldwork.dispositions import DISPOSITIONS
from questionnaires.models import QuestionnaireVersion
from questionnaires.xlsform import SCHEMA
from questionnaires.xlsform_export import export_workbook
from scoring.results import cached_results


def printable_questionnaires(version: QuestionnaireVersion) -> dict[str, bytes]:
    """The questionnaire as a printable PDF in each of its languages: {language code: PDF}."""
    from questionnaires.printout import printable_pdf  # reportlab: only where a PDF is drawn

    return {
        language: printable_pdf(version, language)
        for language in version.definition.get("languages", [])
    }


def write_questionnaire(data: Microdata, root: Path) -> list[str]:
    """questionnaire/<form>.xlsx (the XLSForm) and <form>-<language>.pdf (the printable
    questionnaire in each of its languages); the names written."""
    version = data.wave.questionnaire_version
    folder = root / "questionnaire"
    folder.mkdir(parents=True, exist_ok=True)
    stem = str(version.definition.get("form_id") or "questionnaire")
    written = []
    # The workbook as published; else one written from the definition (schema 2: by path).
    workbook = bytes(version.source_xlsx or b"")
    if not workbook and version.definition.get("schema", 0) >= SCHEMA:
        workbook = export_workbook(version.definition)
    if workbook:
        (folder / f"{stem}.xlsx").write_bytes(workbook)
        written.append(f"questionnaire/{stem}.xlsx")
    for language, pdf in printable_questionnaires(version).items():
        (folder / f"{stem}-{language}.pdf").write_bytes(pdf)
        written.append(f"questionnaire/{stem}-{language}.pdf")
    return written


def write_sampling(data: Microdata, root: Path) -> dict[str, int]:
    """sampling/plan.json (the draw's settings) and sampling/allocation.csv (per stratum:
    frame units, drawn, released, fieldwork counts, response rate, weights)."""
    folder = root / "sampling"
    folder.mkdir(parents=True, exist_ok=True)
    draw = data.wave.draw
    plan = {}
    if draw is not None:
        plan = {
            "name": draw.name,
            "frame": draw.frame.name,
            "frame_units": draw.frame.n_rows,
            "stratum_column": draw.stratum_column,
            "strata_columns": draw.strata_columns,
            "sample_size": draw.n_total,
            "allocation": draw.allocation,
            "allocation_parameters": draw.allocation_params,
            "minimum_per_stratum": draw.minimum_per_stratum,
            "reserve_replicates": draw.reserve_replicates,
            "reserve_fraction": draw.reserve_fraction,
            "sort_columns": draw.sort_columns,
            "seed": draw.seed,
            "drawn_at": draw.created_at.isoformat(),
        }
    (folder / "plan.json").write_text(json.dumps(plan, ensure_ascii=False, indent=2))
    strata = pd.DataFrame((data.report.get("nonresponse") or {}).get("strata") or [])
    if not strata.empty:
        sizes = loaders.stratum_sizes(data.wave)
        strata.insert(1, "frame_units", strata["stratum"].map(sizes))
    (folder / "allocation.csv").write_bytes(frame_csv(strata))
    return {"sampling/allocation.csv": len(strata)}


def write_dispositions(data: Microdata, root: Path) -> dict[str, int]:
    """fieldwork/dispositions.csv: every case's final disposition (AAPOR code and name)."""
    folder = root / "fieldwork"
    folder.mkdir(parents=True, exist_ok=True)
    cases = loaders.dispositions(data.wave)
    names = {d.code: _(d.label) for d in DISPOSITIONS}
    cases.insert(
        cases.columns.get_loc("disposition") + 1,
        "disposition_name",
        cases["disposition"].map(names).astype(object),
    )
    (folder / "dispositions.csv").write_bytes(frame_csv(cases))
    return {"fieldwork/dispositions.csv": len(cases)}


def write_methodology(data: Microdata, root: Path) -> None:
    """methodology.md: the results' methodology appendix and per-stratum table."""
    report = cached_results(data.wave)
    lines = [f"# {_('Methodology')}: {data.wave.name}", ""]
    lines += [
        f"- **{item}**: {'' if value is None else value}"
        for item, value in report.get("methodology_lines") or []
    ]
    (root / "methodology.md").write_text("\n".join(lines) + "\n")


def write_readme(data: Microdata, root: Path, *, printable: bool) -> None:
    lines = [
        data.wave.name,
        "",
        _("What this package holds:"),
        "- data/: "
        + _(
            "the interviews, one row each, and one file per repeat (CSV, XLSX, "
            "SPSS .sav and Stata .dta in each questionnaire language)"
        ),
        "- codebook.json: " + _("every variable, its label, type and value codes"),
        "- analysis/: "
        + _(
            "the design in R (reproduces the published estimates and standard "
            "errors), Stata and SPSS (their standard errors ignore the "
            "calibration), and the raking margins"
        ),
        "- questionnaire/: "
        + _("the questionnaire as an XLSForm, and as a printable PDF in each of its languages"),
        "- sampling/: " + _("the sampling plan and the allocation by stratum"),
        "- fieldwork/dispositions.csv: " + _("every case's final disposition"),
        "- methodology.md: " + _("the methodology appendix"),
        "- manifest.json, SHA256SUMS: " + _("every file with its size and checksum"),
        "",
        _("No phone numbers, names, addresses or exact positions are included."),
    ]
    if not printable:
        lines.append(_("The printable questionnaire (PDF) is not included in this version."))
    (root / "README.txt").write_text("\n".join(lines) + "\n")
