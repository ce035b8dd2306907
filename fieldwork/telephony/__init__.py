"""Phone fieldwork (CATI) through Twilio: click-to-call, webhooks, recordings, pre-notification."""
