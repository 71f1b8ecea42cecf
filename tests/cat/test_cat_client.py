# ruff: noqa: E501  (XML fixtures are kept one element a line)
"""A client's XLIFF through the desk and back (#16, item 7): `transdesk import` keeps the
client's ids, notes, translations (human drafts) and approvals; `export --like` writes the
client's own file back, equal to what the client sent but for the targets and their states.

The files are written here with Korean news sentences (NTREX-128): XLIFF 1.2 as MateCat and
Okapi write it (single-quoted declaration, comments, notes, inline codes, segmented
`seg-source`, a `translate="no"` unit, CRLF line ends), SDLXLIFF with Trados confirmation
levels and a lock, and XLIFF 2.0 with notes, a `subState` and a unit of two segments.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest

from mt.drafting import import_file, retranslate_document
from mt.errors import InputError, InvalidValue
from mt.exchange.client import export_like
from mt.exchange.xliff_import import import_xliff
from mt.report import report
from mt.revising import approve_segment, save_segment
from mt.store import list_comments, list_documents, list_segments
from tests.conftest import run_cli, shared_lines
from tests.store.conftest import TableEngine

X12 = "urn:oasis:names:tc:xliff:document:1.2"
X20 = "urn:oasis:names:tc:xliff:document:2.0"
SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"


@pytest.fixture(scope="module")
def ko() -> list[str]:
    return [escape(line) for line in shared_lines("ntrex128", "ko", 12)]


def plain(text: str) -> str:
    """The Korean text as the desk stores it (entities read)."""
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def xliff12(ko: list[str]) -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8'?>\r
<!-- written by MateCat -->\r
<xliff version='1.2' xmlns='{X12}' xmlns:mtc="https://www.matecat.com">\r
<file original='news.html' source-language='ko-KR' target-language='en-US' datatype='html'>\r
<header><skl><external-file href='news.skl'/></skl><note>Client: Yonhap</note></header>\r
<body>\r
  <trans-unit id='101' resname='title' mtc:words="7">\r
    <source>{ko[0][:6]}<g id='1' ctype='bold'>{ko[0][6:]}</g></source>\r
    <note from='pm'>Headline: keep it short</note>\r
  </trans-unit>\r
  <trans-unit id='102'>\r
    <source>{ko[1]}</source>\r
    <target state='translated' state-qualifier='leveraged-tm'>The client's own translation.</target>\r
  </trans-unit>\r
  <trans-unit id='103' approved='yes'>\r
    <source>{ko[2]}<x id='2' ctype='image'/></source>\r
    <target state='signed-off'>Approved by the client.<x id='2' ctype='image'/></target>\r
  </trans-unit>\r
  <trans-unit id='104'>\r
    <source>{ko[3]} {ko[4]}</source>\r
    <seg-source><mrk mtype='seg' mid='1'>{ko[3]}</mrk> <mrk mtype='seg' mid='2'>{ko[4]}</mrk></seg-source>\r
    <target><mrk mtype='seg' mid='1'>Second one, translated.</mrk> <mrk mtype='seg' mid='2'></mrk></target>\r
  </trans-unit>\r
  <trans-unit id='105' translate='no'>\r
    <source>{ko[5]}</source>\r
  </trans-unit>\r
  <trans-unit id='106'>\r
    <source>{ko[6]}</source>\r
    <target/>\r
  </trans-unit>\r
</body>\r
</file>\r
</xliff>\r
""".encode()


def segments_by_source(store, doc):
    return {s.source: s for s in list_segments(store, doc)}


