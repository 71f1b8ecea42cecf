"""`transdesk check` end to end through `mt.cli.main`: output, exit codes, errors, and the
issue's acceptance test on a file built from NTREX references with planted errors."""

from __future__ import annotations

import json
import re

import pytest

from mt.cli import app
from mt.qa.checks import check_pair
from mt.qa.glossary import Glossary
from tests.conftest import run_cli, shared_lines

SOURCE = [
    "매출이 3조 원을 넘었다.",
    "행사는 5월 22일에 열린다.",
    "네이버는 1만2000명을 고용했다.",
]
TARGET = [
    "Sales topped 3 trillion won.",
    "The event is on May 22.",
    "Naver employs 12,000 people.",
]


@pytest.fixture
def files(tmp_path):
    def write(source: list[str], target: list[str], *, encoding: str = "utf-8"):
        src, tgt = tmp_path / "ko.txt", tmp_path / "en.txt"
        src.write_bytes(("\n".join(source) + "\n").encode(encoding))
        tgt.write_text("\n".join(target) + "\n", encoding="utf-8")
        return str(src), str(tgt)

    return write


def test_clean_files_exit_0(files):
    src, tgt = files(SOURCE, TARGET)
    code, out, err = run_cli("check", "--source", src, "--target", tgt)
    assert (code, out, err) == (0, "", "No findings on 3 lines.\n")


def test_findings_are_listed_and_exit_1(files):
    target = [TARGET[0].replace("trillion", "billion"), TARGET[1], "Naver  employs 이천 people."]
    src, tgt = files(SOURCE, target)
    code, out, err = run_cli("check", "-s", src, "-t", tgt)
    assert code == 1
    assert out.splitlines() == [
        "1: numbers: 3조 (= 3,000,000,000,000) in the source is missing from the target",
        "1: numbers: 3 billion (= 3,000,000,000) in the target is not in the source",
        "3: numbers: 1만2000 (= 12,000) in the source is missing from the target",
        "3: hangul: untranslated Korean: '이천'",
        "3: spaces: doubled space",
    ]
    assert err == "5 finding(s) on 2 of 3 lines (hangul 1, numbers 3, spaces 1)\n"


def test_json_output_one_object_per_line_with_findings(files):
    target = [TARGET[0], "The event is on June 22.", TARGET[2]]
    src, tgt = files(SOURCE, target)
    code, out, err = run_cli("check", "-s", src, "-t", tgt, "--json")
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert records == [
        {
            "line": 2,
            "findings": [
                {
                    "check": "numbers",
                    "severity": "error",
                    "message": "5월 (month 5) in the source is missing from the target",
                },
                {
                    "check": "numbers",
                    "severity": "error",
                    "message": "June (month 6) in the target is not in the source",
                    "span": [16, 20],
                },
            ],
        }
    ]
    assert target[1][16:20] == "June"
    assert "2 finding(s) on 1 of 3 lines" in err


def test_checks_option_selects(files):
    target = [TARGET[0].replace("trillion", "billion") + " ", TARGET[1], TARGET[2]]
    src, tgt = files(SOURCE, target)
    code, out, _ = run_cli("check", "-s", src, "-t", tgt, "--checks", "spaces")
    assert (code, out) == (1, "1: spaces: trailing whitespace\n")
    code, out, _ = run_cli("check", "-s", src, "-t", tgt, "--checks", "hangul")
    assert (code, out) == (0, "")


def test_glossary_option(files, tmp_path):
    glossary = tmp_path / "terms.csv"
    glossary.write_text("ko,en\n네이버,Naver\n", encoding="utf-8")
    target = [*TARGET[:2], "Neighbor employs 12,000 people."]
    src, tgt = files(SOURCE, target)
    code, out, _ = run_cli("check", "-s", src, "-t", tgt, "-g", str(glossary))
    assert (code, out) == (1, "3: glossary: '네이버' should be translated as 'Naver'\n")


def test_korean_legacy_encoding_is_read(files):
    src, tgt = files(SOURCE, TARGET, encoding="cp949")
    code, _, err = run_cli("check", "-s", src, "-t", tgt)
    assert (code, err) == (0, "No findings on 3 lines.\n")


def test_misaligned_files_exit_3(files):
    src, tgt = files(SOURCE, TARGET[:2])
    code, out, err = run_cli("check", "-s", src, "-t", tgt)
    assert (code, out) == (3, "")
    assert err == (
        f"Error: {src} has 3 lines but {tgt} has 2; the files must be aligned line by line\n"
    )


