"""Translation QA: numbers, Korean left over, sentences, punctuation; glossaries."""

from __future__ import annotations

from mt.qa.checks import CHECKS, check_pair
from mt.qa.findings import Finding
from mt.qa.glossary import Glossary, GlossaryEngine, Term, TermMatch, load_glossary

__all__ = [
    "CHECKS",
    "Finding",
    "Glossary",
    "GlossaryEngine",
    "Term",
    "TermMatch",
    "check_pair",
    "load_glossary",
]
