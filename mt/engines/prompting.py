"""Prompts for LLM drafting: templates, the context of each sentence, and response validation.

Templates. One per model family, kept in the package (``mt/engines/prompts/<family>.txt``), or
any file passed in. A template is plain text with two sections, ``=== system`` and ``=== user``
(lines starting with ``#`` are comments), and ``$placeholders`` (`string.Template`):

- ``$instruction``: the task line (a headline gets the headline instruction);
- ``$headline``: the article's headline, when the sentence is not the headline itself;
- ``$context``: the previous few sentences, Korean with the approved English where there is one;
- ``$glossary``: the desk's glossary terms that occur in the sentence, with their required English;
- ``$style``: the house-style notes (``prompts/style.txt`` unless other notes are given);
- ``$sentence``: the Korean sentence to translate.

The template's SHA-256 (of the text and the style notes) is recorded with every draft. A desk
may keep its own template in the database (Settings; `mt.desk.desk_prompt_text`): it is
given as text (`PromptTemplate.load(text=...)`), checked by the same rules as a file.

Validation. A response must be one English line: no echo of the prompt or of the Korean, no
chatter ("Here is the translation:"), no untranslated Hangul beyond a name or two kept from the
source. `clean_response` returns the line or raises `InvalidResponse` with the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from mt.engines.base import Terms
from mt.errors import InputError

FAMILIES = ("generic", "qwen", "exaone", "gemma")
SENTENCE_INSTRUCTION = "Translate this sentence of a Korean news article into English."
HEADLINE_INSTRUCTION = (
    "Translate this Korean news headline into an English headline: concise, headline case, "
    "no final period."
)
DEFAULT_CONTEXT = 3
DESK_PROMPT = "desk prompt"  # the name recorded for the desk's own template

_SECTION = re.compile(r"^===\s*(system|user)\s*$", re.MULTILINE)
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")
_SENTENCE_END = re.compile(r"[.!?。…]['\"”’)\]]*$")
_CHATTER = re.compile(
    r"^\s*(?:here\s+is|here's|sure\b|certainly\b|of\s+course\b|okay\b|ok\b|"
    r"(?:the\s+)?(?:english\s+)?translation\b|english\s*:|translated\b|as\s+an\s+ai\b|"
    r"i\s+cannot\b|i\s+can't\b|i'm\s+sorry\b|sorry\b|note\s*:|korean\s*:)",
    re.IGNORECASE,
)
_CHATTER_ANYWHERE = re.compile(
    r"(?:\((?:note|translation|literally)\b|\bnote\s*:|\bexplanation\s*:|"
    r"\bhere\s+is\s+the\s+translation\b)",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’"}
_ECHO_MIN = 24  # a prompt line this long found in a response is an echo, not a coincidence


class InvalidResponse(ValueError):
    """An LLM response that breaks the output contract; the message is the reason."""


@dataclass(frozen=True)
class Context:
    """What the model is told besides the sentence: the headline and the previous sentences
    (Korean, and the approved English or None)."""

    headline: str | None = None
    previous: tuple[tuple[str, str | None], ...] = ()
    is_headline: bool = False
    headline_english: str | None = None

    @property
    def size(self) -> int:
        """Context sentences given (the headline counts as one)."""
        return len(self.previous) + (1 if self.headline else 0)


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt template: its name, sections, house-style notes, and hash."""

    name: str
    system: str
    user: str
    style: str
    sha256: str

    @classmethod
    def load(
        cls,
        source: str | Path | None = None,
        *,
        family: str = "generic",
        style: str | None = None,
        text: str | None = None,
    ) -> PromptTemplate:
        """The template file `source`, else the template `text` (the desk's, named
        ``DESK_PROMPT``), else the package's template for `family`.

        Raises:
            InputError: the file cannot be read or lacks a section (message names the file).
        """
        if source is not None:
            path = Path(source)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as e:
                raise InputError(f"{path}: cannot read the prompt template ({e})") from None
            name = path.name
        elif text is not None:
            name = DESK_PROMPT
        else:
            family = family if family in FAMILIES else "generic"
            text = _package_text(f"{family}.txt")
            name = f"{family}.txt"
        notes = _package_text("style.txt") if style is None else style
        return cls.parse(text, name=name, style=notes)

    @classmethod
    def parse(cls, text: str, *, name: str = "prompt", style: str = "") -> PromptTemplate:
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        parts = _SECTION.split(body)
        sections = {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}
        if "user" not in sections:
            raise InputError(f"{name}: prompt template has no '=== user' section")
        if "$sentence" not in sections["user"] and "${sentence}" not in sections["user"]:
            raise InputError(f"{name}: prompt template never uses $sentence")
        digest = hashlib.sha256(text.encode("utf-8"))
        digest.update(b"\0" + style.encode("utf-8"))
        return cls(
            name, sections.get("system", ""), sections["user"], style.strip(), digest.hexdigest()
        )

    def messages(
        self, sentence: str, context: Context, *, glossary: Terms | None = None
    ) -> list[dict[str, str]]:
        """The chat messages for one sentence (system message omitted when empty)."""
        values = {
            "instruction": HEADLINE_INSTRUCTION if context.is_headline else SENTENCE_INSTRUCTION,
            "headline": _headline_block(context),
            "context": _context_block(context.previous),
            "glossary": _glossary_block(sentence, glossary),
            "style": self.style,
            "sentence": sentence,
        }
        out = []
        system = _tidy(Template(self.system).safe_substitute(values))
        if system:
            out.append({"role": "system", "content": system})
        out.append({"role": "user", "content": _tidy(Template(self.user).safe_substitute(values))})
        return out


