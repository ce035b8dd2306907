"""Benchmark the draw and the frame import on a city-sized frame.

Drawing 20,000 units from 1,000,000 households in 400 streets (proportional allocation),
three ways, each in its own subprocess so that peak memory is its own:

- ours: sampling.allocation.proportional + sampling.draw.stratified_srswor (exact totals,
  seeded, inclusion probabilities and weights);
- pandas: ``frame.groupby(stratum).sample(frac=n/N)`` (one fraction for every stratum, so
  n_h is rounded per stratum and the total is not exact; no weights);
- samplics: ``SampleSelection(srs_wor, strat=True).select(...)`` with the same n_h (needs the
  ``bench`` extra: ``pip install '.[bench]'``; skipped if it is not installed).

Every contender starts from the same Parquet file (the stored, validated frame) and is timed
from "frame in memory" to "sample in memory". Peak memory is reported two ways: the rise of the
process's peak resident set size during the draw (resource.getrusage; covers Arrow and numpy
buffers) and tracemalloc's peak (Python and numpy allocations only).

Also times the import of the same frame as a 1M-row CSV through
sampling.services.frames.import_frame (read, validate, sort, Parquet, counts) against a
throwaway SQLite database, side by side with pandas.read_csv and pyarrow.csv reading the
same file alone (each in its own process, `--repeat` times). Every figure is the median and
p95 of wall and CPU seconds (process time: every thread's, pyarrow reads on several), with
the machine's load average, since wall times on a shared machine are noisy.

Run: .venv/bin/python bench/bench_sampling.py [--rows N] [--streets H] [--n n] [--skip-import]
Prints the figures; asserts only that each contender drew something.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sampling.allocation import proportional  # noqa: E402
from sampling.draw import sort_for_draw, stratified_srswor  # noqa: E402
from sampling.frame_validation import validate_frame  # noqa: E402

COMMUNITIES_PER_STREET = 5
STRATUM = "street_code"
SEED = 7
MAPPING = {
    "unit_id": "household_id",
    "phone": "phone",
    "locality_code": "community_code",
    "address": "address",
}


def synthetic_frame(rows: int, streets: int, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """A frame file as read (all text, shuffled rows) and the known localities for it."""
    rng = np.random.default_rng(seed)
    per_district = max(streets // 10, 1)
    street_codes = [f"3201{d:02d}{s:03d}" for d in range(1, 11) for s in range(per_district)]
    known = {}
    for street in street_codes:
        known[street] = {"level": "street", "street_code": street, "district_code": street[:6]}
        for c in range(1, COMMUNITIES_PER_STREET + 1):
            known[f"{street}{c:03d}"] = {
                "level": "community",
                "street_code": street,
                "district_code": street[:6],
            }
    communities = np.array([code for code in known if len(code) == 12])
    # Uneven street sizes, as in a real city: lognormal community weights.
    weights = rng.lognormal(0, 0.6, size=len(communities))
    locality = communities[rng.choice(len(communities), size=rows, p=weights / weights.sum())]
    ids = pd.Series(rng.permutation(rows)).map("{:08d}".format)
    phones = pd.Series(rng.integers(3_000_000_000, 9_999_999_999, size=rows)).map("1{:010d}".format)
    frame = pd.DataFrame(
        {
            "household_id": "H" + ids,
            "phone": phones,
            "community_code": locality,
            "address": "某路" + ids.str.slice(0, 4) + "号",
        },
        dtype=str,
    )
    return frame, known


# --- contenders (run inside a worker process) ---------------------------------------------------


def draw_ours(frame: pd.DataFrame, n: int) -> int:
    sizes = frame[STRATUM].value_counts().sort_index()
    allocation = proportional(sizes, n)
    sample = stratified_srswor(frame, stratum_column=STRATUM, allocation=allocation, seed=SEED)
    return len(sample)


def draw_pandas(frame: pd.DataFrame, n: int) -> int:
    sample = frame.groupby(STRATUM).sample(frac=n / len(frame), random_state=SEED)
    return len(sample)


def draw_samplics(frame: pd.DataFrame, n: int, *, integer_strata: bool = False) -> int:
    import warnings

    warnings.simplefilter("ignore")  # samplics announces on import that it is archived
    from samplics.sampling import SampleSelection
    from samplics.utils.types import SelectMethod

    sizes = frame[STRATUM].value_counts().sort_index()
    allocation = {k: int(v) for k, v in proportional(sizes, n).items()}
    np.random.seed(SEED)  # select() takes no seed: it uses numpy's global generator
    stratum = frame[STRATUM].to_numpy()
    if integer_strata:  # samplics is far faster on integer strata: give it its best case
        codes, labels = pd.factorize(frame[STRATUM], sort=True)
        stratum, allocation = codes, {i: allocation[label] for i, label in enumerate(labels)}
    selection = SampleSelection(method=SelectMethod.srs_wor, strat=True, wr=False)
    sample, _hits, _probs = selection.select(
        samp_unit=frame["unit_id"].to_numpy(), samp_size=allocation, stratum=stratum
    )
    return int(np.asarray(sample).sum())


def draw_samplics_integer(frame: pd.DataFrame, n: int) -> int:
    return draw_samplics(frame, n, integer_strata=True)


CONTENDERS = {
    "ours": draw_ours,
    "pandas": draw_pandas,
    "samplics": draw_samplics,
    "samplics-int": draw_samplics_integer,
}


def reset_peak_rss() -> float:
    """Reset the kernel's high-water mark of this process's RSS (Linux ≥ 4.0: writing 5 to
    clear_refs) and return the current RSS in MB, so that the next peak is the draw's own."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def worker_draw(name: str, parquet: Path, n: int) -> dict:
    frame = pd.read_parquet(parquet)
    draw = CONTENDERS[name]
    if name.startswith("samplics"):
        draw(frame.head(1000), 10)  # import samplics (and its polars) outside the measurement
    before = reset_peak_rss()
    tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    drawn = draw(frame, n)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rss_rise_mb": _status_mb("VmHWM") - before,
        "traced_peak_mb": traced_peak / 2**20,
        "drawn": drawn,
    }


