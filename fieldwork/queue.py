"""The call queue in the database: the best few cases for "Next case", and the claim.

The scheduler's rules (fieldwork.scheduling) decide; this module makes the database hand over
only the few cases that can win, so a press costs the same in a wave of 500 cases or 500,000:

- Cases never tried (the bulk of a wave) come from the partial index `case_fresh_queue`
  already in calling order (their order is the case id), `batch` at a time.
- Cases tried before (callbacks, busy retries) come from the partial index `case_tried_queue`
  (wave, attempts, last attempt, id) in parts whose order is the scheduler's (busy or not or
  in a full stratum × this day part tried or not, see TRIED), so no part is sorted; only those
  whose gap has passed are read, `batch` at a time. The few tried cases outside that index
  (never counted as an attempt) are sorted in full.
- The interviewer's own open cases and unassigned cases with an open appointment are few and
  read whole.
A batch that came back full may hide better cases behind it only if a case ranks after the
batch's last one; `safe_ids` therefore keeps only the candidates that rank no later than
every full batch's last case, and the caller asks for bigger batches when none is left.

Who calls narrows every part alike (scheduling.Caller): under cross-region calling the streets
of the interviewer's home county are left out, and a case needing a language (2.33) is read
only for a speaker.

Quota fullness is read from the achieved counts kept per cell (fieldwork.services.quota_counts):
the statement that reads the wave for the press counts its full cells, and only when one is
full is one small query made for them: full strata by street id (or every street but some,
when all wave-wide cells are full: no list of the wave's streets is needed), full cells for
the few candidates whose known answers or frame attributes may put them in one.

On PostgreSQL the candidate statement is prepared once per connection and runs a generic
plan (`_planned_once`): planning its parts cost ten times running them.

The claim is one statement: on PostgreSQL `UPDATE … WHERE id = (SELECT … ORDER BY rank LIMIT 1
FOR UPDATE SKIP LOCKED) RETURNING id`, so 50 interviewers pressing at once each take a
different case without waiting; SQLite runs the same statement without row locks under its
IMMEDIATE transaction's write lock.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.utils.dateparse import parse_datetime

from fieldwork import loaders, quotas, scheduling
from fieldwork.models import Appointment, Case, Interview, Wave
from sampling.models import Locality

PENDING = Case.Status.PENDING.value
BUSY = tuple(sorted(scheduling.BUSY_CODES))

# The index predicates (fieldwork.models.cases): the queries repeat them so the planner uses them.
FRESH_PREDICATE = (
    "c.attempts = 0 AND c.day_parts_tried = 0 AND c.last_attempt_at IS NULL AND c.last_outcome = ''"
)
TRIED_PREDICATE = "c.attempts > 0 AND c.last_attempt_at IS NOT NULL"
OPEN_APPOINTMENT = (
    f"SELECT 1 FROM {Appointment._meta.db_table} a WHERE a.case_id = c.id AND a.closed_at IS NULL"
)
# Makes the statement it is in a serial plan on PostgreSQL: set_config is PARALLEL UNSAFE, so
# the planner plans no part of the statement in parallel. The cases "tried:rest" reads
# (reopened, or tried without a time) are a handful, but their conditions are correlated
# (a case never tried has no time either) and the planner, taking them as independent,
# expects half a large wave there: it sorted them in a parallel plan whose workers took 12-20
# ms to start, for no row, on a 120,000-case wave with 60% tried. Its InitPlan runs once and
# only sets a setting of this statement's own transaction.
SERIAL = " AND (SELECT set_config('fieldwork.next_case', 'serial', true)) = 'serial'"
COLUMNS = (
    "c.id, c.attempts, c.last_attempt_at, c.last_outcome, c.day_parts_tried, c.interviewer_id, "
    "c.street_id, c.language"
)


@dataclass(frozen=True)
class FullStreets:
    """The streets of the wave's full strata: `ids`, or with `all_but` every street of the
    wave except `ids` (every wave-wide cell is full: quotas.full_strata_from_cells), which
    needs no list of the wave's streets."""

    ids: tuple[int, ...] = ()
    all_but: bool = False

    def __bool__(self) -> bool:
        return self.all_but or bool(self.ids)

    def __contains__(self, street_id: object) -> bool:
        return (street_id in self.ids) != self.all_but

    def sql(self, q: "Sql") -> str:
        """True for a case (c) in a full stratum."""
        if not self.ids:
            return "1 = 1" if self.all_but else "1 = 0"
        among = q.among("c.street_id", self.ids)  # the street is never null
        return f"NOT {among}" if self.all_but else among


