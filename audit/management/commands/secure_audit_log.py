"""Take TRUNCATE and UPDATE on the audit table from the application's database role.

A deployment step after `migrate` (docs/runbook.md), run as the role that owns the tables;
`--role` names the application's role when it is a separate one. `--check` changes nothing
and exits 1 while the role can still truncate or update the log. On SQLite there are no roles
and nothing to do: its triggers refuse UPDATE and DELETE (audit.pruning).
"""

from django.core.management.base import BaseCommand, CommandError

from audit.roles import NotPostgreSQL, restrict, rights


class Command(BaseCommand):
    help = "Revoke TRUNCATE and UPDATE on the audit log from the application's database role."

    def add_arguments(self, parser):
        parser.add_argument("--role", help="the application's role (default: this connection's)")
        parser.add_argument(
            "--check", action="store_true", help="Change nothing; exit 1 if the role still can."
        )

    def handle(self, *args, role=None, check=False, **options):
        try:
            found = rights(role) if check else restrict(role)
        except NotPostgreSQL:
            self.stdout.write("SQLite: no database roles; the audit log's triggers guard it.")
            return
        except ValueError as error:
            raise CommandError(str(error)) from error
        if found.held:
            raise CommandError(
                f"Role {found.role} can still {' and '.join(found.held)} the audit log; "
                "run manage.py secure_audit_log."
            )
        self.stdout.write(f"Role {found.role} cannot truncate or update the audit log.")
        if found.owner:
            self.stdout.write(
                f"Role {found.role} owns the table and could grant itself the rights back; "
                "running the application under a separate role that owns nothing is stronger."
            )
        else:
            self.stdout.write(self.style.SUCCESS("The role owns nothing it could re-grant."))