def test_xliff12_round_trip_keeps_the_client_file(store, ko, tmp_path):
    original = xliff12(ko)
    path = tmp_path / "news.xlf"
    path.write_bytes(original)
    mt = {plain(ko[0]): "Headline draft", plain(ko[4]): "Fourth draft", plain(ko[6]): "Last draft"}
    doc = import_file(store, path, engine=TableEngine("table-mt", mt), created_by="kim")
    segs = list_segments(store, doc)
    # One segment per client segment, in order; translate="no" left out.
    assert [s.source for s in segs] == [
        plain(k) for k in (ko[0], ko[1], ko[2], ko[3], ko[4], ko[6])
    ]
    assert [(s.status, s.target) for s in segs] == [
        ("draft", "Headline draft"),
        ("draft", "The client's own translation."),
        ("approved", "Approved by the client."),
        ("draft", "Second one, translated."),
        ("draft", "Fourth draft"),
        ("draft", "Last draft"),
    ]
    assert [s.draft.origin for s in segs] == ["mt", "human", "human", "human", "mt", "mt"]
    assert [s.paragraph for s in segs] == [1, 2, 3, 4, 4, 5]
    assert [c.text for c in list_comments(store, segs[0].id)] == ["pm: Headline: keep it short"]

    # Untouched: the file comes back byte for byte but for MT suggestions in empty targets.
    out = tmp_path / "back.xlf"
    out.write_bytes(export_like(store, doc))
    mt_state = 'state="needs-review-translation" state-qualifier="mt-suggestion"'
    expected = (
        original.decode()
        .replace("target-language='en-US'", "target-language='en-US'")
        .replace(
            f"<g id='1' ctype='bold'>{ko[0][6:]}</g></source>\r\n",
            f"<g id='1' ctype='bold'>{ko[0][6:]}</g></source>\r\n"
            f'    <target {mt_state}><g id="1" ctype="bold">Headline draft</g></target>\r\n',
        )
        .replace(
            "<mrk mtype='seg' mid='2'></mrk></target>",
            "<mrk mtype='seg' mid='2'>Fourth draft</mrk></target>",
        )
        .replace("<target/>", f"<target {mt_state}>Last draft</target>")
    )
    # the segment mark's state is the target's: the whole target is marked MT
    expected = expected.replace(
        "<target><mrk mtype='seg' mid='1'>Second",
        f"<target {mt_state}><mrk mtype='seg' mid='1'>Second",
    )
    assert out.read_bytes().decode() == expected

    # Edit, approve, keep: only targets and their states change.
    save_segment(store, segs[0].id, "Seoul & Busan", editor="kim", base_version=segs[0].version)
    approve_segment(store, segs[1].id, editor="kim", base_version=segs[1].version)
    save_segment(store, segs[5].id, "The last one.", editor="kim", base_version=segs[5].version)
    approve_segment(store, segs[5].id, editor="kim", base_version=segs[5].version + 1)
    out.write_bytes(export_like(store, doc, like=path))
    expected = (
        original.decode()
        .replace(
            f"<g id='1' ctype='bold'>{ko[0][6:]}</g></source>\r\n",
            f"<g id='1' ctype='bold'>{ko[0][6:]}</g></source>\r\n"
            '    <target state="translated"><g id="1" ctype="bold">Seoul &amp; Busan</g></target>\r\n',
        )
        .replace(
            "<trans-unit id='102'>",
            "<trans-unit id='102' approved=\"yes\">",
        )
        .replace(
            "<target state='translated' state-qualifier='leveraged-tm'>",
            "<target state='signed-off'>",
        )
        .replace(
            "<mrk mtype='seg' mid='2'></mrk></target>",
            "<mrk mtype='seg' mid='2'>Fourth draft</mrk></target>",
        )
        .replace(
            "<target><mrk mtype='seg' mid='1'>Second",
            f"<target {mt_state}><mrk mtype='seg' mid='1'>Second",
        )
        .replace("<trans-unit id='106'>", "<trans-unit id='106' approved=\"yes\">")
        .replace("<target/>", '<target state="signed-off">The last one.</target>')
    )
    assert out.read_bytes().decode() == expected


def test_import_xliff_takes_the_client_ids_back(store, ko, tmp_path):
    path = tmp_path / "news.xlf"
    path.write_bytes(xliff12(ko))
    doc = import_file(store, path, engine=TableEngine("m", {}), created_by="kim")
    out = tmp_path / "back.xlf"
    out.write_bytes(export_like(store, doc))
    # The translator fills unit 106 and confirms it; the client's own translation is left alone.
    edited = out.read_bytes().replace(
        b"<target/>", b"<target state='translated'>Done in OmegaT.</target>"
    )
    out.write_bytes(edited)
    result = import_xliff(store, out, editor="lee")
    assert result.document_ids == (doc,)
    by_source = segments_by_source(store, doc)
    last = by_source[plain(ko[6])]
    assert (last.target, last.status) == ("Done in OmegaT.", "edited")
    assert len(result.saved) == 1 and not result.approved
    assert by_source[plain(ko[1])].status == "draft"  # the client's translation: untouched
    assert by_source[plain(ko[2])].status == "approved"


def test_a_client_xliff_is_drafted_by_one_model(store, ko, tmp_path):
    """Model A/B splits a plain article between models; a client's file is refused for it,
    before anything is stored."""
    path = tmp_path / "news.xlf"
    path.write_bytes(xliff12(ko))
    two = [TableEngine("a", {}), TableEngine("b", {})]
    error = r"^news\.xlf: a client's XLIFF is drafted by one model; compare models on a plain"
    with pytest.raises(InvalidValue, match=error):
        import_file(store, path, engine=two, created_by="kim")
    assert list_documents(store) == []