@dataclass(frozen=True)
class QuotaState:
    full_streets: FullStreets
    cells: tuple[quotas.FullCell, ...]


_NO_QUOTAS = QuotaState(FullStreets(), ())


def quota_state(wave: Wave) -> QuotaState:
    """The wave's full strata and cells, from the achieved counts kept per cell
    (fieldwork.services.quota_counts). Nothing is asked of a wave read by
    loaders.wave_for_press that has no target or no full cell; else one small query."""
    if not getattr(wave, "has_quota_targets", True) or getattr(wave, "full_quota_cells", 1) == 0:
        return _NO_QUOTAS
    rows = loaders.quota_cells(wave)
    cells = tuple((stratum, variable, value) for stratum, variable, value, full, _ in rows if full)
    if not cells:
        return _NO_QUOTAS
    codes, all_but = quotas.full_strata_from_cells([(row[0], row[3]) for row in rows])
    streets = {street for stratum, *_, street in rows if stratum in codes and street is not None}
    return QuotaState(FullStreets(tuple(sorted(streets)), all_but), cells)


@dataclass(frozen=True)
class Batch:
    """Candidates read for one press: each with its branch; `bounds` are the keys of the last
    case of every branch that came back full."""

    ranked: list[tuple[scheduling.SortKey, scheduling.Candidate]]
    bounds: list[scheduling.SortKey]


class Sql:
    """A statement's text and parameters, built in the order the placeholders appear."""

    def __init__(self) -> None:
        self.params: list = []

    def value(self, value) -> str:
        if isinstance(value, datetime):
            value = connection.ops.adapt_datetimefield_value(value)
        self.params.append(value)
        return "%s"

    def among(self, column: str, values) -> str:
        return f"{column} IN ({', '.join(self.value(v) for v in values)})"


@dataclass(frozen=True)
class Reach:
    """What the caller may be given: not these streets (their home county under cross-region
    calling), and of the cases needing a language only those in `languages`."""

    barred_street_ids: tuple[int, ...]
    languages: tuple[str, ...]

    def sql(self, q: "Sql") -> str:
        spoken = f" OR {q.among('c.language', self.languages)}" if self.languages else ""
        where = f" AND (c.language = ''{spoken})"
        if self.barred_street_ids:
            where += f" AND NOT {q.among('c.street_id', self.barred_street_ids)}"
        return where


def reach(wave: Wave, caller: scheduling.Caller) -> Reach:
    barred: tuple[int, ...] = ()
    if wave.cross_region and caller.home_county is not None:
        barred = tuple(
            Locality.objects.filter(parent_id=caller.home_county).values_list("pk", flat=True)
        )
    return Reach(barred, tuple(sorted(caller.languages)))


