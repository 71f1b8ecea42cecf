"""Reports page: how much editing the drafts needed (HTER, chrF, BLEU) and how long it took."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from mt import store as repo
from mt.errors import TransdeskError
from ui import auth, downloads, state
from ui import components as ui

ALL = 0
SEGMENT_COLUMNS = ["document_id", "position", "status", "editor", "model", "hter", "chrf",
                   "bleu", "active_ms", "idle_ms"]  # fmt: skip


def _number(value: Any, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV for spreadsheets: UTF-8 with BOM, and no text cell that a spreadsheet would run."""
    from mt.csvsafe import write_csv

    rows = [list(frame.columns), *(_cells(row) for row in frame.itertuples(index=False))]
    return write_csv(rows, lineterminator="\n", bom=True).encode("utf-8")


def _cells(row: tuple) -> list[Any]:
    # pandas writes NaN/NaT as empty cells; so does this.
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in row]


def _headline(rep: dict[str, Any]) -> None:
    st.caption(
        f"{rep['scored']} post-edited segments are scored (draft against final text); "
        f"{rep['timed_segments']} have editing time inside the "
        f"{rep['outlier_band'][0]}–{rep['outlier_band'][1]} s/word band."
    )
    cols = st.columns(4)
    cols[0].metric("Approved", f"{rep['approved']} / {rep['segments']}")
    cols[1].metric("HTER", _number(rep["hter"]), help="Edits per 100 words of the final text")
    cols[2].metric("chrF", _number(rep["chrf"]))
    cols[3].metric("BLEU", _number(rep["bleu"]))
    cols = st.columns(4)
    cols[0].metric(
        "Unchanged drafts",
        _number(rep["unchanged_rate"], "{:.0%}"),
        help="Approved segments whose final text is the MT draft as it was",
    )
    cols[1].metric("Seconds per word", _number(rep["seconds_per_word"]))
    cols[2].metric("Words per hour", _number(rep["words_per_hour"], "{:.0f}"))
    cols[3].metric(
        "Outliers",
        str(rep["outliers"]),
        help="Timed segments outside the validity band, left out of the speeds",
    )
    if rep["signatures"]:
        with st.expander("sacreBLEU signatures"):
            for name, signature in rep["signatures"].items():
                st.text(f"{name}: {signature}")


def _quality(rep: dict[str, Any]) -> None:
    qa, confidence = rep["qa"], rep["confidence"]
    st.subheader("QA checks and draft confidence")
    cols = st.columns(4)
    cols[0].metric(
        "QA findings",
        str(qa["findings"]),
        help="Findings stored with each segment's latest save, while that text stands",
    )
    cols[1].metric("Errors / warnings", f"{qa['errors']} / {qa['warnings']}")
    cols[2].metric(
        "Segments with findings", f"{qa['segments_with_findings']} / {qa['segments_checked']}"
    )
    cols[3].metric(
        "Score vs HTER (Spearman)",
        _number(confidence["spearman"], "{:+.2f}"),
        help=(
            "Rank correlation of the model's score with the editing each draft needed, over "
            f"{confidence['n']} approved MT drafts. Near -1: low scores reliably mark drafts "
            "that need heavy editing; near 0: the low-confidence flag says little here."
        ),
    )
    if qa["by_check"]:
        st.dataframe(
            pd.DataFrame([{"Check": k, "Findings": n} for k, n in qa["by_check"].items()]),
            hide_index=True,
        )


def _segments(store: repo.Store, doc_ids: list[int]) -> pd.DataFrame:
    from mt.store.export import segment_records

    rows = [r for doc_id in doc_ids for r in segment_records(store, doc_id)]
    frame = pd.DataFrame(rows, columns=[*SEGMENT_COLUMNS, "source", "draft", "final"])
    return frame


def _hter_histogram(segments: pd.DataFrame) -> None:
    st.subheader("HTER per segment")
    scored = segments.dropna(subset=["hter"])
    if scored.empty:
        st.info("Nothing is post-edited yet: HTER is measured on edited and approved segments.")
        return
    st.altair_chart(
        alt.Chart(scored[["hter"]])
        .mark_bar()
        .encode(
            x=alt.X("hter:Q", bin=alt.Bin(maxbins=20), title="HTER (edits per 100 words)"),
            y=alt.Y("count():Q", title="Segments", axis=alt.Axis(tickMinStep=1)),
        )
    )


