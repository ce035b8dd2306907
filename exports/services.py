"""Building a wave's data package: started by an analyst, built by a job with progress,
stored through the storage API (a directory or S3), downloaded from the wave's exports page."""

import hashlib
import tempfile
from importlib.metadata import version as package_version
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from exports import extras
from exports.codebook import INTERVIEWS
from exports.microdata import DEFAULT_STATES, wave_microdata
from exports.package import write_zip
from exports.writers import write_microdata
from fieldwork.models import Wave
from jobs.models import Job
from jobs.runner import JobFailed, Progress
from jobs.services import start_job
from qc.models import Review
from scoring.loaders import AnswerError

PACKAGE = "exports.package"
STEPS = 7
NO_WAVE = gettext_lazy("The wave no longer exists.")
NO_INTERVIEWS = gettext_lazy("The wave has no interview in the chosen review states.")


def start_package(*, wave: Wave, user: User, states: list[str] | None, language: str) -> Job:
    """Queue the wave's data package for interviews in the review `states` (approved by
    default). The same package already queued or running is returned instead."""
    chosen = sorted(set(states or DEFAULT_STATES))
    unknown = set(chosen) - set(Review.State.values)
    if unknown:
        raise ValueError(f"Unknown review states: {', '.join(sorted(unknown))}")
    return start_job(
        kind=PACKAGE,
        params={"wave_id": wave.pk, "states": chosen, "language": language},
        subject=wave.name,
        user=user,
        dedupe_key=f"{PACKAGE}:{wave.pk}:{','.join(chosen)}",
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _about(data, *, printable: bool) -> dict:
    return {
        "wave": {"id": data.wave.pk, "name": data.wave.name},
        "review_states": data.states,
        "interviews": len(data.frames[INTERVIEWS]),
        "languages": data.languages,
        "data_as_of": timezone.localtime(data.as_of).isoformat(),
        "printable_questionnaire": printable,
        "software": {
            name: package_version(name) for name in ("Django", "pandas", "pyreadstat", "pyxform")
        },
    }


def build_package(*, wave: Wave, states: list[str], progress: Progress | None = None) -> dict:
    """Write the wave's package into the storage; returns where it is and what it holds."""
    step = iter(range(1, STEPS + 1))

    def report(message: str) -> None:
        if progress is not None:
            progress(next(step, STEPS), STEPS, message)

    report(_("Reading and weighting the interviews"))
    data = wave_microdata(wave=wave, states=states)
    if data.frames[INTERVIEWS].empty:
        raise JobFailed(NO_INTERVIEWS)
    with tempfile.TemporaryDirectory(prefix="package-") as folder:
        root = Path(folder) / "package"
        root.mkdir()
        rows = write_microdata(data, root, report)
        report(_("Adding the questionnaire, sample and methodology"))
        written = extras.write_questionnaire(data, root)
        printable = any(name.endswith(".pdf") for name in written)
        rows.update(extras.write_sampling(data, root))
        rows.update(extras.write_dispositions(data, root))
        extras.write_methodology(data, root)
        extras.write_readme(data, root, printable=printable)
        report(_("Compressing the package"))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        name = f"wave-{wave.pk}-data-{stamp}.zip"
        target = Path(folder) / name
        about = _about(data, printable=printable)
        manifest = write_zip(root, target, about, rows, dated=timezone.localtime(data.as_of))
        report(_("Storing the package"))
        with target.open("rb") as stream:
            path = default_storage.save(f"exports/wave-{wave.pk}/{name}", File(stream, name=name))
        size, checksum = target.stat().st_size, _sha256(target)
    return {
        "path": path,
        "name": name,
        "bytes": size,
        "sha256": checksum,
        "interviews": manifest["interviews"],
        "states": data.states,
        "files": len(manifest["files"]) + 2,
    }


def run_package(job: Job, progress: Progress) -> dict:
    """The package job's body (exports.tasks). An approved answer the questionnaire cannot
    score (the results would refuse it too) fails the job with its message."""
    wave = Wave.objects.filter(pk=job.params.get("wave_id")).first()
    if wave is None:
        raise JobFailed(NO_WAVE)
    with translation.override(job.params.get("language") or "zh-hans"):
        try:
            return build_package(wave=wave, states=job.params["states"], progress=progress)
        except AnswerError as error:
            raise JobFailed(str(error)) from error
