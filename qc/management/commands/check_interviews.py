from django.core.management.base import BaseCommand, CommandError

from fieldwork.models import Interview, Wave
from qc.services.checks import check_interviews


class Command(BaseCommand):
    help = "Run the automatic quality-control rules on completed interviews (again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--wave", type=int, help="only this wave's interviews (its id)")

    def handle(self, *args, wave: int | None = None, **options) -> None:
        interviews = Interview.objects.all()
        if wave is not None:
            if not Wave.objects.filter(pk=wave).exists():
                raise CommandError(f"No wave with id {wave}.")
            interviews = interviews.filter(case__wave_id=wave)
        checked = check_interviews(interviews=interviews)
        self.stdout.write(f"Checked {checked} completed interviews.")
