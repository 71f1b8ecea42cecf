"""The desk's side of #19: consistency in the QA stored with saves and in the editor's aids,
established forms from the TM, `transdesk glossary suggest`, the house style setting, and
`transdesk check` with consistency and style."""

from __future__ import annotations

import json
import re

import pytest

from mt.aids import segment_aids
from mt.desk import (
    accept_suggestions,
    desk_forms,
    desk_style,
    desk_style_text,
    set_desk_style,
    suggest_terms,
)
from mt.drafting import create_document
from mt.errors import InputError, PermissionDenied
from mt.qa.style import check_style, load_style, parse_style
from mt.revising import save_segment
from mt.store import add_user, edit_events, list_glossary, list_segments
from mt.store.tm import add_pairs
from tests.conftest import run_cli, shared_lines
from tests.store.conftest import TableEngine

SOURCES = [
    "이명박 대통령은 반기문 유엔 사무총장과 부산에서 만났다.",
    "이 대통령은 반 총장에게 감사를 표했다.",
    "국민의힘은 부산에서 대회를 열었다.",
]
TARGETS = [
    "President Lee Myung-bak met UN Secretary-General Ban Ki-moon in Busan.",
    "Lee thanked Ban.",
    "The People Power Party held a rally in Busan.",
]


def _doc(store) -> int:
    engine = TableEngine("ref", dict(zip(SOURCES, TARGETS, strict=True)))
    return create_document(
        store, "\n".join(SOURCES), title="t", engine=engine, created_by="kim", segment_mode="line"
    )


def test_save_stores_consistency_findings_with_the_established_form(store) -> None:
    doc = _doc(store)
    segs = list_segments(store, doc)
    text = "The People Power Party held a rally in Pusan."
    save_segment(store, segs[2].id, text, editor="kim", base_version=segs[2].version)
    last = [e for e in edit_events(store, segment_id=segs[2].id) if e.kind == "save"][-1]
    found = [f for f in last.findings if f["check"] == "consistency"]
    assert [(f["span"], f["suggestion"]) for f in found] == [([39, 44], "Busan")]
    # The editor's aids see the saved text, and check the text in the box before a save.
    seg = list_segments(store, doc)[1]
    aids = segment_aids(store, seg, text="Lee Myeong-bak thanked Ban.")
    assert [(f.check, f.suggestion) for f in aids.findings] == [("consistency", "Lee Myung-bak")]
    assert [(n.korean, n.english) for n in aids.names] == [
        ("이명박", "Lee Myeong-bak"),
        ("반기문", "Ban Gi-mun"),
    ]
    assert not segment_aids(store, seg).findings


def test_tm_renderings_become_the_desk_form_and_suggestions(store) -> None:
    add_pairs(
        store,
        [
            ("반기문 총장이 왔다.", "UN chief Ban Ki-moon came."),
            ("반기문 총장은 웃었다.", "Ban Ki-moon smiled."),
            ("한화는 투자를 늘렸다.", "Hanwha raised investment."),
            ("한화가 발표했다.", "Hanwha announced it."),
        ],
    )
    assert desk_forms(store).forms == {"반기문": "Ban Ki-moon", "한화": "Hanwha"}
    found = suggest_terms(store, min_count=2)
    assert [(s.korean, s.english, s.count, s.total) for s in found] == [
        ("반기문", "Ban Ki-moon", 2, 2),
        ("한화", "Hanwha", 2, 2),
    ]
    assert suggest_terms(store, min_count=3) == []
    with pytest.raises(InputError, match=r"^the minimum count must be at least 1$"):
        suggest_terms(store, min_count=0)
    # A new TM pair is picked up without rebuilding; accepted terms leave the suggestions.
    add_pairs(store, [("반기문 총장이 떠났다.", "Ban Ki-moon left.")])
    assert suggest_terms(store, min_count=3)[0].count == 3
    assert accept_suggestions(store, found[:1]) == 1
    assert [(t.korean, t.english) for t in list_glossary(store)] == [("반기문", ("Ban Ki-moon",))]
    assert [s.korean for s in suggest_terms(store)] == ["한화"]


def test_glossary_suggest_command(store, store_url) -> None:
    add_pairs(
        store,
        [
            ("반기문 총장이 왔다.", "Ban Ki-moon came."),
            ("반기문 총장은 웃었다.", "Ban Ki-moon smiled."),
        ],
    )
    code, out, err = run_cli("glossary", "suggest", "--db", store_url, "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["ko"], r["en"], r["count"], r["total"]) for r in rows] == [
        ("반기문", "Ban Ki-moon", 2, 2)
    ]
    assert rows[0]["examples"][0] == {"ko": "반기문 총장이 왔다.", "en": "Ban Ki-moon came."}
    assert err == "1 suggestion(s) (seen at least 2 times)\n"


