"""#20 in the web app: Settings lists the desk's model versions with their scores; an admin
switches and rolls back; the Documents page drafts with the desk's version by default."""

from __future__ import annotations

import shutil

from mt.adapt import versions
from tests.ui.conftest import new_app
from tests.ui.test_app import press

SCORES = {
    "before": {"hter": 61.25, "chrf": 40.5, "bleu": 12.0},
    "after": {"hter": 48.75, "chrf": 44.0, "bleu": 17.5},
    "improvement": {"hter": {"difference": 12.5, "p_value": 0.001, "significant": True}},
    "significant": True,
}


def _desk(store, tiny_model_dir, tmp_path) -> tuple[int, int, str]:
    adapted = tmp_path / "desk-v2"
    shutil.copytree(tiny_model_dir, adapted)
    from mt.models.provenance import fingerprint

    base = versions.register_version(
        store, name="tiny", location=str(tiny_model_dir), model_id=tiny_model_dir.name,
        revision=fingerprint(tiny_model_dir),
    )  # fmt: skip
    new = versions.register_version(
        store, name="desk-v2", location=str(adapted), model_id="desk-v2",
        revision=fingerprint(adapted), kind="adapted", parent_id=base, scores=SCORES,
    )  # fmt: skip
    versions.record_event(store, base, "switched")
    versions.record_event(store, new, "promoted")
    return base, new, str(adapted)


def test_settings_lists_versions_switches_and_rolls_back(store, tiny_model_dir, tmp_path):
    base, new, _ = _desk(store, tiny_model_dir, tmp_path)
    at = new_app().run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Kind" in d.value.columns)
    assert list(table["Kind"]) == ["base", "adapted"]
    assert list(table["HTER"]) == ["", "61.2 → 48.8"]
    assert list(table["Current"]) == ["", "✓"]
    assert all("/" not in label for label in table["Version"])  # never a server path
    at.selectbox(key="model_version_choice").set_value(base)
    press(at, "Switch")
    assert versions.current_version(store).id == base
    press(at, "Roll back")
    assert versions.current_version(store).id == new
    assert [e["kind"] for e in versions.list_events(store)][:2] == ["rolled_back", "switched"]


def test_documents_page_offers_the_desk_version_first(store, tiny_model_dir, tmp_path):
    _, _, location = _desk(store, tiny_model_dir, tmp_path)
    at = new_app().run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="new_model")
    assert picker.value == location
    assert picker.format_func(location).endswith("(desk model)")