def test_human_drafts_stay_out_of_hter_and_retranslation(store, ko, tmp_path):
    path = tmp_path / "news.xlf"
    path.write_bytes(xliff12(ko))
    doc = import_file(
        store, path, engine=TableEngine("m", {plain(ko[6]): "Draft."}), created_by="kim"
    )
    by_source = segments_by_source(store, doc)
    human = by_source[plain(ko[1])]
    save_segment(store, human.id, "A human text, revised.", editor="kim", base_version=1)
    rep = report(store, document_id=doc)
    assert rep["scored"] == 0 and rep["hter"] is None
    assert rep["human_draft_segments"] == 3
    assert rep["models"] == []
    retranslate_document(store, doc, engine=TableEngine("m2", {plain(ko[3]): "MT instead."}))
    again = segments_by_source(store, doc)
    assert again[plain(ko[3])].target == "Second one, translated."  # kept
    assert again[plain(ko[2])].target == "Approved by the client."


SDLXLIFF = """<?xml version="1.0" encoding="utf-8"?><xliff xmlns:sdl="{SDL}" version="1.2" sdl:version="1.0" xmlns="{X12}"><file original="C:\\news.docx" datatype="x-sdlfilterframework2" source-language="ko-KR" target-language="en-US"><header><file-info xmlns="http://sdl.com/FileTypes/SdlXliff/1.0"><value key="SDL:FileId">a1</value></file-info></header><body>
<trans-unit id="a1"><source>{k0}</source><seg-source><mrk mtype="seg" mid="1">{k0}</mrk></seg-source><target><mrk mtype="seg" mid="1">Translated in Trados.</mrk></target><sdl:seg-defs><sdl:seg id="1" conf="Translated" origin="interactive" /></sdl:seg-defs></trans-unit>
<trans-unit id="a2"><source>{k1}</source><seg-source><mrk mtype="seg" mid="2">{k1}</mrk></seg-source><target><mrk mtype="seg" mid="2">Signed off.</mrk></target><sdl:seg-defs><sdl:seg id="2" conf="ApprovedSignOff" origin="interactive" /></sdl:seg-defs></trans-unit>
<trans-unit id="a3"><source>{k2}</source><seg-source><mrk mtype="seg" mid="3">{k2}</mrk></seg-source><target><mrk mtype="seg" mid="3">Locked.</mrk></target><sdl:seg-defs><sdl:seg id="3" conf="Draft" locked="true" /></sdl:seg-defs></trans-unit>
<trans-unit id="a4"><source>{k3}</source><seg-source><mrk mtype="seg" mid="4">{k3}</mrk></seg-source><sdl:seg-defs><sdl:seg id="4" /></sdl:seg-defs></trans-unit>
</body></file></xliff>"""


def test_sdlxliff_confirmation_levels_round_trip(store, ko, tmp_path):
    original = SDLXLIFF.format(SDL=SDL, X12=X12, k0=ko[0], k1=ko[1], k2=ko[2], k3=ko[3]).encode()
    path = tmp_path / "news.docx.sdlxliff"
    path.write_bytes(original)
    doc = import_file(
        store, path, engine=TableEngine("m", {plain(ko[3]): "Machine."}), created_by="kim"
    )
    segs = list_segments(store, doc)
    assert [(s.status, s.draft.origin) for s in segs] == [
        ("draft", "human"),
        ("approved", "human"),
        ("approved", "human"),
        ("draft", "mt"),
    ]
    save_segment(store, segs[0].id, "Revised at the desk.", editor="kim", base_version=1)
    approve_segment(store, segs[3].id, editor="kim", base_version=1)
    out = tmp_path / "back.sdlxliff"
    out.write_bytes(export_like(store, doc))
    expected = (
        original.decode()
        .replace(
            '<mrk mtype="seg" mid="1">Translated in Trados.</mrk></target><sdl:seg-defs><sdl:seg id="1" conf="Translated"',
            '<mrk mtype="seg" mid="1">Revised at the desk.</mrk></target><sdl:seg-defs><sdl:seg id="1" conf="Translated"',
        )
        .replace(
            '<target><mrk mtype="seg" mid="1">',
            '<target state="translated"><mrk mtype="seg" mid="1">',
        )
        .replace(
            f'<mrk mtype="seg" mid="4">{ko[3]}</mrk></seg-source>',
            f'<mrk mtype="seg" mid="4">{ko[3]}</mrk></seg-source>'
            f'<target state="signed-off"><mrk mtype="seg" mid="4">Machine.</mrk></target>',
        )
        .replace('<sdl:seg id="4" />', '<sdl:seg id="4" conf="ApprovedTranslation" />')
    )
    assert out.read_bytes().decode() == expected