def _branch_sql(
    name: str,
    *,
    wave: Wave,
    interviewer_id: int,
    now: datetime,
    full: FullStreets,
    batch: int,
    reach: Reach,
) -> tuple[str, list]:
    """One part of the queue, as (SQL, parameters)."""
    q = Sql()
    base = f"c.wave_id = {q.value(wave.pk)} AND c.status = '{PENDING}' "
    base += f"AND c.attempts < {q.value(wave.max_attempts)}"
    base += reach.sql(q)
    if name == "mine":
        return f"{base} AND c.interviewer_id = {q.value(interviewer_id)}", q.params
    if name == "appointments":
        return f"{base} AND c.interviewer_id IS NULL AND EXISTS ({OPEN_APPOINTMENT})", q.params
    free = f"{base} AND c.interviewer_id IS NULL AND NOT EXISTS ({OPEN_APPOINTMENT})"
    if name in ("fresh", "fresh_full"):
        streets = ""
        if full:
            among = full.sql(q)
            streets = f" AND {among}" if name == "fresh_full" else f" AND NOT ({among})"
        return f"{free} AND {FRESH_PREDICATE}{streets} ORDER BY c.id LIMIT {batch}", q.params
    return _tried_sql(name, q, free, wave=wave, now=now, full_streets=full, batch=batch)


# Cases tried before, split so that each part's order is the scheduler's and an index scan of
# `case_tried_queue` (wave, attempts, last attempt, id) returns it without sorting: the
# scheduler ranks by (busy or not or in a full stratum, this day part tried or not, ..., attempts,
# last attempt, id), so each combination of the first two is a part read in index order.
TRIED = [
    f"tried:{kind}:{part}" for kind in ("busy", "other", "full") for part in ("new", "tried")
] + ["tried:rest"]


def _tried_sql(
    name: str,
    q: Sql,
    free: str,
    *,
    wave: Wave,
    now: datetime,
    full_streets: FullStreets,
    batch: int,
) -> tuple[str, list]:
    busy_cut = now - timedelta(minutes=wave.busy_gap_minutes)
    min_cut = now - timedelta(minutes=wave.min_gap_minutes)

    def waited(kind: str = "") -> str:
        """The gap since the last attempt has passed (busy retries wait the shorter gap); in
        a part of busy or of other outcomes only that part's condition (fewer for the
        planner to prove against the partial indexes: it plans every part of every press)."""

        def busy() -> str:  # each adds its parameters when written (Sql)
            return f"{q.among('c.last_outcome', BUSY)} AND c.last_attempt_at <= {q.value(busy_cut)}"

        def other() -> str:
            outcome = q.among("c.last_outcome", BUSY)
            return f"NOT {outcome} AND c.last_attempt_at <= {q.value(min_cut)}"

        if kind:
            return busy() if kind == "busy" else other()
        return f"(c.last_attempt_at IS NULL OR ({busy()}) OR ({other()}))"

    def full() -> str:
        return f"({full_streets.sql(q)})"

    if name == "tried:rest":
        where = f"{free} AND NOT ({FRESH_PREDICATE}) AND {waited()}"
        # Never counted as an attempt yet not fresh (a reopened case), or an attempt without a
        # time: a handful, sorted in full by the scheduler's order without quota cells.
        order = (
            f"CASE WHEN {full()} THEN 6 WHEN {q.among('c.last_outcome', BUSY)} THEN 3 ELSE 4 END, "
            f"CASE WHEN (c.day_parts_tried & {q.value(scheduling.day_part_bit(now))}) <> 0 "
            "THEN 1 ELSE 0 END, "
            f"CASE WHEN {full()} THEN 6 WHEN {q.among('c.last_outcome', BUSY)} THEN 3 "
            "WHEN c.attempts > 0 THEN 4 ELSE 5 END, "
            "c.attempts, c.last_attempt_at ASC NULLS FIRST, c.id"
        )
        rest = "(c.attempts = 0 OR c.last_attempt_at IS NULL)"
        if connection.vendor == "postgresql":
            rest += SERIAL
        return f"{where} AND {rest} ORDER BY {order} LIMIT {batch}", q.params
    _tried, kind, part = name.split(":")
    # Parameters are added in the order their placeholders appear (Sql). A tried case is
    # never fresh (attempts > 0), and has a last attempt: neither is said again.
    if kind == "full":
        which = f"{waited()} AND {full()}"
    else:
        which = waited(kind) + (f" AND NOT {full()}" if full_streets else "")
    # The masks with or without this day part's bit, as a list the planner can estimate from
    # the column's statistics (it guesses "(mask & bit) = 0" matches almost nothing).
    bit = scheduling.day_part_bit(now)
    masks = [m for m in range(sum(scheduling.DAY_PART_BITS.values()) + 1)
             if bool(m & bit) == (part == "tried")]  # fmt: skip
    tried_part = q.among("c.day_parts_tried", masks)
    return (
        f"{free} AND {TRIED_PREDICATE} AND {which} AND {tried_part} "
        f"ORDER BY c.attempts, c.last_attempt_at, c.id LIMIT {batch}",
        q.params,
    )


