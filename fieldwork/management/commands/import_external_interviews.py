from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from fieldwork.external.services import (
    ExternalImportError,
    ExternalOptions,
    import_external_wave,
)
from fieldwork.models import Mode
from questionnaires.models import QuestionnaireVersion
from sampling.models import Locality


class Command(BaseCommand):
    help = (
        "Load the interviews of another system (an ODK Central, Kobo or SurveyCTO export, CSV or "
        "XLSX) as a new closed wave, so that quality control and scoring run on them. The form "
        "they were collected with must be imported first (import_questionnaire --publish). "
        "Every problem is listed with its row and column; nothing is saved when there is one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the export (.csv or .xlsx)")
        parser.add_argument("--wave", required=True, help="the new wave's name")
        parser.add_argument("--client", required=True, help="the client organisation's name")
        parser.add_argument("--questionnaire", required=True, help="questionnaire code")
        parser.add_argument(
            "--questionnaire-version", type=int, help="version number (default: the latest)"
        )
        parser.add_argument("--id-column", default="", help="the column of interview ids")
        parser.add_argument("--interviewer-column", default="", help="who collected each one")
        parser.add_argument("--locality-column", default="",
                            help="a street or community's code or name")  # fmt: skip
        parser.add_argument("--street", default="", help="the code of every interview's street")
        parser.add_argument("--mode", choices=Mode.values, default=Mode.DOOR)
        parser.add_argument("--time-zone", default="", help="of times written without one")
        parser.add_argument("--day-first", action="store_true", help="9/10/2015 is 9 October")

    def handle(self, *args, **opts) -> None:
        # Messages speak the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self.load(**opts)

    def load(self, *, path: str, **opts) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise CommandError(_("No such file: %(path)s") % {"path": path}) from err
        versions = QuestionnaireVersion.objects.filter(
            questionnaire__code=opts["questionnaire"], published_at__isnull=False
        ).order_by("-number")
        if opts["questionnaire_version"]:
            versions = versions.filter(number=opts["questionnaire_version"])
        version = versions.first()
        client = Organisation.objects.filter(name=opts["client"]).first()
        street = Locality.objects.filter(code=opts["street"]).first() if opts["street"] else None
        if version is None or client is None or (opts["street"] and street is None):
            raise CommandError(_("Unknown questionnaire version, client or street."))
        options = ExternalOptions(
            id_column=opts["id_column"], interviewer_column=opts["interviewer_column"],
            locality_column=opts["locality_column"], street=street, mode=opts["mode"],
            time_zone=opts["time_zone"], day_first=opts["day_first"])  # fmt: skip
        try:
            wave = import_external_wave(name=opts["wave"], client=client, version=version,
                                        data=data, source_name=Path(path).name, user=None,
                                        options=options)  # fmt: skip
        except ExternalImportError as error:
            raise CommandError("\n".join(error.errors)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        n = wave.cases.count()
        self.stdout.write(
            _("Loaded %(n)s interviews as wave %(wave)s.") % {"n": n, "wave": wave.name}
        )
