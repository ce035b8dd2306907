"""The API's request and response shapes (pydantic, through django-ninja): what the OpenAPI
schema documents and what requests are validated against."""

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, field_validator

from common.ids import MAX_ID

Id = Annotated[int, Field(ge=0, le=MAX_ID)]  # a database id in a path


class ErrorItem(Schema):
    field: str
    row: int | None = None
    location: list[str | int]
    message: str


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    errors: list[ErrorItem]


class ErrorOut(Schema):
    error: ErrorBody


class WaveOut(Schema):
    id: int
    name: str
    client: str
    status: str
    mode: str
    questionnaire: str
    questionnaire_version: int
    created_at: datetime


class ProgressRow(Schema):
    label: str
    total: int
    completed: int
    closed: int
    in_progress: int
    share_completed: float


class ProgressOut(Schema):
    wave: int
    total: int
    assigned: int
    pending: int
    in_progress: int
    completed: int
    closed: int
    by_street: list[ProgressRow]


class DispositionRow(Schema):
    code: str
    label: str
    final: bool
    cases: int


class DispositionsOut(Schema):
    wave: int
    cases: int
    dispositions: list[DispositionRow]
    rates: dict[str, float | None]


class ResultsStatus(Schema):
    source: Literal["current", "stale", "edition"]
    edition: int | None
    interim: bool
    interim_note: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


class TablesOut(Schema):
    wave: int
    status: ResultsStatus
    tables: list[TableOut]


class RankingsOut(Schema):
    wave: int
    level: Literal["district", "street"]
    status: ResultsStatus
    rows: list[dict[str, Any]]


class EditionOut(Schema):
    number: int
    state: str
    language: str
    input_hash: str
    frozen_at: datetime
    signed_at: datetime | None
    districts: list[str]


class EditionDetailOut(EditionOut):
    report: dict[str, Any]


class MicrodataPage(Schema):
    wave: int
    count: int
    next_cursor: str | None
    columns: list[str]
    results: list[dict[str, Any]]


# -- writes --------------------------------------------------------------------------------


class RuleIn(Schema):
    direction: Literal["higher", "lower"] = "higher"
    target: float | None = None
    bands: list[tuple[float, float]] = Field(default_factory=list, max_length=50)
    deduction: float | None = None
    floor: float = 0.0
    cap: float = 100.0


class IndicatorIn(Schema):
    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field("", max_length=30)
    weight: float = Field(1.0, gt=0, allow_inf_nan=False)
    rule: RuleIn


class ValueIn(Schema):
    locality_code: str = Field(min_length=1, max_length=32)
    indicator: str = Field(min_length=1, max_length=60)
    value: float = Field(allow_inf_nan=False)


class ObjectiveIn(Schema):
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=500)
    values: list[ValueIn] = Field(min_length=1, max_length=100_000)


class StoredOut(Schema):
    stored: int


class LocalityIn(Schema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    parent_code: str = Field("", max_length=32)
    level: Literal["city", "district", "street", "community"]
    area_type: Literal["", "central", "peri_urban", "rural"] | None = None
    population: dict[str, int] | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)

    @field_validator("population")
    @classmethod
    def _counts(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is not None and any(count < 0 for count in value.values()):
            raise ValueError("negative")
        return value

    @field_validator("latitude", "longitude")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("not finite")
        return value


class LocalitiesIn(Schema):
    rows: list[LocalityIn] = Field(min_length=1, max_length=100_000)


class JobOut(Schema):
    id: int
    kind: str
    status: str
    subject: str
    progress_done: int
    progress_total: int | None
    progress_message: str
    result: dict[str, Any] | None
    error: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None
