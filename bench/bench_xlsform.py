"""XLSForm import: the largest form of the public corpus (most survey rows), read, checked and
converted.

The corpus (tests/questionnaires/corpus/SOURCES.md) is found as tests/questionnaires/test_corpus.py
finds it (XLSFORM_CORPUS, else shared/xlsform-corpus beside the checkout). Imports the
largest form pyxform accepts `--runs` times and prints the median and p95 wall time and the
CPU time of one run; the budget is 3 s. Exits non-zero over budget. No database.

    python bench/bench_xlsform.py [--runs 15] [--form NAME]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyxform.xls2json_backends import get_xlsform  # noqa: E402
from pyxform.xls2xform import convert  # noqa: E402

from questionnaires.xlsform import parse_xlsform  # noqa: E402
from tests.questionnaires.test_corpus import corpus_folder  # noqa: E402

BUDGET_SECONDS = 3.0


def largest_accepted(folder: Path) -> Path:
    """The form pyxform accepts with the most survey rows (ties: the larger file)."""
    sizes = []
    for path in folder.glob("*.xls*"):
        try:
            convert(xlsform=str(path), validate=False)
        except Exception:  # pyxform refuses it: not a form to time
            continue
        rows = len(get_xlsform(path.read_bytes(), file_type=path.suffix.lower()).survey or [])
        sizes.append((rows, path.stat().st_size, path))
    if not sizes:
        raise SystemExit(f"no form pyxform accepts in {folder}")
    return max(sizes)[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--form", help="a file name in the corpus (default: the largest)")
    args = parser.parse_args()
    folder = corpus_folder()
    path = folder / args.form if args.form else largest_accepted(folder)
    data = path.read_bytes()
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        parsed = parse_xlsform(data, path.name)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    walls.sort()
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    questions = sum(len(page["questions"]) for page in parsed.definition["groups"])
    print(
        f"{path.name}: {len(data) / 1024:.0f} KiB, {len(parsed.definition['groups'])} pages, "
        f"{questions} questions; {args.runs} runs: median {statistics.median(walls):.3f} s, "
        f"p95 {p95:.3f} s, CPU median {statistics.median(cpus):.3f} s (budget {BUDGET_SECONDS} s)"
    )
    if p95 > BUDGET_SECONDS:
        raise SystemExit(f"over budget: p95 {p95:.3f} s > {BUDGET_SECONDS} s")


if __name__ == "__main__":
    main()
