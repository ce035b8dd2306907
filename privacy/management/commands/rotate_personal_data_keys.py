"""Re-encrypt every phone number, name and address under the newest personal-data key.

Put the new key first in PERSONAL_DATA_KEYS (keep the old ones after it), restart, run this,
then drop the old keys (docs/runbook.md). --check only counts what is still under an old key.
"""

from django.core.management.base import BaseCommand, CommandError

from privacy.rotation import reencrypt_all, stale_tokens


class Command(BaseCommand):
    help = "Re-encrypt all personal data under the newest key of PERSONAL_DATA_KEYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count values still encrypted under an older key; exit 1 if any.",
        )

    def handle(self, *args, **options):
        if options["check"]:
            stale = stale_tokens()
            self.stdout.write(f"{stale} value(s) under an older key.")
            if stale:
                raise CommandError("Run rotate_personal_data_keys before removing the old keys.")
            return
        counts = reencrypt_all(progress=lambda what: self.stdout.write(f"Re-encrypting {what} …"))
        for what, n in counts.items():
            self.stdout.write(f"{what}: {n}")
        stale = stale_tokens()
        if stale:
            raise CommandError(f"{stale} value(s) still under an older key.")
        self.stdout.write(self.style.SUCCESS("Everything is under the newest key."))
