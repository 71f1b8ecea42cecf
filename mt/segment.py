"""Korean article segmentation: paragraphs by line, sentences by kiwipiepy, exact rebuild.

Why one module (about 600 lines): most of it is `_Paragraph.fix_cuts`, one pass of corrections over
kiwipiepy's cuts that share one token view of the paragraph; split, one algorithm would be spread
over several files.

An article is split into paragraphs (every non-blank line is one) and each paragraph into
sentences with kiwipiepy's `Kiwi.split_into_sents`. Every character of the input ends up either in
a segment's `text` or in the whitespace around it (`SourceSegment.before`, `Segmentation.trailing`),
so `rebuild(segment(t)) == t` for any string `t`.

kiwipiepy is very good on Korean news, but on real NTREX-128, JHE and WMT24++ lines it gets some
things wrong that matter for translation; `_Paragraph.fix_cuts` corrects them:

- a quotation split from the quotative after it: `"…않을 것이다." | 라고 말했다.`,
  `"…기억" | 은 1월에 시작하며`, `"…때문" | 이다.`, `"…거든." | 하고 대답했다.` (no sentence starts
  with a particle, ending, copula or suffix). When the quotation opened mid-sentence
  (`당신은 “나는 아니야. | 나는 아프지 않을거야!" | 라고 생각할지도`) the whole sentence is kept
  together; when it opened after a sentence that Kiwi glued to it (`말했다. ‘지정생존자’ | 는`),
  the cut moves to the quotation;
- a sentence merged with the next one, mostly one that starts with a quotation
  (`동결했다. “물가가 불안하다”고 말했다.`) or after mismatched quotes (`"…있습니다.”라고 …`,
  where Kiwi can run on for the rest of the paragraph): a final ending and a full stop outside
  any quotation or bracket end a sentence;
- an opening quote or bracket left at the end of the previous sentence: `말했다. " | 고마워`,
  `말했다.“ | 우리는 이긴다.”`, `있어요( | 복도도 늦어지네요).`; and a closing quote pushed to
  the start of the next one: `M... | ' 진행 단계`;
- a cut inside a word (`화이트 래 | 더 핸들`, `구나 | 완`, `것입니다 | 만`) or right after a
  closing quote glued to the next word (`"…있습니다." | 그가 말했다.` with no space);
- a cut after an ellipsis in mid-sentence (`이것은... | 정말 놀랍다.`, `필요한데... | 하지만`) or
  in a headline (`"관세 부과하겠다"… | 한국 수출 비상`); it stays where the words before the
  ellipsis end a sentence (`원이다... | 그렇다!`).

Decimals, amounts (3.5%, 1조2000억 원, 10.5조, 1,365.5원), dates (2024. 5. 10.) and English
abbreviations (U.S., Mr. Kim, Samsung Electronics Co., a.m.) are already left whole by kiwipiepy.
A wire-service byline at the start of a paragraph (`(서울=연합뉴스) 김철수 기자 =`) becomes its own
segment so the model translates the lead sentence alone.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

from mt.errors import InvalidValue
from mt.types import SourceSegment

__all__ = ["MODES", "Segmentation", "join_translation", "paragraphs", "rebuild", "segment"]

MODES = ("sentence", "line")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Whitespace in the str.isspace() sense, plus the invisible BOM and zero-width space, which must
# never reach the model as a "sentence" of their own.
_SPACE = re.compile(r"[\s\ufeff\u200b]+")
_LEADING = re.compile(r"[\s\ufeff\u200b]*")
_TRAILING = re.compile(r"[\s\ufeff\u200b]*$")


def _space_end(text: str, pos: int = 0) -> int:
    """Where the run of whitespace at `pos` ends (`pos` when there is none)."""
    m = _LEADING.match(text, pos)  # matches an empty run too: never None
    return m.end() if m else pos


def _trailing_start(text: str, pos: int = 0) -> int:
    """Where the whitespace at the end of `text` starts, looking from `pos`."""
    m = _TRAILING.search(text, pos)  # matches an empty run at the end too: never None
    return m.start() if m else len(text)


# What a sentence Kiwi missed may start with (not `:(`, `$TSLQ` or `ㅋㅋㅋ`).
_WORD_START = re.compile(r"[^\W_\u3131-\u318e]|[\"']")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ELLIPSIS = re.compile(r"(?:\.{2,}|…|⋯)[”’»」』)\]\"']*$")
_BARE_ELLIPSIS = re.compile(r"(?:\.{2,}|…|⋯)$")
_SENTENCE_END = re.compile(r"[.!?…⋯。？！][”’»」』〉》】〕)\]}）\"']*$")
_BYLINE = re.compile(
    r"\([^()=\n]{1,30}=[^()=\n]{1,30}\)"  # (서울=연합뉴스)
    r"(?:[^()=\n]{0,40}?[\s\ufeff\u200b])?"  # 김철수 기자 / 김철수 이영희 특파원
    r"=(?=[\s\ufeff\u200b])"
)

_OPENERS = frozenset("“‘«‹「『〈《【〔([{（［｛＜")
_CLOSERS = frozenset("”’»›」』〉》】〕)]}）］｝＞")
_STRAIGHT = frozenset("\"'")
_BRACKETS = dict(zip("»›」』〉》】〕)]}）］｝＞", "«‹「『〈《【〔([{（［｛＜", strict=True))
_PAIRS = {'"': ("“", "”"), "'": ("‘", "’")}
# Quotes and brackets by kind: a closing one closes the last open one of its kind.
_KIND = {**{c: '"' for c in '“”"'}, **{c: "'" for c in "‘’'"}, **_BRACKETS}
_KIND.update({o: o for o in _BRACKETS.values()})
# Kiwi tags of morphemes that can never start a sentence: particles (J*), endings (E*), the
# copula 이다 (VCP) and suffixes (XS*).
_CONTINUATION_TAGS = ("J", "E", "VCP", "XS")
# Kiwi tags of punctuation and symbols (skipped when looking for the last word of a piece).
_PUNCT_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB", "W_EMOJI"})

_kiwi: Any = None
_kiwi_lock = threading.RLock()

# Kiwi's split_into_sents slows down faster than linearly on one long string and misses many
# sentence ends in it (NTREX-128 joined into one 112,000-character line: 1,232 sentences instead
# of 1,868; a 1.3 MB line took 100 s, so a 5 MB one-line file would hold the segmenter for half
# an hour). A longer paragraph goes to Kiwi in pieces of at most this many characters, cut after
# sentence punctuation and a space where there is one; `fix_cuts` then sees the whole paragraph.
_KIWI_CHUNK = 2000
_CHUNK_END = re.compile(r"[.!?。？！…⋯][”’»」』)\]\"']*[\s\ufeff\u200b]+")


@dataclass(frozen=True)
class Segmentation:
    """A text cut into segments; `rebuild` gives the text back character for character.

    `segments` are in reading order, each with the exact whitespace that preceded it (`before`);
    `trailing` is the whitespace after the last segment (the whole text when it has no segment).
    """

    segments: list[SourceSegment]
    trailing: str = ""


def check_mode(mode: str) -> None:
    """Refuse a segmentation mode outside `MODES` (an `InvalidValue`, exit 1)."""
    if mode not in MODES:
        raise InvalidValue(f"unknown segmentation mode {mode!r} (choose from: {', '.join(MODES)})")


def segment(text: str, *, mode: str = "sentence") -> Segmentation:
    """Split an article into paragraphs and sentences.

    Every non-blank line is a paragraph ("\\n", "\\r\\n" and a lone "\\r" all end a line); blank
    lines and line breaks go into the `before` of the next segment. In mode "sentence" each
    paragraph is split into sentences with kiwipiepy (plus the corrections listed in this module's
    docstring); in mode "line" each non-blank line is one segment. Paragraph numbers count from 0.

    Arguments:
        text: the article, already decoded.
        mode: "sentence" or "line".

    Returns:
        The segmentation; `rebuild(result) == text`.

    Raises:
        InvalidValue: `mode` is not one of `MODES`.

    Example:
        >>> [s.text for s in segment("제목\\n\\n첫 문장이다. 둘째 문장이다.\\n").segments]
        ['제목', '첫 문장이다.', '둘째 문장이다.']
    """
    if not isinstance(text, str):
        raise TypeError(f"segment: text must be str, not {type(text).__name__}")
    check_mode(mode)

    # Paragraphs: the whitespace before each non-blank line's content, and the content.
    paras: list[tuple[str, str]] = []
    pending = ""
    for line, brk in _split_lines(text):
        lead = _space_end(line)
        if lead == len(line):
            pending += line + brk
            continue
        tail = _trailing_start(line, lead)
        paras.append((pending + line[:lead], line[lead:tail]))
        pending = line[tail:] + brk

    if mode == "line":
        cuts: list[list[int]] = [[] for _ in paras]
    else:
        cuts = _sentence_cuts([content for _, content in paras])

    segments: list[SourceSegment] = []
    carry = ""
    for number, ((before, content), para_cuts) in enumerate(zip(paras, cuts, strict=True)):
        carry += before
        bounds = [0, *para_cuts, len(content)]
        for start, end in pairwise(bounds):
            piece = content[start:end]
            lead = _space_end(piece)
            if lead == len(piece):  # never produced by _sentence_cuts; kept exact regardless
                carry += piece
                continue
            tail = _trailing_start(piece, lead)
            segments.append(SourceSegment(piece[lead:tail], number, carry + piece[:lead]))
            carry = piece[tail:]
    return Segmentation(segments, carry + pending)


def rebuild(seg: Segmentation, texts: Sequence[str] | None = None) -> str:
    """The source text again, or the same layout with each segment's text replaced.

    Arguments:
        seg: a segmentation from `segment`.
        texts: one replacement per segment, in order; None gives back the original exactly.

    Raises:
        ValueError: `texts` does not have one entry per segment.
    """
    if texts is None:
        texts = [s.text for s in seg.segments]
    elif len(texts) != len(seg.segments):
        raise ValueError(f"rebuild: {len(texts)} texts for {len(seg.segments)} segments")
    return "".join(s.before + t for s, t in zip(seg.segments, texts, strict=True)) + seg.trailing


def join_translation(seg: Segmentation, texts: Sequence[str]) -> str:
    """The translated article: one translation per segment, laid out like the source.

    Sentences of a paragraph are joined by one space; paragraphs are separated by "\\n\\n" where
    the source had a blank line between them and by "\\n" otherwise. Leading whitespace is
    dropped, and the result ends with "\\n" when the source ended with a line break after its last
    segment. Each translation is stripped; an empty one adds nothing (its paragraph stays).

    Raises:
        ValueError: `texts` does not have one entry per segment.
    """
    if len(texts) != len(seg.segments):
        raise ValueError(f"join_translation: {len(texts)} texts for {len(seg.segments)} segments")
    if not seg.segments:
        return ""
    out: list[str] = []
    paragraph: int | None = None
    para_empty = True
    for s, text in zip(seg.segments, texts, strict=True):
        text = text.strip()
        if s.paragraph != paragraph:
            if paragraph is not None:
                out.append("\n\n" if len(_LINE_BREAK.findall(s.before)) >= 2 else "\n")
            paragraph, para_empty = s.paragraph, True
        if text:
            out.append(text if para_empty else " " + text)
            para_empty = False
    if _LINE_BREAK.search(seg.trailing):
        out.append("\n")
    return "".join(out)


def paragraphs(seg: Segmentation) -> list[list[SourceSegment]]:
    """The segments grouped by paragraph, in order."""
    groups: list[list[SourceSegment]] = []
    for s in seg.segments:
        if not groups or groups[-1][0].paragraph != s.paragraph:
            groups.append([])
        groups[-1].append(s)
    return groups


def _split_lines(text: str) -> list[tuple[str, str]]:
    """(line, line break) pairs; the last line has an empty break."""
    out = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        out.append((text[pos : m.start()], m.group()))
        pos = m.end()
    out.append((text[pos:], ""))
    return out


def _get_kiwi() -> Any:
    """The process-wide Kiwi instance, built on first use (it takes a second or two)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def _sentence_cuts(contents: list[str]) -> list[list[int]]:
    """For each paragraph (stripped, non-empty), the offsets where a new sentence starts."""
    if not contents:
        return []
    # Kiwi cannot encode lone surrogates; U+FFFD keeps every offset where it was.
    safe = [_SURROGATE.sub("\ufffd", c) for c in contents]
    offsets = [_kiwi_pieces(c) for c in safe]
    pieces = [
        c[a:b]
        for c, starts in zip(safe, offsets, strict=True)
        for a, b in pairwise([*starts, len(c)])
    ]
    kiwi = _get_kiwi()
    with _kiwi_lock:  # one analysis at a time (the web app calls from several threads)
        results = iter(list(kiwi.split_into_sents(pieces, return_tokens=True)))
    out = []
    for content, starts in zip(safe, offsets, strict=True):
        kiwi_cuts: set[int] = set()
        tokens: list[Any] = []
        for offset in starts:
            sents = next(results)
            kiwi_cuts.update(offset + s.start for s in sents[1:])
            piece_tokens = [t for s in sents for t in (s.tokens or ())]
            if len(starts) == 1:
                tokens = piece_tokens
            else:
                kiwi_cuts.add(offset)  # a piece's start is a sentence start (0 drops out below)
                tokens += [_Token(t.form, t.tag, offset + t.start, t.len) for t in piece_tokens]
        para = _Paragraph(content, tokens)
        cuts = para.fix_cuts(sorted(kiwi_cuts - {0}))
        byline = _BYLINE.match(content)
        if byline:
            cuts = [byline.end(), *(c for c in cuts if c > byline.end())]
        out.append(_nonempty(content, cuts))
    return out


