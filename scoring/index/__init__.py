"""The composite index of a wave (指标体系): items → indicators → dimensions → overall, with
weights from AHP judgements, objective indicators scored by piecewise rules, and the
composite of survey and objective scores.

ahp, indices, objective   pure computation (no Django)
services                  the use-cases: load, check, store, compute the index and short boards
presenters, forms, views  the index pages
"""
