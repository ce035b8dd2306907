"""Personal data of a wave under PIPL: its retention date and reminders (`retention`), and the
processing record the firm completes and keeps (`record`, `pdf`), with their pages."""
