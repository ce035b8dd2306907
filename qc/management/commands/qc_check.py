"""Offline quality control: the automatic rules on a CSV of delivered interviews, no database.

    manage.py qc_check --interviews F.csv --questionnaire FORM.xlsx [--config rules.toml]
                       --out flags.csv [--interviewers-out interviewers.csv] [--language en]

F.csv (UTF-8, GB18030/GBK or UTF-16; header row): one row per interview with `interview_id`,
`interviewer`, `started_at`, `ended_at` (ISO 8601; without an offset they are local time in
the config's timezone), `locality` (the sampled street code), the answers by question name
(choice names as in the XLSForm; select_multiple space-separated), optional
`<name>__seconds` (time on the question, for the fast_items rule) and optional `phone` and
`household` (the sampled unit's number and address or id: only hashed, to find interviews of
the same number or household; never written out). The said street is the answer to the
form's street-level locality question.

--interviewers-out writes one row per interviewer, riskiest first: the flag counts and the
interviewer risk of qc.risk.statistics against peers working the same localities (the
CSV's `locality`).

The XLSForm gives the scale items and don't-know codes (choices without a score), the frame
is built by qc.rule_input.build_frame and the rules run through qc.rules.engine.run_rules,
exactly as on interviews in the database. `--config` is a TOML file of RuleConfig fields to
override. Nothing is written to the database; output files are written only when everything
is valid.
"""

import os
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pandas as pd
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from common.personal import household_key, phone_key
from common.spreadsheets import write_csv_files
from common.tables import TableError, read_table
from common.tables.texts import describe_all, limits
from common.translatable import translated
from qc.presenters.labels import RULE_LABELS
from qc.risk.statistics import interviewer_risk
from qc.rule_input import InterviewsFrame, build_frame, run_frame_rules
from qc.rules import RULES, RuleConfig
from qc.rules.consistency import item_column
from qc.rules.needs import not_run
from qc.rules.timing import SECONDS_SUFFIX
from questionnaires import answers as stored
from questionnaires.xlsform import XLSFormError, parse_xlsform

REQUIRED_COLUMNS = ["interview_id", "interviewer"]
# Optional: times, the sampled street, the recording's speech share, and the sampled unit's
# phone number and household (address or id), only ever hashed with a key (common.personal)
# to find interviews of the same number or household.
OPTIONAL_COLUMNS = ["started_at", "ended_at", "duration_seconds", "locality", "speech_share"]
CONTACT_COLUMNS = ["phone", "household"]
OWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS + CONTACT_COLUMNS
MAX_ERRORS = 20
MAX_ID_CHARS = 64
LEVELS = ["community", "street", "district"]  # the said street: street level, else deepest


def _unreadable(error: Exception) -> str:
    """Why a file cannot be read, in our words rather than the operating system's."""
    if isinstance(error, FileNotFoundError):
        return "no such file."
    if isinstance(error, IsADirectoryError):
        return "a folder, not a file."
    if isinstance(error, PermissionError):
        return "not readable with this account's permissions."
    if isinstance(error, UnicodeDecodeError):
        return "not text in UTF-8."
    return "cannot be read."


def load_config(path: str) -> RuleConfig:
    """RuleConfig with the TOML file's keys overriding the defaults (RuleConfig.from_mapping
    checks them). CommandError naming the file and the key on a bad one."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise CommandError(f"{path}: {_unreadable(err)}") from err
    except tomllib.TOMLDecodeError as err:
        raise CommandError(f"{path}: not valid TOML ({err}).") from err
    try:
        return RuleConfig.from_mapping(data, source=path)
    except ValueError as err:
        raise CommandError(str(err)) from err


def _questions(definition: dict) -> dict[str, dict]:
    return {q["name"]: q for g in definition.get("groups", []) for q in g.get("questions", [])}


def _said_street_question(questions: dict[str, dict]) -> str | None:
    by_level = {q.get("locality_level"): name for name, q in questions.items()}
    if "street" in by_level:
        return by_level["street"]
    return next((by_level[level] for level in LEVELS if level in by_level), None)


def _timestamp(text: str, zone: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _read_table(path: str) -> tuple[list[str], list[dict]]:
    """The header and the rows of a CSV (UTF-8 with or without BOM, GB18030/GBK or UTF-16) or
    an .xlsx workbook, through the shared reader (common.tables)."""
    try:
        table = read_table(path, name=path, limits=limits("interviews"), suffixes=(".csv", ".xlsx"))
    except TableError as err:
        raise CommandError("\n".join(describe_all(err))) from err
    return list(table.frame.columns), table.frame.to_dict("records")


def _check_header(path: str, header: list[str], rows: list[dict], questions: dict) -> list[str]:
    """The columns ignored (neither ours nor a question of the form, nor a question's
    seconds). CommandError for a missing required column or a file without interviews."""
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CommandError(f"{path}: missing column(s) {', '.join(missing)}.")
    if not rows:
        raise CommandError(f"{path}: no interviews (only a header row).")
    return [
        column
        for column in header
        if column not in OWN_COLUMNS and column.removesuffix(SECONDS_SUFFIX) not in questions
    ]


class _Row(NamedTuple):
    """One row's values, checked."""

    interview_id: str
    interviewer: str
    started_at: datetime | None
    ended_at: datetime | None
    duration: float | None  # seconds, from the file's duration_seconds
    speech_share: float | None
    answers: dict[str, Any]
    seconds: dict[str, float]  # question -> seconds spent on it