class _Token(NamedTuple):
    """A Kiwi token moved from its piece's offsets to the paragraph's."""

    form: str
    tag: str
    start: int
    len: int


def _kiwi_pieces(content: str) -> list[int]:
    """Where the pieces of `content` handed to Kiwi start (`[0]` for all but long paragraphs).

    Each piece holds at most `_KIWI_CHUNK` characters and ends, best first, after the last
    sentence punctuation and spaces in its second half, after its last spaces, or anywhere.
    """
    starts = [0]
    while len(content) - starts[-1] > _KIWI_CHUNK:
        low, high = starts[-1] + _KIWI_CHUNK // 2, starts[-1] + _KIWI_CHUNK
        cut = None
        for pattern in (_CHUNK_END, _SPACE):
            for m in pattern.finditer(content, low, high):
                cut = m.end()
            if cut is not None:
                break
        starts.append(_space_end(content, cut) if cut is not None else high)
    return starts


def _nonempty(content: str, cuts: Sequence[int]) -> list[int]:
    """The cuts that leave no piece with nothing but whitespace."""
    out: list[int] = []
    last = 0
    for cut in sorted(set(cuts)):
        if cut > last and _SPACE.fullmatch(content[last:cut]) is None:
            out.append(cut)
            last = cut
    if out and (out[-1] >= len(content) or _SPACE.fullmatch(content[out[-1] :]) is not None):
        out.pop()
    return out


