from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from fieldwork.telephony import services as telephony_services


class Command(BaseCommand):
    help = "Set the phone Twilio rings when an interviewer presses Dial."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("phone", help="E.164 (+8613812345678) or a mainland mobile")

    def handle(self, *args, username: str, phone: str, **options):
        user = User.objects.filter(username=username, role=Role.INTERVIEWER).first()
        if user is None:
            raise CommandError(f"There is no interviewer {username!r}.")
        try:
            telephony_services.set_interviewer_line(user=user, phone=phone)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Line set for {username}.")
