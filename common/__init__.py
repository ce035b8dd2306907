"""The bottom layer: tools every app shares (charts, spreadsheets, labels, the UI language).

It holds tools, never domain logic, and imports no app of ours (import-linter keeps it so).
"""