def worker_import(csv_path: Path, known_path: Path) -> dict:
    """Import the CSV through the real service into a throwaway SQLite database."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from sampling.services.frames import import_frame
    from sampling.services.localities import import_localities

    call_command("migrate", verbosity=0)
    known = json.loads(known_path.read_text())
    rows = [{"code": "3201", "name": "市", "parent_code": "", "level": "city"}]
    rows += [
        {"code": code, "name": code, "parent_code": "3201", "level": "district"}
        for code in sorted({v["district_code"] for v in known.values()})
    ]
    rows += [
        {
            "code": code,
            "name": code,
            "parent_code": info["district_code"] if info["level"] == "street" else code[:9],
            "level": info["level"],
        }
        for code, info in known.items()
    ]
    import_localities(rows=rows)
    before = reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    with csv_path.open("rb") as file:
        frame = import_frame(file=file, source_name=csv_path.name, name="bench", mapping=MAPPING)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _status_mb("VmHWM") - before
    shutil.rmtree(workdir, ignore_errors=True)
    return {"seconds": seconds, "cpu": cpu, "rss_rise_mb": peak, "rows": frame.n_rows}


def worker_read(kind: str, csv_path: Path) -> dict:
    """Reading the CSV alone, for scale: pandas.read_csv and pyarrow.csv (all text)."""
    import pyarrow.csv as pa_csv

    before = reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    if kind == "read-pandas":
        rows = len(pd.read_csv(csv_path, dtype=str, keep_default_na=False))
    else:
        rows = pa_csv.read_csv(csv_path).num_rows
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _status_mb("VmHWM") - before
    return {"seconds": seconds, "cpu": cpu, "rss_rise_mb": peak, "rows": rows}


# --- the driver ---------------------------------------------------------------------------------


def run_worker(*args: str) -> dict | None:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(result.stderr.strip().splitlines()[-1] if result.stderr else "failed")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--streets", type=int, default=400)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each contender")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, *rest = args.worker
        if kind == "import":
            result = worker_import(Path(rest[0]), Path(rest[1]))
        elif kind.startswith("read-"):
            result = worker_read(kind, Path(rest[0]))
        else:
            result = worker_draw(kind, Path(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-sampling-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    start = time.perf_counter()
    file, known = synthetic_frame(args.rows, args.streets)
    validation = validate_frame(file, known_localities=known, mapping=MAPPING)
    assert validation.ok, validation.errors[:5]
    stored = sort_for_draw(validation.frame, stratum_column=STRATUM)
    parquet = workdir / "frame.parquet"
    stored.to_parquet(parquet, index=False)
    print(
        f"frame: {len(stored):,} rows, {stored[STRATUM].nunique()} strata, n = {args.n:,} "
        f"(prepared in {time.perf_counter() - start:.1f} s)"
    )
    print(
        f"each {args.repeat} times: median and p95 of wall and CPU seconds (CPU of every "
        "thread), the largest peak; load average on the machine's "
        f"{os.cpu_count()} cores at the start {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'draw':<13} {'wall s':>7} {'p95':>6} {'CPU s':>7} {'p95':>6} "
        f"{'peak RSS rise MB':>17} {'tracemalloc MB':>15} {'drawn':>8}"
    )
    for name in CONTENDERS:
        results = [run_worker(name, str(parquet), str(args.n)) for _ in range(args.repeat)]
        results = [r for r in results if r is not None]
        if not results:
            print(f"{name:<13} (not run)")
            continue
        assert all(r["drawn"] > 0 for r in results)
        rss = max(r["rss_rise_mb"] for r in results)
        traced = max(r["traced_peak_mb"] for r in results)
        print(f"{name:<13} {_spread(results)} {rss:17.1f} {traced:15.1f} {results[0]['drawn']:8,}")
    print(f"load average after the draws: {os.getloadavg()[0]:.1f}")

    if not args.skip_import:
        csv_path = workdir / "frame.csv"
        file.to_csv(csv_path, index=False)
        known_path = workdir / "known.json"
        known_path.write_text(json.dumps(known))
        size_mb = csv_path.stat().st_size / 2**20
        print(f"\n{args.rows:,}-row CSV ({size_mb:.0f} MB), each {args.repeat} times:")
        print(
            f"{'import':<30} {'wall s':>7} {'p95':>6} {'CPU s':>7} {'p95':>6} "
            f"{'peak RSS rise MB':>17}"
        )
        contenders = {
            "import_frame (whole command)": ("import", str(csv_path), str(known_path)),
            "pandas.read_csv alone": ("read-pandas", str(csv_path)),
            "pyarrow.csv alone": ("read-pyarrow", str(csv_path)),
        }
        for label, worker in contenders.items():
            results = [run_worker(*worker) for _ in range(args.repeat)]
            results = [r for r in results if r is not None]
            if not results:
                print(f"{label:<30} (failed)")
                continue
            peak = max(r["rss_rise_mb"] for r in results)
            print(f"{label:<30} {_spread(results)} {peak:17.0f}")
        print(f"load average after the imports: {os.getloadavg()[0]:.1f}")


def _spread(results: list[dict]) -> str:
    """Median and p95 of the wall and CPU seconds of the runs."""
    walls = [r["seconds"] for r in results]
    cpus = [r["cpu"] for r in results]
    return (
        f"{np.median(walls):7.3f} {np.percentile(walls, 95):6.3f} "
        f"{np.median(cpus):7.3f} {np.percentile(cpus, 95):6.3f}"
    )


if __name__ == "__main__":
    main()