LIMITED = ("fresh", "fresh_full", *TRIED)


def read_batch(
    *,
    wave: Wave,
    interviewer_id: int,
    now: datetime,
    rules: scheduling.CallingRules,
    batch: int,
    caller: scheduling.Caller,
    reach: Reach,
) -> Batch:
    """The candidates that can win now, ranked by the scheduler, and the bounds of safety.

    `reach` is queue.reach(wave, caller): the same rules in SQL, read once per press."""
    quota = quota_state(wave)
    names = ["mine", "appointments"]
    if scheduling.in_calling_window(now, rules):  # outside them only appointments are called
        fresh = ["fresh", "fresh_full"] if quota.full_streets else ["fresh"]
        full = (lambda name: True) if quota.full_streets else (lambda name: ":full:" not in name)
        names += fresh + [name for name in TRIED if full(name)]
    parts, params = [], []
    for index, name in enumerate(names):
        where, branch_params = _branch_sql(
            name,
            wave=wave,
            interviewer_id=interviewer_id,
            now=now,
            full=quota.full_streets,
            batch=batch,
            reach=reach,
        )
        # Only the interviewer's own cases are read whether or not they have an open
        # appointment; every other part is read with (1) or without (0) one.
        appointment = {"appointments": "1", "mine": f"CASE WHEN EXISTS ({OPEN_APPOINTMENT}) "
                       "THEN 1 ELSE 0 END"}.get(name, "0")  # fmt: skip
        parts.append(
            f"SELECT * FROM (SELECT {COLUMNS}, {appointment} AS has_appointment, {index} AS part "
            f"FROM {Case._meta.db_table} c WHERE {where}) AS part{index}"
        )
        params += branch_params
    with _planned_once() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return _rank(
        rows,
        names,
        interviewer_id=interviewer_id,
        now=now,
        rules=rules,
        quota=quota,
        batch=batch,
        caller=caller,
        barred=frozenset(reach.barred_street_ids),
    )


def _planned_once():
    """A cursor for the candidate statement. On PostgreSQL it binds on the server, so the
    statement is prepared and planned once per connection and text (a generic plan, config.
    settings): planning its parts took 2 ms of every press, running them 0.2 ms. The plan
    does not depend on the values: every part is a LIMITed scan of a partial index whose
    predicate is in the text. Django's own cursors bind on the client and prepare nothing."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()  # as Django's own cursor() does
    cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedWithValues(cursor, connection)
    return connection.make_cursor(cursor)


class _LoggedWithValues(CursorDebugWrapper):
    """Django's query log reads a statement's text from the cursor, which a prepared
    statement's execution does not keep: the statement is logged with its values written in,
    as Django logs every statement when all cursors bind on the server."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _rank(rows, names, *, interviewer_id, now, rules, quota, batch, caller, barred) -> Batch:
    appointments = _open_appointments([row[0] for row in rows if row[8]])
    demoted = _in_full_cells(rows, quota)
    in_window = scheduling.in_calling_window(now, rules)
    part_bit = scheduling.day_part_bit(now, rules.timezone)
    ranked, last_of = [], {}
    for row in rows:
        case_id, tried, last_at, outcome, parts, holder, street_id, language, _appt, part = row
        stratum_full = street_id in quota.full_streets
        fields = dict(
            case_id=case_id,
            attempts=tried,
            last_attempt_at=_aware(last_at),
            last_outcome=outcome or "",
            day_parts_tried=parts or 0,
            mine=holder == interviewer_id,
            # Only whether the street is in the caller's home county matters to the rule.
            county=caller.home_county if street_id in barred else None,
            language=language or "",
            **appointments.get(case_id, {}),
        )
        candidate = scheduling.Candidate(quota_full=stratum_full or case_id in demoted, **fields)
        key = scheduling.rank_candidate(
            candidate, rules, now, in_window=in_window, part_bit=part_bit, caller=caller
        )
        if key is not None:
            ranked.append((key, candidate))
        last_of.setdefault(part, []).append(scheduling.Candidate(quota_full=stratum_full, **fields))
    bounds = []
    for part, members in last_of.items():
        if names[part] in LIMITED and len(members) >= batch:
            key = scheduling.rank_candidate(
                members[-1], rules, now, in_window=in_window, part_bit=part_bit, caller=caller
            )
            if key is not None:
                bounds.append(key)
    ranked.sort(key=lambda pair: pair[0])
    return Batch(ranked, bounds)


