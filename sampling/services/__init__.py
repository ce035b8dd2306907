"""Sampling's use-cases, one module each: the locality tree (localities), frame import
(frames) and its background jobs (import_jobs), plans and allocation (plans), the draw
(draws), reserve releases (releases) and RDD number generation (rdd).

Each validates everything first and reports every problem at once; nothing partial is ever
written. Import from the specific module.
"""
