"""The one default-title rule of an article given no title (`mt.drafting.default_title`)."""

from __future__ import annotations

import pytest

from mt.drafting import default_title


@pytest.mark.parametrize(
    ("filename", "text", "title"),
    [
        ("기사.txt", "\n  서울 버스 요금 오른다 \n본문.", "서울 버스 요금 오른다"),
        ("기사.txt", "가" * 121 + "\n본문.", "기사"),
        (None, "가" * 121 + "\n본문.", "가" * 120),
        ("dir/news.docx", "", "news"),
        (None, " \n ", "Untitled"),
    ],
    ids=["headline", "long-line-file-name", "long-line-no-file", "empty-text", "blank"],
)
def test_default_title(filename, text, title):
    assert default_title(filename, text) == title
