"""Use cases: the only place that combines the database, the content store and the domain.

Every service is a keyword-only function taking ``session=`` and/or ``store=``; none
imports Flask.
"""