class _RowChecker:
    """Reads the rows of one interviews file, collecting every problem by row and column."""

    def __init__(
        self, path: str, header: list[str], definition: dict, zone: ZoneInfo, ignored: list[str]
    ) -> None:
        self.path, self.zone = path, zone
        self.header = [c for c in header if c not in ignored]
        self.questions = _questions(definition)
        self.lists = definition.get("choice_lists", {})
        self.errors: list[str] = []
        self.seen: dict[str, int] = {}  # interview id -> the row it was first on

    def bad(self, line: int, column: str, problem: str) -> None:
        self.errors.append(f"{self.path}: row {line}, column '{column}': {problem}")

    def read(self, line: int, row: dict) -> _Row:
        """The row's values; problems go to self.errors (the values are then unusable)."""
        interview_id = str(row.get("interview_id") or "").strip()
        if not interview_id:
            self.bad(line, "interview_id", "empty")
        elif len(interview_id) > MAX_ID_CHARS:
            self.bad(
                line,
                "interview_id",
                f"'{interview_id[:20]}…' is longer than {MAX_ID_CHARS} characters",
            )
        elif interview_id in self.seen:
            self.bad(line, "interview_id", f"{interview_id} repeats row {self.seen[interview_id]}")
        else:
            self.seen[interview_id] = line
        interviewer = str(row.get("interviewer") or "").strip()
        if not interviewer:
            self.bad(line, "interviewer", "empty")
        started, ended = self._time(line, row, "started_at"), self._time(line, row, "ended_at")
        if started and ended and ended < started:
            self.bad(line, "ended_at", "earlier than started_at")
        duration = self._number(line, row, "duration_seconds", "a number of seconds")
        share = self._number(line, row, "speech_share", "a share between 0 and 1", most=1.0)
        answers, seconds = self._answers(line, row)
        return _Row(interview_id, interviewer, started, ended, duration, share, answers, seconds)

    def _time(self, line: int, row: dict, column: str) -> datetime | None:
        text = str(row.get(column) or "").strip()
        if not text:
            return None
        try:
            return _timestamp(text, self.zone)
        except ValueError:
            self.bad(line, column, f"'{text}' is not an ISO 8601 date-time")
            return None

    def _number(
        self, line: int, row: dict, column: str, what: str, most: float | None = None
    ) -> float | None:
        text = str(row.get(column) or "").strip()
        if not text:
            return None
        try:
            value = float(text)
            if not value >= 0 or (most is not None and value > most):  # also refuses nan
                raise ValueError
        except ValueError:
            self.bad(line, column, f"'{text}' is not {what}")
            return None
        return value

    def _answers(self, line: int, row: dict) -> tuple[dict[str, Any], dict[str, float]]:
        answers: dict[str, Any] = {}
        seconds: dict[str, float] = {}
        for column in self.header:
            if column in OWN_COLUMNS:
                continue
            text = str(row.get(column) or "").strip()
            if not text:
                continue
            if column.endswith(SECONDS_SUFFIX) and column not in self.questions:
                value = self._number(line, row, column, "a number of seconds")
                if value is not None:
                    seconds[column.removesuffix(SECONDS_SUFFIX)] = value
                continue
            answers[column] = self._answer(line, column, text)
        return answers, seconds

    def _answer(self, line: int, column: str, text: str) -> str | list[str]:
        """The cell as an answer: codes for a select_multiple, else the text as it is."""
        question = self.questions[column]
        kind = question.get("type")
        valid = {str(choice["value"]) for choice in self.lists.get(question.get("list") or "", [])}
        if kind == "select_one" and text not in valid:
            self.bad(line, column, f"'{text}' is not a choice of list '{question.get('list')}'")
        elif kind == "select_multiple":
            unknown = [code for code in text.split() if code not in valid]
            if unknown:
                self.bad(line, column, f"{unknown} not choices of list '{question.get('list')}'")
            return text.split()
        elif kind in ("integer", "decimal"):
            try:
                int(text) if kind == "integer" else float(text)
            except ValueError:
                self.bad(line, column, f"'{text}' is not a {kind}")
        return text


