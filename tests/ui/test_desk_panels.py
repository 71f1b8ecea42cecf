"""#19 in the web app: suggested terms and the house style in Settings; the editor's one-key
accept of an established name form."""

from __future__ import annotations

from mt import drafting, revising
from mt import store as repo
from mt.desk import desk_style_text
from mt.store.tm import add_pairs
from tests.ui.conftest import new_app
from tests.ui.test_app import editor, grid_data, grid_session, press


def test_settings_accepts_suggested_terms_and_saves_the_house_style(store):
    add_pairs(
        store,
        [
            ("반기문 총장이 왔다.", "Ban Ki-moon came."),
            ("반기문 총장은 웃었다.", "Ban Ki-moon smiled."),
        ],
    )
    at = new_app().run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    table = at.session_state["suggest_found"]
    assert [(s.korean, s.english) for s in table] == [("반기문", "Ban Ki-moon")]
    at.session_state["suggest_table"] = {
        "edited_rows": {0: {"Add": True}}, "added_rows": [], "deleted_rows": []
    }  # fmt: skip
    press(at, "Add ticked terms to the glossary")
    assert [(t.korean, t.english) for t in repo.list_glossary(store)] == [
        ("반기문", ("Ban Ki-moon",))
    ]
    at.text_area(key="style_text").input("[percent]\nenabled = true\n")
    press(at, "Save house style")
    assert desk_style_text(store) == "[percent]\nenabled = true\n"
    at.text_area(key="style_text").input("[percent]\nenabled = 'no'\n")
    press(at, "Save house style")
    assert any("enabled must be bool" in e.value for e in at.error)
    press(at, "Reset to default")
    assert desk_style_text(store) is None


def test_editor_offers_the_established_form(store, tiny_engine):
    doc = drafting.create_document(
        store,
        "부산은 항구 도시다.\n부산에서 회의가 열렸다.",
        title="Busan",
        engine=tiny_engine,
        created_by="desk",
        segment_mode="line",
    )
    first, second = repo.list_segments(store, doc)
    revising.save_segment(store, first.id, "Busan is a port.", editor="desk", base_version=1)
    revising.save_segment(store, second.id, "A meeting was held in Pusan.", editor="desk",
                      base_version=1)  # fmt: skip
    at = editor(doc)
    grid_session(at).active = second.id  # the grid made the second segment's row active
    at.run()
    accept = at.button(key="accept_form_0")
    assert accept.label == "Use 'Pusan' → 'Busan' (Alt+E)"
    # the grid is drawn with the offer for Alt+E in the box
    offer = {"seg": second.id, "start": 22, "old": "Pusan", "new": "Busan"}
    assert grid_data(at)["suggest"] == offer
    accept.click().run()
    assert grid_session(at).insert["text"] == "A meeting was held in Busan."
    assert grid_data(at)["insert"]["seg"] == second.id


def test_settings_edits_the_llm_prompt(store):
    from mt.desk import desk_prompt_text
    from mt.engines.prompting import family_template_text
    from ui.components import md_literal

    at = new_app().run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    box = at.text_area(key="prompt_text")
    assert box.value == family_template_text("generic")  # the test model is no LLM: generic
    box.input("=== user\nTranslate this: $sentence\n")
    at.button(key="prompt_save").click().run()
    assert desk_prompt_text(store) == "=== user\nTranslate this: $sentence\n"
    assert [s.value for s in at.success] == [md_literal("LLM prompt saved.")]
    at.text_area(key="prompt_text").input("=== user\nTranslate this.\n")
    at.button(key="prompt_save").click().run()
    assert [e.value for e in at.error] == [
        md_literal("LLM prompt: prompt template never uses $sentence")
    ]  # one clear message, nothing saved
    assert desk_prompt_text(store) == "=== user\nTranslate this: $sentence\n"
    at.button(key="prompt_reset").click().run()
    assert desk_prompt_text(store) is None
    assert at.text_area(key="prompt_text").value == family_template_text("generic")


def test_settings_saves_and_resets_the_house_style(store):
    """The house style goes through the same save as the LLM prompt: saved, a bad file refused
    with one message and nothing saved, reset to the shipped default."""
    from mt.desk import desk_style_text
    from mt.qa.style import default_style_text
    from ui.components import md_literal

    at = new_app().run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    assert at.text_area(key="style_text").value == default_style_text()
    at.text_area(key="style_text").input("[percent]\nenabled = true\n")
    at.button(key="style_save").click().run()
    assert desk_style_text(store) == "[percent]\nenabled = true\n"
    assert [s.value for s in at.success] == [md_literal("House style saved.")]
    at.text_area(key="style_text").input("[percent\n")
    at.button(key="style_save").click().run()
    assert len(at.error) == 1 and "desk style" in at.error[0].value
    assert desk_style_text(store) == "[percent]\nenabled = true\n"
    at.button(key="style_reset").click().run()
    assert desk_style_text(store) is None
    assert [s.value for s in at.success] == [md_literal("House style reset to the default.")]
    assert at.text_area(key="style_text").value == default_style_text()
