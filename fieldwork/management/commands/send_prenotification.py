from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fieldwork.models import Wave
from fieldwork.telephony import services as telephony_services


class Command(BaseCommand):
    help = "Send a wave's pre-notification SMS to its cases not yet called (never twice)."

    def add_arguments(self, parser):
        parser.add_argument("--wave", type=int, required=True, help="the wave's ID")
        parser.add_argument(
            "--hotline", help="set the wave's plan first: the verification hotline to print"
        )
        parser.add_argument(
            "--template", help="with --hotline: the message, with {evaluation} {client} {hotline}"
        )

    def handle(self, *args, wave: int, hotline: str | None, template: str | None, **options):
        found = Wave.objects.filter(pk=wave).first()
        if found is None:
            raise CommandError(f"There is no wave {wave}.")
        try:
            if hotline is not None:
                telephony_services.set_prenotification_plan(
                    wave=found, hotline=hotline, template=template
                )
            counts = telephony_services.send_prenotification(wave=found)
        except ValidationError as error:
            raise CommandError(f"Wave {wave}: {' '.join(error.messages)}") from None
        self.stdout.write(
            f"Wave {wave}: {counts['sent']} sent, {counts['failed']} failed, "
            f"{counts['skipped']} skipped (already notified, already called or no number)."
        )
