"""What a job worker does once, after start-up and before it takes its first job.

`freeze_start_up_heap` moves every object alive after start-up (Django and the apps set up,
pandas, numpy and every job's modules imported: jobs.apps imports the job kinds) into the
collector's permanent generation (`gc.freeze`). Those objects live as long as the process, so
a full collection gains nothing from traversing them, yet traversing them is most of its cost:
on a results job, about 0.09 s of CPU per full collection. After the freeze, full collections
traverse only what the jobs themselves allocate. Objects frozen are never collected, so this
is done once per process, after a collection has cleared the start-up's garbage.

The worker (`manage.py db_worker`) calls it; bench/bench_report.py calls the same function so
its figures are the worker's.
"""

import gc

_frozen = False


def freeze_start_up_heap() -> int:
    """Collect, then freeze every tracked object; once per process. Returns the number of
    frozen objects (gc.get_freeze_count())."""
    global _frozen  # noqa: PLW0603 - once per process, by design
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
    return gc.get_freeze_count()