def _record(
    values: _Row, row: dict, interviewer_id: int, said_question: str | None, definition: dict
) -> dict[str, Any]:
    """A record for qc.rule_input.build_frame: the file's columns are question names, the
    record's answers are stored by path (questionnaires.answers)."""
    keys = stored.keys_by_name(definition)
    return {
        "id": values.interview_id,
        "questionnaire_version_id": 0,
        "interviewer_id": interviewer_id,
        "wave_id": None,
        "street_id": None,
        "mode": None,
        "started_at": values.started_at,
        "completed_at": values.ended_at,
        "duration_seconds": values.duration,
        "speech_share": values.speech_share,
        "answers": stored.from_names(values.answers, definition),
        "question_seconds": {keys.get(name, name): s for name, s in values.seconds.items()},
        "phone_key": phone_key(row.get("phone")),
        "household_key": household_key(row.get("household")),
        "sampled_locality": str(row.get("locality") or "").strip() or None,
        "said_locality": values.answers.get(said_question) if said_question else None,
    }


class Delivered(NamedTuple):
    """A delivered file's interviews, ready for qc.rule_input.build_frame."""

    records: list[dict]  # id: the file's interview_id as text, so reasons name it
    names: list[str]  # interviewers in order of first appearance (interviewer_id 1, 2, ...)
    ignored: list[str]  # columns neither ours nor the form's


def read_interviews(path: str, definition: dict, config: RuleConfig) -> Delivered:
    """The file's interviews (Delivered). CommandError listing every problem (up to
    MAX_ERRORS) by row and column."""
    header, rows = _read_table(path)
    ignored = _check_header(path, header, rows, _questions(definition))
    checker = _RowChecker(path, header, definition, ZoneInfo(config.timezone), ignored)
    said_question = _said_street_question(checker.questions)
    records: list[dict] = []
    interviewers: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        values = checker.read(line, row)
        if len(checker.errors) >= MAX_ERRORS:
            break
        if checker.errors:
            continue
        interviewer_id = interviewers.setdefault(values.interviewer, len(interviewers) + 1)
        records.append(_record(values, row, interviewer_id, said_question, definition))
    if checker.errors:
        raise CommandError("Invalid interviews file:\n" + "\n".join(checker.errors[:MAX_ERRORS]))
    return Delivered(records, list(interviewers), ignored)


def flags_table(result: pd.DataFrame, language: str) -> pd.DataFrame:
    """run_rules' result as the flags file: interview_id, rule, severity, reason, details."""
    column = "reason_en" if language == "en" else "reason"
    return pd.DataFrame(
        {
            "interview_id": result.index.to_numpy(),
            "rule": result["rule"].to_numpy(),
            "severity": result["severity"].to_numpy(),
            "reason": result[column].to_numpy(),
            "details": result["details"].to_numpy(),
        }
    )


def interviewers_table(
    df: pd.DataFrame,
    result: pd.DataFrame,
    names: list[str],
    *,
    items: list[str] | None = None,
    scores: dict | None = None,
    config: RuleConfig | None = None,
    language: str = "zh",
    excluded_codes: dict | None = None,
) -> pd.DataFrame:
    """Per interviewer, in order of risk (qc.risk.statistics.interviewer_risk: rank 1 first):
    interviews, median duration (s), flagged interviews, flag rate (flagged / interviews),
    the number of flags of each rule (flags_<rule>), then the risk figures against peers in the
    same localities (z-scores, divergence, interviews per hour, risk, rank, reasons)."""
    who = df["interviewer_id"].astype("int64")
    table = pd.DataFrame(
        {
            "interviews": who.groupby(who).size(),
            "median_duration_seconds": df["duration_seconds"].groupby(who).median(),
        }
    )
    flagged_by = who.reindex(result.index)
    flagged = pd.Series(result.index, index=result.index).groupby(flagged_by.to_numpy()).nunique()
    table["flagged_interviews"] = flagged.reindex(table.index, fill_value=0).astype("int64")
    table["flag_rate"] = (table["flagged_interviews"] / table["interviews"]).round(4)
    counts = pd.crosstab(flagged_by.to_numpy(), result["rule"].to_numpy())
    for rule in RULES:
        column = counts[rule] if rule in counts.columns else pd.Series(dtype="int64")
        table[f"flags_{rule}"] = column.reindex(table.index, fill_value=0).astype("int64")
    found = interviewer_risk(
        df,
        result,
        items=items or [],
        scores=scores,
        config=config or RuleConfig(),
        excluded_codes=excluded_codes,
    )
    reasons = found["reasons_en" if language == "en" else "reasons"]
    found = found.drop(
        columns=[
            "n_interviews",
            "median_duration",
            "flag_rate",
            "reasons",
            "reasons_en",
            # no dispositions in the file: no completion or refusal rates
            *[c for c in found.columns if c.startswith(("completion", "refusal", "peer_comp"))],
            *[c for c in found.columns if c.startswith("peer_refusal")],
        ]
    ).assign(reasons=reasons)
    found.index = found.index.astype("int64")
    table = found.join(table)[[*table.columns, *found.columns]].round(6)
    table.insert(0, "interviewer", [names[i - 1] for i in table.index])
    return table.reset_index(drop=True)