def family_template_text(family: str) -> str:
    """The package's template text for `family` (``generic`` for an unknown family)."""
    return _package_text(f"{family if family in FAMILIES else 'generic'}.txt")


def _package_text(name: str) -> str:
    return resources.files("mt.engines").joinpath("prompts", name).read_text(encoding="utf-8")


def _tidy(text: str) -> str:
    """Drop blank lines left by empty placeholders."""
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()


def _headline_block(context: Context) -> str:
    if not context.headline:
        return ""
    line = f"Headline of the article: {context.headline}\n"
    if context.headline_english:
        line += f"Headline in English (approved): {context.headline_english}\n"
    return line


def _context_block(previous: Sequence[tuple[str, str | None]]) -> str:
    if not previous:
        return ""
    lines = ["Previous sentences of the article (for context only; do not translate them):"]
    for korean, english in previous:
        lines.append(f"- Korean: {korean}")
        if english:
            lines.append(f"  English (approved): {english}")
    return "\n".join(lines) + "\n"


def _glossary_block(sentence: str, glossary: Terms | None) -> str:
    if glossary is None:
        return ""
    found: dict[str, str] = {}
    for match in glossary.find_terms(sentence):
        found.setdefault(match.term, match.english)
    if not found:
        return ""
    lines = ["Glossary (use exactly these English terms):"]
    lines += [f"- {korean} = {english}" for korean, english in found.items()]
    return "\n".join(lines) + "\n"


def looks_like_headline(text: str) -> bool:
    """A Korean headline: short, with no sentence-final punctuation (news sentences end in 다.)."""
    text = text.strip()
    return bool(text) and len(text) <= 120 and not _SENTENCE_END.search(text)


def build_contexts(
    sentences: Sequence[str],
    *,
    window: int = DEFAULT_CONTEXT,
    approved: Mapping[str, str] | None = None,
) -> list[Context]:
    """The context of each sentence of an article, given in reading order.

    The first non-blank sentence is the headline when it looks like one; every later sentence
    gets it, plus the `window` non-blank sentences before it (not the headline again) with
    their approved English from `approved` (Korean → English) where known.
    """
    approved = approved or {}
    first = next((i for i, s in enumerate(sentences) if s.strip()), None)
    headline = first if first is not None and looks_like_headline(sentences[first]) else None
    contexts: list[Context] = []
    seen: list[str] = []
    for i, raw in enumerate(sentences):
        text = raw.strip()
        if i == headline:
            contexts.append(Context(is_headline=True))
            continue
        previous = tuple((s, approved.get(s)) for s in seen[-window:]) if window > 0 else ()
        title = sentences[headline].strip() if headline is not None else None
        contexts.append(
            Context(
                headline=title,
                previous=previous,
                headline_english=approved.get(title) if title else None,
            )
        )
        if text:
            seen.append(text)
    return contexts


def clean_response(
    response: str,
    *,
    sentence: str,
    messages: Sequence[Mapping[str, str]] = (),
    names: Sequence[str] = (),
) -> str:
    """The English line of a response, or `InvalidResponse` saying what is wrong with it.

    Arguments:
        sentence: the Korean sentence that was asked for.
        messages: the prompt, to recognise an echo of it.
        names: Hangul words a translation may keep (glossary terms, names); besides these, at
            most two short Hangul words that also occur in the source are accepted.
    """
    text = response.strip()
    if text.startswith("```"):
        text = text.strip("`").strip()
    if not text:
        raise InvalidResponse("empty response")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(sentence) >= 8 and sentence.strip() in text:
        raise InvalidResponse("the response repeats the Korean sentence")
    for message in messages:
        for line in message.get("content", "").splitlines():
            line = line.strip()
            if len(line) >= _ECHO_MIN and line not in sentence and line in text:
                raise InvalidResponse("the response echoes the prompt")
    if _CHATTER.match(text) or _CHATTER_ANYWHERE.search(text):
        raise InvalidResponse("the response has commentary besides the translation")
    if len(lines) > 1:
        raise InvalidResponse(f"{len(lines)} lines for one sentence")
    text = lines[0]
    quoted = len(text) >= 2 and text[0] in _QUOTES and text.endswith(_QUOTES[text[0]])
    if quoted and not sentence.strip().startswith(tuple(_QUOTES)):
        text = text[1:-1].strip()  # quotes the model put around its answer
    hangul = [w for w in _HANGUL_WORD.findall(text) if w not in names]
    if hangul and (len(hangul) > 2 or any(len(w) > 4 or w not in sentence for w in hangul)):
        raise InvalidResponse(f"untranslated Korean in the response ({' '.join(hangul[:3])})")
    if not text:
        raise InvalidResponse("empty response")
    return text
