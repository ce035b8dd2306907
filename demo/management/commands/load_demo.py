from django.core.management import call_command
from django.core.management.base import BaseCommand

from audit.pruning import wiping_the_database
from demo import services


class Command(BaseCommand):
    help = "Load the synthetic demo city, sample, wave and simulated interviews."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--small", action="store_true", help="a small city, for tests")
        parser.add_argument("--reset", action="store_true", help="flush the database first")

    def handle(self, *args, seed: int, small: bool, reset: bool, **options):
        if reset:
            with wiping_the_database():  # the audit log goes too: the whole database does
                call_command("flush", "--noinput", verbosity=0)
        if services.demo_loaded():
            self.stdout.write("The demo is already loaded.")
            services.set_up_analyst_second_factor()
        else:
            size = services.SMALL if small else services.FULL
            services.load_demo(seed=seed, size=size, say=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS("One login per role:"))
        for role, username in services.DEMO_LOGINS:
            self.stdout.write(f"  {role:<12} user {username:<15} password {services.PASSWORD}")
        self.stdout.write(
            "The analyst then confirms the login with a code: one of the backup codes "
            f"{', '.join(services.ANALYST_BACKUP_CODES)} (each works once; running load_demo "
            "again restores them), or the six digits of an authenticator app set up with the "
            f"key {services.ANALYST_AUTHENTICATOR_SECRET}."
        )
