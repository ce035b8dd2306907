"""Plain data for the qc templates, one module per kind of page.

labels      readable names of rule codes and severities, shared by every page and the export
reviews     the review list and an interview's review page
backchecks  the back-check pages and the per-interviewer discrepancy table
dashboard   a wave's counts and charts of flags and reviews
export      a wave's flags and decisions as tables for common.spreadsheets
"""
