from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services.second_factor import remove_second_factor


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator and backup codes (a lost phone and lost codes): a user "
        "who needs a second factor sets up a new one at the next login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        remove_second_factor(user=user)
        self.stdout.write(f"{username}: authenticator and backup codes removed.")
