"""Audio audits of door-to-door interviews (as Survey Solutions and SurveyCTO offer them).

A wave records a random share of its door interviews (Wave.audio_audit_percent), and of their
pages a random share (audio_audit_pages_percent: 100 records every page, less records random
segments). Nothing is recorded before the questionnaire's `consent` question is answered yes;
a wave cannot switch audits on for a questionnaire without one. The interview page records in
the browser (static/js/audio_audit.js, MediaRecorder), showing the interviewer that it does;
each page's recording travels with the page (and through the offline queue) and is stored
through the file storage, then a background job measures its speech (common.speech). The
interview's speech share reaches the QC rules as `speech_share` (qc.rules.item_timing.no_speech).

selection: which interviews and pages are recorded, and what counts as consent (pure).
services: the wave's setting, storing a page's recording, measuring it.
tasks: the background measurement.
"""
