"""Door-to-door fieldwork (CAPI): the households to visit, visits with the tablet's position."""