def _aware(value: datetime | str | None) -> datetime | None:
    """SQLite returns text (UTC) for a datetime read through a union; PostgreSQL aware ones."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _open_appointments(case_ids: list[int]) -> dict[int, dict]:
    """The latest open appointment of each case, as scheduling.Candidate fields."""
    if not case_ids:
        return {}
    found: dict[int, dict] = {}
    rows = (
        Appointment.objects.filter(case__in=case_ids, closed_at=None)
        .order_by("case_id", "-created_at")
        .values_list("case_id", "at", "kind", "window_end")
    )
    for case_id, at, kind, end in rows:
        found.setdefault(
            case_id, {"appointment_at": at, "appointment_kind": kind, "appointment_end": end}
        )
    return found


def _in_full_cells(rows, quota: QuotaState) -> set[int]:
    """Cases whose stopped interview's answers or frame attributes put them in a full cell."""
    if not quota.cells or not rows:
        return set()
    case_ids = [row[0] for row in rows]
    answers = dict(Interview.objects.filter(case__in=case_ids).values_list("case_id", "answers"))
    read = list(
        Case.objects.filter(pk__in=case_ids).values_list("pk", "street__code", "unit__attributes")
    )
    streets = {pk: code or "" for pk, code, _attributes in read}
    units = {pk: attributes for pk, _code, attributes in read}
    return {
        pk
        for pk in case_ids
        if (answers.get(pk) or units.get(pk))
        and quotas.in_full_cell(quota.cells, streets[pk], answers.get(pk) or {}, units.get(pk))
    }


def safe_ids(batch: Batch) -> list[tuple[int, int]]:
    """(case id, tier) of the candidates no unread case can outrank, best first."""
    limit = min(batch.bounds) if batch.bounds else None
    return [(c.case_id, key[2]) for key, c in batch.ranked if limit is None or key <= limit]


def claim(*, wave: Wave, interviewer_id: int, case_ids: list[int], now: datetime) -> int | None:
    """Give the interviewer the first of `case_ids` still open and free, in one statement;
    its id, or None when all were taken meanwhile."""
    if not case_ids:
        return None
    q = Sql()
    table = Case._meta.db_table
    setting = f"interviewer_id = {q.value(interviewer_id)}, updated_at = {q.value(now)}"
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    chosen = (
        f"SELECT c.id FROM {table} c WHERE {q.among('c.id', case_ids)} "
        f"AND c.wave_id = {q.value(wave.pk)} AND c.status = '{PENDING}' "
        f"AND (c.interviewer_id IS NULL OR c.interviewer_id = {q.value(interviewer_id)}) "
        "ORDER BY CASE c.id "
        + " ".join(f"WHEN {q.value(pk)} THEN {i}" for i, pk in enumerate(case_ids))
        + f" END LIMIT 1{lock}"
    )
    sql = f"UPDATE {table} SET {setting} WHERE id = ({chosen}) RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(sql, q.params)
        row = cursor.fetchone()
    return row[0] if row else None
