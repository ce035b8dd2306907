"""The analyst's page of the audit log (audit/): filter, page through, export."""
