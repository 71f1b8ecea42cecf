"""The input budget: how big a file Transdesk reads, so that reading any accepted one stays
well under 1 GB of memory (CLI and web alike).

| limit | value | why |
| --- | --- | --- |
| `MAX_INPUT_BYTES` | 32 MiB | any input file, upload or stdin; a long news article is ~50 KB |
| `MAX_XML_MARKUP` | 2,000,000 | tags (`<`) in an XLIFF or TMX file, or in any part of a Word file |
| `MAX_DOCX_UNPACKED_BYTES` | 256 MiB | a Word file's parts, unpacked (zip bombs) |
| `MAX_DOCX_PARTS` | 2,000 | files inside a Word file |
| `MAX_DOCX_PARAGRAPHS` | 50,000 | paragraphs of a Word document (a long article has 100) |
| `MAX_DOCX_TEXT_CHARS` | 16,000,000 | characters of text in a Word document |

A Word file is checked by streaming its XML parts (`mt.formats.docx`) before python-docx parses
them, counting tags, paragraphs and characters as they go by, so a small zip holding millions
of empty paragraphs is refused after reading a few megabytes. XML is counted by its `<`
characters before lxml builds a tree (each element, comment or processing instruction needs
one), which caps lxml's ~100–200 bytes per node. Measured peaks are in SECURITY.md.
"""

from __future__ import annotations

MAX_INPUT_BYTES = 32 * 2**20
MAX_XML_MARKUP = 2_000_000
MAX_DOCX_UNPACKED_BYTES = 256 * 2**20
MAX_DOCX_PARTS = 2_000
MAX_DOCX_PARAGRAPHS = 50_000
MAX_DOCX_TEXT_CHARS = 16_000_000


def megabytes(n: int) -> str:
    """`n` bytes as "32 MB" for messages."""
    return f"{n / 2**20:g} MB"