def test_unreadable_inputs_exit_3(files, tmp_path):
    src, tgt = files(SOURCE, TARGET)
    missing = str(tmp_path / "nope.txt")
    code, _, err = run_cli("check", "-s", missing, "-t", tgt)
    assert (code, err) == (3, f"Error: {missing}: no such file\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"abc\n\xff\xfe\xfa\x00\n")
    code, _, err = run_cli("check", "-s", src, "-t", str(bad))
    assert code == 3
    assert err.startswith(f"Error: {bad}: ")
    glossary = tmp_path / "g.csv"
    glossary.write_text("term,translation\n네이버,Naver\n", encoding="utf-8")
    code, _, err = run_cli("check", "-s", src, "-t", tgt, "-g", str(glossary))
    assert (code, err) == (
        3,
        "Error: g.csv: no column 'ko' (or 'source') (columns: term, translation)\n",
    )


def test_unknown_check_exits_2(files):
    src, tgt = files(SOURCE, TARGET)
    code, out, err = run_cli("check", "-s", src, "-t", tgt, "--checks", "typos")
    assert (code, out) == (2, "")
    assert err == (
        "Error: --checks: unknown check 'typos' (choose from numbers, hangul, sentences, "
        "quotes, brackets, spaces, glossary, consistency, style)\n"
    )


def test_help_documents_exit_codes():
    command = next(c for c in app.registered_commands if c.name == "check")
    assert command.help
    code, out, _ = run_cli("check", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "Exit status: 0 no findings, 1 findings, 2 misused options" in text
    assert "--glossary" in text and "--json" in text


# --- the acceptance test ------------------------------------------------------------

NAMES = {
    "캐버노": "Kavanaugh", "첼시": "Chelsea", "리버풀": "Liverpool", "팔루": "Palu",
    "페이스북": "Facebook", "구글": "Google", "폼페이오": "Pompeo", "미켈슨": "Mickelson",
    "롬복": "Lombok", "닐슨": "Nielsen", "트럼프": "Trump",
}  # fmt: skip
_SCALE = re.compile(r"(?<=\d)\s?(thousand|million|billion|trillion|bn|m)\b")
_SWAP = {"thousand": "million", "million": "billion", "billion": "trillion",
         "trillion": "billion", "bn": "tn", "m": "bn"}  # fmt: skip
_DIGITS = re.compile(r"\d+")


def _plant(ko: str, en: str, glossary: Glossary, turn: int) -> tuple[str, str] | None:
    """(kind, wrong target) for a line whose reference passes the relevant check, or None."""
    terms = glossary.find_terms(ko)
    if terms and not glossary.violations(ko, en) and turn % 2 == 0:
        return "glossary", re.sub(rf"\b{re.escape(terms[0].english)}\b", "the man", en)
    if check_pair(ko, en, checks=["numbers"]):
        return None
    scale = _SCALE.search(en)
    if scale:
        return "numbers", en[: scale.start(1)] + _SWAP[scale.group(1)] + en[scale.end(1) :]
    m = _DIGITS.search(en)
    if m and turn % 3 == 0:
        source_digits = set(_DIGITS.findall(ko.replace(",", "")))
        for shift in (5, 3, 7):
            new = str((int(m.group(0)[0]) + shift) % 10 or 1) + m.group(0)[1:]
            if new not in source_digits:
                return "numbers", en[: m.start()] + new + en[m.end() :]
    return None


def test_acceptance_on_ntrex_with_planted_errors(tmp_path):
    """Every planted number, unit and glossary error is found; under 5% of untouched lines
    get any warning."""
    ko, en = shared_lines("ntrex128", "ko"), shared_lines("ntrex128", "en")
    glossary = Glossary.from_dict(NAMES)
    target, planted = [], {}
    for i, (k, e) in enumerate(zip(ko, en, strict=True), start=1):
        plant = _plant(k, e, glossary, i)
        if plant:
            planted[i] = plant[0]
            e = plant[1]
        target.append(e)
    (tmp_path / "ko.txt").write_text("\n".join(ko) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(target) + "\n", encoding="utf-8")
    terms = tmp_path / "names.csv"
    terms.write_text("ko,en\n" + "".join(f"{k},{v}\n" for k, v in NAMES.items()), "utf-8")

    code, out, _ = run_cli(
        "check", "-s", str(tmp_path / "ko.txt"), "-t", str(tmp_path / "en.txt"),
        "-g", str(terms), "--json",
    )  # fmt: skip
    assert code == 1
    reported = {}
    for line in out.splitlines():
        record = json.loads(line)
        reported[record["line"]] = {f["check"] for f in record["findings"]}

    kinds = {
        kind: sum(1 for k in planted.values() if k == kind) for kind in ("numbers", "glossary")
    }
    missed = {i: kind for i, kind in planted.items() if kind not in reported.get(i, set())}
    untouched = len(ko) - len(planted)
    false_alarms = sum(1 for i in reported if i not in planted)
    print(
        f"\nplanted {kinds}, missed {len(missed)}; "
        f"untouched lines flagged {false_alarms}/{untouched} = {false_alarms / untouched:.1%}"
    )
    assert kinds["numbers"] >= 100 and kinds["glossary"] >= 50
    assert missed == {}
    assert false_alarms / untouched < 0.05
