"""Respondent-level export: 100,000 interviews × 60 questions written as CSV, SPSS .sav,
Stata .dta and XLSX (with its codebook sheets), as the data package writes them.

A synthetic questionnaire of 60 questions (40 satisfaction items, 5 select_multiple of 4
choices, 5 integers, 5 dates, 5 open answers: 80 answer columns with the 0/1 choice columns)
and the interview file's own columns (ids, localities, dates, weights, QC flags: 55), random
answers. Each format runs `--runs` times in a child process of its own after the frames are
built; prints the median and p95 wall time, the median CPU time (on a busy machine the wall
time is the CPU time stretched), the child's peak resident memory (frames included) and the
time the answers took to shape. Budgets: CSV
10 s, .sav and .dta 20 s each, XLSX 90 s. Exits non-zero over budget. No database.

    python bench/bench_export.py [--interviews 100000] [--runs 3] [--only csv,sav,dta,xlsx]
"""

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from exports.codebook import NUMERIC, STRING, Variable, build_levels, choice_codes  # noqa: E402
from exports.columns import OWN  # noqa: E402
from exports.formats.labelled import write_dta, write_sav  # noqa: E402
from exports.formats.text import frame_csv  # noqa: E402
from exports.formats.workbook import write_workbook  # noqa: E402
from exports.shaping import level_frames  # noqa: E402
from qc.rules import RULES  # noqa: E402

BUDGETS = {"csv": 10.0, "sav": 20.0, "dta": 20.0, "xlsx": 90.0}
SAT = [(str(v), {"zh": f"满意{v}", "en": f"level {v}"}) for v in (5, 4, 3, 2, 1, 9)]
WORDS = {"not_selected": "not selected", "selected": "selected"}
TITLES = ("codebook", "values", "file", "name", "kind", "path", "code", "value", "label")


def _definition() -> dict:
    lists = {
        "sat": [{"value": v, "label": label} for v, label in SAT],
        "kinds": [
            {"value": f"k{i}", "label": {"zh": f"类{i}", "en": f"kind {i}"}} for i in range(4)
        ],
    }
    questions = [(f"sat_{i:02d}", "select_one", "sat") for i in range(40)]
    questions += [(f"multi_{i}", "select_multiple", "kinds") for i in range(5)]
    questions += [(f"count_{i}", "integer", None) for i in range(5)]
    questions += [(f"day_{i}", "date", None) for i in range(5)]
    questions += [(f"say_{i}", "text", None) for i in range(5)]
    page = [
        {"name": n, "path": f"/main/{n}", "type": t, "list": lst, "label": {"zh": n, "en": n}}
        for n, t, lst in questions
    ]
    groups = [{"name": "main", "path": "/main", "questions": page}]
    return {"languages": ["zh"], "choice_lists": lists, "groups": groups}


def _answers(n: int, rng: np.random.Generator) -> list[dict]:
    sat = rng.choice([v for v, _ in SAT], size=(n, 40))
    counts = rng.integers(0, 10, size=(n, 5))
    days = rng.integers(1, 28, size=(n, 5))
    kinds = rng.random((n, 5, 4)) < 0.4
    words = np.array(["很好", "路灯不亮", "希望多巡逻", "", "反诈宣传到位"])
    said = rng.choice(words, size=(n, 5))
    out = []
    for i in range(n):
        answers = {f"/main/sat_{j:02d}": sat[i, j] for j in range(40)}
        for j in range(5):
            answers[f"/main/multi_{j}"] = [f"k{k}" for k in range(4) if kinds[i, j, k]]
            answers[f"/main/count_{j}"] = int(counts[i, j])
            answers[f"/main/day_{j}"] = f"2026-03-{days[i, j]:02d}"
            if said[i, j]:
                answers[f"/main/say_{j}"] = str(said[i, j])
        out.append(answers)
    return out


def _own(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, list[Variable]]:
    columns, variables = {}, []
    for name, (kind, source, _label) in OWN.items():
        if kind == NUMERIC:
            columns[name] = rng.random(n) * 100
        elif kind in ("date", "datetime"):
            columns[name] = pd.Timestamp("2026-03-01") + pd.to_timedelta(
                rng.integers(0, 10**6, n), unit="s"
            )
        elif kind == "categorical":
            columns[name] = rng.choice(["a", "b"], size=n).astype(object)
        else:
            columns[name] = rng.choice(["990101", "990102", "城东区"], size=n).astype(object)
        values = choice_codes([{"value": "a", "label": {}}, {"value": "b", "label": {}}])
        variables.append(
            Variable(
                name=name,
                label={"zh": name},
                kind=kind or STRING,
                source=source,
                values=values if kind == "categorical" else [],
            )
        )
    columns["interview_id"] = np.arange(1, n + 1)
    for rule in RULES:
        columns[f"qc_{rule}"] = (rng.random(n) < 0.05).astype(float)
        variables.append(
            Variable(name=f"qc_{rule}", label={"zh": rule}, kind="indicator", source="qc")
        )
    return pd.DataFrame(columns), variables


def _child(fmt: str, n: int, runs: int, queue) -> None:
    rng = np.random.default_rng(2026)
    definition = _definition()
    own, own_variables = _own(n, rng)
    levels = build_levels(definition, list(own.columns))
    answers = _answers(n, rng)
    started, cpu_started = time.perf_counter(), time.process_time()
    frames = level_frames(levels, own, answers, tz="Asia/Shanghai")
    shaping = (time.perf_counter() - started, time.process_time() - cpu_started)
    frame = frames["interviews"]
    variables = own_variables + levels[0].variables
    times, cpus = [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            path = Path(folder) / f"interviews.{fmt}"
            wall, cpu = time.perf_counter(), time.process_time()
            if fmt == "csv":
                path.write_bytes(frame_csv(frame))
            elif fmt == "sav":
                write_sav(frame, variables, path, language="zh", words=WORDS)
            elif fmt == "dta":
                write_dta(frame, variables, path, language="zh", words=WORDS)
            else:
                titles = {k: k for k in TITLES}
                write_workbook(path, frames, levels, own_variables, languages=["zh"], titles=titles)
            times.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB → MB on Linux
    queue.put((times, cpus, peak, shaping, frame.shape, size))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="csv,sav,dta,xlsx")
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    failed = []
    for fmt in args.only.split(","):
        queue = context.Queue()
        child = context.Process(target=_child, args=(fmt, args.interviews, args.runs, queue))
        child.start()
        times, cpus, peak, shaping, shape, size = queue.get()
        child.join()
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        median = statistics.median(times)
        print(
            f"{fmt:>4}: {shape[0]:,} rows × {shape[1]} columns, median {median:.2f} s, "
            f"p95 {p95:.2f} s over {len(times)} runs (budget {BUDGETS[fmt]:.0f} s), "
            f"CPU {statistics.median(cpus):.2f} s; "
            f"{size / 1e6:.0f} MB; peak memory {peak:.0f} MB; answers shaped into frames in "
            f"{shaping[0]:.2f} s (CPU {shaping[1]:.2f} s)"
        )
        if args.interviews >= 100_000 and p95 > BUDGETS[fmt]:
            failed.append(fmt)
    if failed:
        raise SystemExit(f"over budget: {', '.join(failed)}")


if __name__ == "__main__":
    main()