def _is_space(ch: str) -> bool:
    return _SPACE.fullmatch(ch) is not None


class _Paragraph:
    """One paragraph with Kiwi's tokens, and the rules that correct Kiwi's sentence cuts."""

    def __init__(self, content: str, tokens: Sequence[Any]) -> None:
        self.text = content
        self.tokens = sorted(tokens, key=lambda t: t.start)
        self.starts = [t.start for t in self.tokens]
        self.depth, self.straight_opens = self._scan_quotes()

    def fix_cuts(self, cuts: Sequence[int]) -> list[int]:
        """Kiwi's sentence starts, corrected as the module docstring describes."""
        kept: set[int] = set()
        quoted: list[tuple[int, int]] = []  # quotations inside a sentence: never cut inside
        for cut in sorted({*cuts, *self.missed_cuts()}):
            if not 0 < cut < len(self.text):
                continue
            if self.starts_continuation(cut):
                start = self.quotation_start(cut)
                if start is None:
                    continue
                before = self.left(start) + 1
                if before == 0:
                    pass  # the quotation opens the paragraph: its own sentences stand
                elif self.ends_sentence(before):
                    kept.add(start)  # `말했다. "…"|이라고`: the quotation starts a sentence
                else:
                    quoted.append((start, cut))  # `그는 "A. B"|라고`: all one sentence
                continue
            moved = self.move_quotes(cut)
            if moved is None or self.starts_continuation(moved):
                continue
            if self.glued(moved) or self.mid_sentence_ellipsis(moved):
                continue
            kept.add(moved)
        return sorted(c for c in kept if not any(a < c <= b for a, b in quoted))

    def missed_cuts(self) -> list[int]:
        """Sentence ends that Kiwi merged into the next sentence (`멀다. “…”라고 말했다.`).

        A final ending and a full stop (`했다.`, `까?`), maybe closing quotes, then a space, where
        no quotation or bracket is open: Kiwi sometimes attaches the next sentence, mostly one
        that starts with a quotation, or runs on after a quotation opened with `"` and closed
        with `”`.
        """
        text, tokens, depth = self.text, self.tokens, self.depth
        out = []
        for k in range(1, len(tokens)):
            if _base_tag(tokens[k]) != "SF" or _base_tag(tokens[k - 1]) != "EF":
                continue
            end = i = tokens[k].start + tokens[k].len
            while i < len(text) and (
                text[i] in _CLOSERS or (text[i] in _STRAIGHT and not self.opens(i))
            ):
                i += 1
            if i >= len(text) or not _is_space(text[i]) or depth[i] != 0:
                continue
            if i > end:  # after a quotation: only one that is a sentence of its own
                start = self.quotation_start(i)
                before = self.left(start) + 1 if start is not None else 0
                if start is None or (before > 0 and not self.ends_sentence(before)):
                    continue
            j = self.right(i)
            if j < len(text) and (_WORD_START.match(text[j]) or text[j] in _OPENERS):
                out.append(j)
        return out

    def _scan_quotes(self) -> tuple[list[int], dict[int, bool]]:
        """How many quotations and brackets are open before each offset, and for each straight
        quote whether it opens one. A closing quote or bracket closes the last open one of its
        kind and whatever is still open inside it; one of a kind not open is ignored."""
        text = self.text
        stack: list[str] = []
        depth: list[int] = []
        straight_opens: dict[int, bool] = {}
        for i, ch in enumerate(text):
            depth.append(len(stack))
            kind = _KIND.get(ch)
            if kind is None or self.is_apostrophe(i):
                continue
            if ch in _STRAIGHT:
                before = text[i - 1] if i > 0 else " "
                after = text[i + 1] if i + 1 < len(text) else " "
                if _is_space(after) or after in ".,!?…;:" or after in _CLOSERS:
                    opening = False
                elif _is_space(before) or before in _OPENERS:
                    opening = True
                else:  # glued on both sides (`말했다."우리는`, `기억"은`): opens unless one is open
                    opening = kind not in stack
                straight_opens[i] = opening
            else:
                opening = ch in _OPENERS
            if opening:
                stack.append(kind)
            elif kind in stack:
                del stack[len(stack) - 1 - stack[::-1].index(kind) :]
        depth.append(len(stack))
        return depth, straight_opens

    # Positions

    def left(self, cut: int) -> int:
        """Index of the last non-space character before `cut` (-1 when none)."""
        i = cut - 1
        while i >= 0 and _is_space(self.text[i]):
            i -= 1
        return i

    def right(self, cut: int) -> int:
        """Index of the first non-space character at or after `cut` (len when none)."""
        return _space_end(self.text, cut)

    def ends_sentence(self, end: int) -> bool:
        """`text[:end]` ends with sentence-final punctuation (maybe followed by closing quotes)."""
        return _SENTENCE_END.search(self.text[max(0, end - 16) : end]) is not None

    # Quotes and brackets

    def opens(self, i: int) -> bool:
        """Whether the quote or bracket at `i` opens (True) or closes (False) a quotation."""
        ch = self.text[i]
        return ch in _OPENERS or (ch in _STRAIGHT and self.straight_opens.get(i, False))

    def is_apostrophe(self, j: int) -> bool:
        """An apostrophe between two Latin letters or digits (Martin's, rock'n'roll, Martin’s)."""
        text = self.text
        if text[j] not in "'’" or j == 0 or j + 1 >= len(text):
            return False
        before, after = text[j - 1], text[j + 1]
        return before.isascii() and before.isalnum() and after.isascii() and after.isalnum()

    def move_quotes(self, cut: int) -> int | None:
        """The cut moved before opening quotes left at the end of the previous piece and after
        closing quotes pushed to the start of the next one; None when no cut is left."""
        text = self.text
        while True:
            i = self.left(cut)
            if i < 0:
                return None
            if not (text[i] in _OPENERS or text[i] in _STRAIGHT) or not self.opens(i):
                break
            if i + 1 < len(text) and _is_space(text[i + 1]):
                break  # not glued to the next sentence: an emoticon `:(` or a stray quote
            cut = i
        while True:
            j = self.right(cut)
            if j >= len(text):
                return None
            if not (text[j] in _CLOSERS or text[j] in _STRAIGHT) or self.opens(j):
                break
            cut = j + 1
        return cut

    def quotation_start(self, cut: int) -> int | None:
        """Where the quotations and brackets just before `cut` open: in `말했다. 'A'(B)|이라고`
        the index of the first quote; None when `cut` does not follow a closing quote."""
        i = self.left(cut)
        start = None
        while i >= 0 and (self.text[i] in _CLOSERS or self.text[i] in _STRAIGHT):
            j = self.matching_opener(i)
            if j is None:
                break
            start = j
            i = j - 1
        return start

    def matching_opener(self, i: int) -> int | None:
        """Index of the quote or bracket that the one at `i` closes (nearest one for quotes)."""
        text, ch = self.text, self.text[i]
        if ch in _STRAIGHT or ch in "”’":
            straight = ch if ch in _STRAIGHT else '"' if ch == "”" else "'"
            openers = (straight, _PAIRS[straight][0])
            for j in range(i - 1, -1, -1):
                if text[j] in openers and not self.is_apostrophe(j):
                    return j
            return None
        opener = _BRACKETS.get(ch)
        depth = 0
        for j in range(i - 1, -1, -1):
            if text[j] == ch:
                depth += 1
            elif text[j] == opener:
                if depth == 0:
                    return j
                depth -= 1
        return None

    # Rules

    def first_token(self, cut: int) -> Any:
        """Kiwi's token that starts exactly at the first non-space character after `cut`."""
        j = self.right(cut)
        k = bisect_left(self.starts, j)
        return self.tokens[k] if k < len(self.tokens) and self.starts[k] == j else None

    def last_word(self, end: int) -> Any:
        """Kiwi's last token before `end` that is not punctuation or a symbol."""
        k = bisect_left(self.starts, end) - 1
        while k >= 0 and _base_tag(self.tokens[k]) in _PUNCT_TAGS:
            k -= 1
        return self.tokens[k] if k >= 0 else None

    def starts_continuation(self, cut: int) -> bool:
        """The next piece starts with a particle, ending, copula or suffix (라고, 이다, 은, 만…)."""
        token = self.first_token(cut)
        if token is None:
            return False
        if token.tag.startswith(_CONTINUATION_TAGS):
            return True
        # `"…" 하고 대답했다`, `"…" 하며`: the verb 하다 used as a quotative.
        k = bisect_left(self.starts, token.start)
        i = self.left(cut)
        return (
            token.form == "하"
            and token.tag.startswith("VV")
            and k + 1 < len(self.tokens)
            and self.tokens[k + 1].tag == "EC"
            and i >= 0
            and (self.text[i] in _CLOSERS or self.text[i] in _STRAIGHT)
        )

    def glued(self, cut: int) -> bool:
        """A cut with no space around it, except right after sentence-final punctuation; a
        closing quote glued to the next word (`"…있습니다."그가 말했다`) ends no sentence."""
        text = self.text
        before, after = text[cut - 1], text[cut]
        if _is_space(before) or _is_space(after):
            return False
        if after.isalnum() and (before in _CLOSERS or before in _STRAIGHT):
            return not self.opens(cut - 1)
        return not self.ends_sentence(cut)

    def mid_sentence_ellipsis(self, cut: int) -> bool:
        """The previous piece ends with an ellipsis that does not end a sentence.

        That is: after words that do not end a sentence (`이것은... 정말`, `필요한데... 하지만`);
        after a closing quote and glued to the next word, as in headlines (`"…하겠다"…한국`).
        An ellipsis before closing quotes counts only when the quotation opened inside a
        sentence (`기념비, '2000 M... 2500 M...' 진행 단계`), not when the quotation is a
        sentence of its own (`그가 말했다. "우리가 졌나..." 아니, …`).
        """
        text = self.text
        end = self.left(cut) + 1
        window = text[max(0, end - 16) : end]
        if not _ELLIPSIS.search(window):
            return False
        bare = _BARE_ELLIPSIS.search(window)
        if bare:
            dots = end - len(window) + bare.start()  # where the ellipsis starts
            glued = end == cut and not _is_space(text[cut])
            if glued and dots > 0 and (text[dots - 1] in _CLOSERS or text[dots - 1] in _STRAIGHT):
                return True
        else:
            start = self.quotation_start(cut)
            if start is None or self.left(start) < 0 or self.ends_sentence(self.left(start) + 1):
                return False
        last = self.last_word(end)
        if last is None:
            return False
        tag = _base_tag(last)
        return not (tag in ("EF", "IC") or (tag == "JX" and last.form in ("요", "이요")))


def _base_tag(token: Any) -> str:
    """The tag without Kiwi's irregular-conjugation mark (`VA-I` → `VA`)."""
    return token.tag.split("-")[0]
