"""Respondents' personal data as PIPL requires: what is held per wave, its purge with a
certificate, and key rotation (see common.personal for the encryption and the registry)."""