class Command(BaseCommand):
    help = "Run the automatic quality-control rules on a CSV of interviews (no database)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interviews", required=True, help="CSV, one row per interview")
        parser.add_argument("--questionnaire", required=True, help="the XLSForm (.xlsx)")
        parser.add_argument("--config", help="TOML file overriding rule thresholds")
        parser.add_argument("--out", required=True, help="flags CSV to write")
        parser.add_argument("--interviewers-out", help="per-interviewer CSV to write")
        parser.add_argument("--language", choices=["zh", "en"], default="zh")

    def handle(self, *args, **options) -> None:
        config = load_config(options["config"]) if options.get("config") else RuleConfig()
        language = options["language"]
        definition = _definition(options["questionnaire"], language)
        delivered = read_interviews(options["interviews"], definition, config)
        try:
            frame = build_frame(delivered.records, {0: definition})
            result = run_frame_rules(frame, config)
        except ValueError as err:
            raise CommandError(str(err)) from err

        outputs = [(options["out"], flags_table(result, language))]
        if options.get("interviewers_out"):
            table = interviewers_table(
                frame.df,
                result,
                delivered.names,
                items=frame.items,
                scores=frame.scores,
                config=config,
                language=language,
                excluded_codes=frame.excluded_codes,
            )
            outputs.append((options["interviewers_out"], table))
        try:
            write_csv_files(outputs)
        except OSError as err:
            raise CommandError(f"Cannot write the output ({err}).") from err
        for line in notes(frame, definition, config, delivered.ignored, language):
            self.stdout.write(line)
        self.stdout.write(
            f"Checked {len(delivered.records)} interviews: {len(result)} flags on "
            f"{result.index.nunique()} interviews."
        )


def _definition(form_path: str, language: str) -> dict:
    """The XLSForm's definition; CommandError naming every problem."""
    try:
        data = Path(form_path).read_bytes()
    except OSError as err:
        raise CommandError(f"{form_path}: {_unreadable(err)}") from err
    try:
        return parse_xlsform(data, os.path.basename(form_path)).definition
    except XLSFormError as err:
        with translation.override("en" if language == "en" else "zh-hans"):
            problems = [translated(error, gettext) for error in err.errors]
        raise CommandError("Invalid questionnaire:\n" + "\n".join(problems)) from err


def notes(
    frame: InterviewsFrame, definition: dict, config: RuleConfig, ignored: list[str], language: str
) -> list[str]:
    """What the run could not use, once each: the ignored columns, the batteries found, and
    every rule the file or the form cannot feed with what it lacks."""
    english = language == "en"
    lines = []
    if ignored:
        shown = ", ".join(ignored[:20]) + (" …" if len(ignored) > 20 else "")
        lines.append(
            f"Ignored {len(ignored)} column(s), neither ours nor a question of the form: {shown}"
            if english
            else f"已忽略 {len(ignored)} 列（既非本工具的列也非问卷题目）：{shown}"
        )
    n_batteries = len(frame.batteries)
    lines.append(
        f"Scale items: {len(frame.items)} in {n_batteries} battery(ies)."
        if english
        else f"量表题：{len(frame.items)} 题，{n_batteries} 个题组。"
    )
    has_checks = any(q.get("qc_check") for q in _questions(definition).values())
    for rule, zh, en in not_run(
        frame.df,
        config=config,
        items=frame.items,
        scores=frame.scores,
        open_items=frame.open_items,
        has_checks=has_checks,
        overall_item=item_column(frame.df, config.overall_item),
    ):
        with translation.override(language):
            name = f"{RULE_LABELS.get(rule, rule)} ({rule})"
        lines.append(f"Not run: {name}: {en}." if english else f"未运行：{name}：{zh}。")
    return lines


__all__ = [
    "Command",
    "flags_table",
    "interviewers_table",
    "load_config",
    "notes",
    "read_interviews",
]