def xliff20(ko: list[str]) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xliff xmlns="{X20}" xmlns:mda="urn:oasis:names:tc:xliff:metadata:2.0" version="2.0" srcLang="ko" trgLang="en">
  <file id="f1" original="news.txt">
    <unit id="u1" name="lead">
      <mda:metadata><mda:metaGroup><mda:meta type="k">v</mda:meta></mda:metaGroup></mda:metadata>
      <notes><note category="context">Lead sentence</note></notes>
      <segment id="s1" state="translated" subState="tool:checked">
        <source>{ko[0][:5]}<pc id="1" dataRefStart="b1">{ko[0][5:]}</pc></source>
        <target>Translated by the client.</target>
      </segment>
      <ignorable><source> </source></ignorable>
      <segment id="s2">
        <source>{ko[1]}<ph id="2" dataRef="lb"/></source>
      </segment>
    </unit>
    <unit id="u2">
      <segment state="final"><source>{ko[2]}</source><target>Final by the client.</target></segment>
    </unit>
  </file>
</xliff>
""".encode()


def test_xliff20_round_trip(store, ko, tmp_path):
    original = xliff20(ko)
    path = tmp_path / "news.xlf"
    path.write_bytes(original)
    doc = import_file(
        store, path, engine=TableEngine("m", {plain(ko[1]): "Second."}), created_by="kim"
    )
    segs = list_segments(store, doc)
    assert [(s.status, s.target) for s in segs] == [
        ("draft", "Translated by the client."),
        ("draft", "Second."),
        ("approved", "Final by the client."),
    ]
    assert [c.text for c in list_comments(store, segs[0].id)] == ["context: Lead sentence"]
    save_segment(store, segs[0].id, "Edited at the desk.", editor="kim", base_version=1)
    approve_segment(store, segs[1].id, editor="kim", base_version=1)
    out = tmp_path / "back.xlf"
    result = run_cli(
        "export", str(doc), "--format", "xliff", "-o", str(out), "--db", store.url, "--original"
    )
    assert result.exit_code == 0, result.output
    expected = (
        original.decode()
        .replace(
            '<segment id="s1" state="translated" subState="tool:checked">',
            '<segment id="s1" state="translated">',
        )
        .replace(
            "<target>Translated by the client.</target>",
            '<target><pc id="1" dataRefStart="b1">Edited at the desk.</pc></target>',
        )
        .replace('<segment id="s2">', '<segment id="s2" state="final">')
        .replace(
            f'<source>{ko[1]}<ph id="2" dataRef="lb"/></source>\n',
            f'<source>{ko[1]}<ph id="2" dataRef="lb"/></source>\n'
            f'        <target>Second.<ph id="2" dataRef="lb"/></target>\n',
        )
    )
    assert out.read_bytes().decode() == expected


def test_cli_import_and_export_like(store, ko, tmp_path, tiny_model_dir):
    path = tmp_path / "news.xlf"
    path.write_bytes(xliff12(ko))
    db = ["--db", store.url]
    done = run_cli(
        "import",
        str(path),
        "--model",
        str(tiny_model_dir),
        "--engine",
        "ctranslate2",
        "--json",
        "--quiet",
        *db,
    )
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout.strip().splitlines()[-1])["document_id"]
    out = tmp_path / "back.xlf"
    wrong = run_cli("export", str(doc), "--format", "tmx", "--like", str(path), "-o", str(out), *db)
    assert wrong.exit_code != 0
    other = tmp_path / "other.xlf"
    other.write_bytes(xliff12(list(reversed(ko))))
    refused = run_cli(
        "export", str(doc), "--format", "xliff", "--like", str(other), "-o", str(out), *db
    )
    assert refused.exit_code == InputError.exit_code and refused.stderr.startswith("Error: ")
    assert "unit 101 is missing or has another source" in refused.stderr
    ok = run_cli("export", str(doc), "--format", "xliff", "--like", str(path), "-o", str(out), *db)
    assert ok.exit_code == 0, ok.output
    back = out.read_bytes()
    assert b"<trans-unit id='103' approved='yes'>" in back
    assert b"Approved by the client." in back
