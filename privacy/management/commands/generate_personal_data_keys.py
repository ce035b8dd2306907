"""Print a new encryption key and a new hash key for the environment file."""

import base64
import secrets

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print new PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY values."

    def handle(self, *args, **options):
        hash_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        self.stdout.write(f"PERSONAL_DATA_KEYS={Fernet.generate_key().decode()}")
        self.stdout.write(f"PERSONAL_DATA_HASH_KEY={hash_key}")
