"""Interviews collected by another system (ODK, Kobo, SurveyCTO) loaded as an external wave."""
