# ruff: noqa: E501  (XML fixtures are kept one element a line)
"""TBX statuses (#16): an entry whose English terms are all deprecated is a "do not use" entry."""

from __future__ import annotations

from mt.qa.glossary import parse_glossary

TBX = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="c1">
  <langSet xml:lang="ko"><tig><term>상원 의원</term></tig></langSet>
  <langSet xml:lang="en">
    <tig><term>AM</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
    <tig><term>Assembly Member</term><termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></tig>
  </langSet>
</termEntry>
<termEntry id="c2">
  <langSet xml:lang="ko"><tig><term>의회</term></tig></langSet>
  <langSet xml:lang="en">
    <tig><term>Senedd</term></tig>
    <tig><term>Welsh Assembly</term><termNote type="normativeAuthorization">obsolete</termNote></tig>
  </langSet>
</termEntry>
</body></text></martif>
"""


def test_all_deprecated_entry_is_do_not_use_and_flagged():
    glossary = parse_glossary(TBX.encode(), "terms.tbx")
    entry = glossary["상원 의원"]
    assert entry.english == () and entry.avoid == ("AM", "Assembly Member") and entry.do_not_use
    source = "몇몇 상원 의원들은 의회의 이름에 실망하고 있다."
    # Never offered as a rendering, never enforced, never asked for.
    assert [m.term for m in glossary.find_terms(source)] == ["의회"]
    clean = "Some members are upset by the Senedd's name."
    assert glossary.violations(source, clean) == []
    assert glossary.post_correct(source, "Some AM are upset by the Senedd's name.") == (
        "Some AM are upset by the Senedd's name."
    )
    found = glossary.violations(
        source, "Some Assembly Member are upset by the Welsh Assembly's name."
    )
    assert [f.message for f in found] == [
        "'Assembly Member' is a deprecated term for '상원 의원' (do not use)",
        "'Welsh Assembly' is a wrong rendering of '의회'; use 'Senedd'",
    ]