def test_desk_style_setting(store) -> None:
    assert desk_style_text(store) is None
    assert desk_style(store) == load_style()
    set_desk_style(store, "[percent]\nenabled = true\n")
    assert desk_style(store).enabled("percent")
    with pytest.raises(InputError, match=r"desk style: unknown style rule \[typo\]"):
        set_desk_style(store, "[typo]\nenabled = true\n")
    add_user(store, "boss", role="admin", password="correct horse battery")
    add_user(store, "kim", role="editor", password="correct horse battery", by="boss")
    error = r"^kim is an editor; to change the house style needs an admin$"
    with pytest.raises(PermissionDenied, match=error):
        set_desk_style(store, None, by="kim")
    set_desk_style(store, None, by="boss")
    assert desk_style_text(store) is None


# --- house style ------------------------------------------------------------------------------


def test_default_style_is_silent_on_reference_translations() -> None:
    style = load_style()
    en = shared_lines("ntrex128", "en")
    assert not [t for i, t in enumerate(en) if check_style(t, style, headline=i == 0)]


@pytest.mark.parametrize(
    ("toml", "text", "messages"),
    [
        ("", "Sales rose to 1.2 trillion won ($870 million).", []),
        ("", "Sales rose to 1.2 trillion won ($1.2 billion).",
         ["'($1.2 billion)' does not match '1.2 trillion won' at 1380 won to the dollar "
          "(about $869.6 million)"]),
        ("won_dollar.require_dollar = true", "It cost 5 billion won.",
         ["'5 billion won' needs its dollar equivalent, about ($3.6 million)"]),
        ("percent.enabled = true", "Up 3%.", ["write 'percent', not '%'"]),
        ('percent.enabled = true\npercent.write = "%"', "Up 3 percent.",
         ["write '%', not 'percent'"]),
        ("dates.enabled = true", "On 22 May and May 23rd.",
         ["write dates month first: 'May 22'", "no ordinal in dates: 'May 23'"]),
        ("", "Lee Jae-myung President said so.",
         ["title after the name: write 'President Lee Jae-myung'"]),
        ("", "Samsung Electronics Chairman Lee Jae-yong said so.", []),
    ],
)  # fmt: skip
def test_style_rules(toml: str, text: str, messages: list[str]) -> None:
    assert [f.message for f in check_style(text, parse_style(toml))] == messages


def test_headline_rules_apply_to_the_headline_only() -> None:
    style = parse_style('headline.final_period = false\nheadline.case = "title"')
    text = "Chip exports rise again."
    assert [f.message for f in check_style(text, style, headline=True)] == [
        "no final period in a headline",
        "headline in title case: capitalise 'exports'",
    ]
    assert check_style(text, style) == []


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ("[x", "not a valid TOML style file"),
        ("[percent]\nwrite = 'pct'", "[percent] write must be one of 'percent', '%'"),
        ("[percent]\nenabled = 'yes'", "[percent] enabled must be bool, not 'yes'"),
        ("[headline]\nlength = 3", "unknown key 'length' in [headline]"),
        ("won_dollar.won_per_dollar = 0", "needs won_per_dollar > 0"),
    ],
)
def test_bad_style_files(toml: str, error: str) -> None:
    with pytest.raises(InputError, match=f"^house\\.toml: .*{re.escape(error)}") as e:
        parse_style(toml, "house.toml")
    assert str(e.value).startswith("house.toml: ") and error in str(e.value)


# --- transdesk check ---------------------------------------------------------------------------


def test_check_treats_the_file_pair_as_one_article(tmp_path) -> None:
    src, tgt, style = tmp_path / "ko.txt", tmp_path / "en.txt", tmp_path / "house.toml"
    src.write_text("\n".join(SOURCES) + "\n", encoding="utf-8")
    targets = [*TARGETS[:2], TARGETS[2].replace("Busan", "Pusan")]
    tgt.write_text("\n".join(targets) + "\n", encoding="utf-8")
    code, out, err = run_cli("check", "-s", str(src), "-t", str(tgt), "--json")
    assert code == 1
    assert [json.loads(line) for line in out.splitlines()] == [
        {
            "line": 3,
            "findings": [
                {
                    "check": "consistency",
                    "severity": "warning",
                    "message": "'Pusan' for 부산: elsewhere in this article it is 'Busan'",
                    "span": [39, 44],
                    "suggestion": "Busan",
                }
            ],
        }
    ]
    assert err == "1 finding(s) on 1 of 3 lines (consistency 1)\n"
    style.write_text("[headline]\nmax_chars = 20\n", encoding="utf-8")
    code, out, err = run_cli(
        "check", "-s", str(src), "-t", str(tgt), "--style", str(style),
        "--checks", "style",
    )  # fmt: skip
    assert (code, out) == (1, "1: style: headline is 70 characters (at most 20)\n")
    style.write_text("[headline]\nmax_chars = 'x'\n", encoding="utf-8")
    code, out, err = run_cli("check", "-s", str(src), "-t", str(tgt), "--style", str(style))
    assert (code, out) == (3, "")
    assert err == f"Error: {style}: [headline] max_chars must be int, not 'x'\n"
