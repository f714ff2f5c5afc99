"""The rule registry: one rule, one code, one docstring; one module per family.

``base`` holds what every rule shares; each family's module (beside
``validators/features/<family>.py``) registers its rules on import.
"""

from . import noise, encoding, duplicate, name  # noqa: F401 (each registers its rules, in this order)
from .base import FAMILIES, FRAMES, RULES, SCOPES, SEVERITIES, AllBut, CorpusView, Hit, ReadsAsTuple, Row, Rule, quote, register
from .noise import PatternRule

__all__ = ["AllBut", "FAMILIES", "FRAMES", "RULES", "SCOPES", "SEVERITIES", "CorpusView", "Hit", "PatternRule", "ReadsAsTuple", "Row", "Rule", "quote", "register"]