def _by_editor(store: repo.Store, doc_id: int | None) -> pd.DataFrame:
    st.subheader("Seconds per word, by editor")
    groups = pd.DataFrame(repo.report(store, document_id=doc_id, by="editor")["groups"])
    timed = groups.dropna(subset=["seconds_per_word"]) if not groups.empty else groups
    if timed.empty:
        st.info("No timed edits yet.")
        return groups
    st.altair_chart(
        alt.Chart(timed[["editor", "seconds_per_word", "timed_segments"]])
        .mark_bar()
        .encode(
            x=alt.X("seconds_per_word:Q", title="Seconds per source word"),
            y=alt.Y("editor:N", title="Editor", sort="-x"),
            tooltip=["editor", "seconds_per_word", "timed_segments"],
        )
    )
    st.dataframe(
        groups[["editor", "segments", "approved", "hter", "seconds_per_word", "words_per_hour",
                "outliers"]],
        hide_index=True,
    )  # fmt: skip
    return groups


def _models(rep: dict[str, Any]) -> None:
    st.subheader("Model comparison")
    models = pd.DataFrame(rep["models"])
    if models.empty:
        st.info("Nothing is post-edited yet.")
        return
    st.caption(
        "Each model's drafts scored against the same final texts (segments every model drafted). "
        "Lower HTER means less editing."
    )
    st.altair_chart(
        alt.Chart(models)
        .mark_bar()
        .encode(
            x=alt.X("hter:Q", title="HTER"),
            y=alt.Y("model:N", title="Model"),
            tooltip=["model", "segments", "hter", "chrf", "bleu"],
        )
    )
    st.dataframe(models, hide_index=True)


def main() -> None:
    """Render the reports page."""
    st.title("Reports")
    auth.page_identity()
    store = state.store()
    try:
        docs = repo.list_documents(store)
        if not docs:
            st.info("No articles yet. Add one on the Documents page.")
            return
        titles = {ALL: "All articles", **{d.id: d.title for d in docs}}
        chosen = st.selectbox("Articles", list(titles), format_func=titles.get, key="report_doc")
        doc_id = None if chosen == ALL else chosen
        rep = repo.report(store, document_id=doc_id)
        model_ids = {d.model_id for d in docs if doc_id in (None, d.id)}
        if any(state.is_test_model_id(m) for m in model_ids):
            ui.test_model_warning()
        _headline(rep)
        _quality(rep)
        segments = _segments(store, [d.id for d in docs if doc_id in (None, d.id)])
        _hter_histogram(segments)
        groups = _by_editor(store, doc_id)
        _models(rep)
        st.subheader("Download")
        st.caption("Per segment: source, draft, final, HTER/chrF/BLEU, editor, model, timings.")
        with st.container(horizontal=True, key="report_tables"):
            st.download_button(
                "Segments (CSV)",
                _csv(segments),
                file_name="transdesk-segments.csv",
                mime="text/csv",
                on_click="ignore",
                key="report_segments_csv",
            )
            st.download_button(
                "Segments (JSONL)",
                segments.to_json(orient="records", lines=True, force_ascii=False),
                file_name="transdesk-segments.jsonl",
                mime="application/jsonl",
                on_click="ignore",
                key="report_segments_jsonl",
            )
            st.download_button(
                "By editor (CSV)",
                _csv(groups),
                file_name="transdesk-editors.csv",
                mime="text/csv",
                on_click="ignore",
                key="report_editors_csv",
            )
            st.download_button(
                "Report (JSON)",
                json.dumps(rep, default=str, ensure_ascii=False, indent=2),
                file_name="transdesk-report.json",
                mime="application/json",
                on_click="ignore",
                key="report_json",
            )
        if doc_id is not None:
            doc = next(d for d in docs if d.id == doc_id)
            downloads.download_row(store, doc, downloads.DATA_FORMATS, key="report")
    except TransdeskError as e:
        ui.error(str(e))


main()
