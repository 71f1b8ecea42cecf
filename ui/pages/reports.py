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


def _number(value: Any, fmt: str = "{:.1f}") -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        value = value.get("score")
        if value is None:
            return "—"
    try:
        return fmt.format(value)
    except (TypeError, ValueError):
        return str(value)


def _headline(rep: dict[str, Any]) -> None:
    cols = st.columns(6)
    cols[0].metric("Segments approved", f"{rep.get('approved', 0)} / {rep.get('segments', 0)}")
    cols[1].metric(
        "HTER", _number(rep.get("hter")), help="Share of words edited (lower is less work)"
    )
    cols[2].metric("chrF", _number(rep.get("chrf")))
    cols[3].metric("BLEU", _number(rep.get("bleu")))
    cols[4].metric("Unchanged", _number(rep.get("unchanged_rate"), "{:.0%}"))
    cols[5].metric("Seconds / word", _number(rep.get("seconds_per_word")))
    signatures = rep.get("signatures") or {}
    if signatures:
        with st.expander("sacreBLEU signatures"):
            for name, signature in signatures.items():
                st.text(f"{name}: {signature}")


def _frame(rows: Any) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows
    if isinstance(rows, dict):
        rows = [
            {"name": k, **(v if isinstance(v, dict) else {"value": v})} for k, v in rows.items()
        ]
    return pd.DataFrame(list(rows or []))


def _hter_histogram(rep: dict[str, Any]) -> None:
    st.subheader("HTER per segment")
    seg = _frame(rep.get("segment_rows") or rep.get("rows") or [])
    if seg.empty or "hter" not in seg:
        st.info("No approved segments yet: HTER is measured on approved segments.")
        return
    chart = (
        alt.Chart(seg.dropna(subset=["hter"]))
        .mark_bar()
        .encode(
            x=alt.X("hter:Q", bin=alt.Bin(maxbins=20), title="HTER (edits per reference word)"),
            y=alt.Y("count():Q", title="Segments"),
        )
    )
    st.altair_chart(chart)


def _by_editor(store: repo.Store, doc_id: int | None) -> pd.DataFrame:
    rep = repo.report(store, document_id=doc_id, by="editor")
    groups = _frame(rep.get("groups"))
    st.subheader("Seconds per word, by editor")
    if groups.empty or "seconds_per_word" not in groups:
        st.info("No timed edits yet.")
        return groups
    key = "editor" if "editor" in groups else groups.columns[0]
    chart = (
        alt.Chart(groups.dropna(subset=["seconds_per_word"]))
        .mark_bar()
        .encode(
            x=alt.X("seconds_per_word:Q", title="Seconds per source word"),
            y=alt.Y(f"{key}:N", title="Editor", sort="-x"),
            tooltip=list(groups.columns),
        )
    )
    st.altair_chart(chart)
    st.dataframe(groups, hide_index=True)
    return groups


def _models(rep: dict[str, Any]) -> pd.DataFrame:
    st.subheader("Model comparison")
    st.caption("Each model's drafts scored against the same approved segments.")
    models = _frame(rep.get("models"))
    if models.empty:
        st.info("Only one model has drafted these articles, or nothing is approved yet.")
        return models
    key = "model" if "model" in models else models.columns[0]
    metric = next((m for m in ("hter", "chrf", "bleu") if m in models), None)
    if metric:
        st.altair_chart(
            alt.Chart(models)
            .mark_bar()
            .encode(
                x=alt.X(f"{metric}:Q", title=metric.upper()),
                y=alt.Y(f"{key}:N", title="Model"),
                tooltip=list(models.columns),
            )
        )
    st.dataframe(models, hide_index=True)
    return models


def main() -> None:
    """Render the reports page."""
    st.title("Reports")
    auth.page_identity()
    store = state.store()
    try:
        docs = repo.list_documents(store)
        titles = {ALL: "All articles", **{d.id: d.title for d in docs}}
        chosen = st.selectbox("Articles", list(titles), format_func=titles.get, key="report_doc")
        doc_id = None if chosen == ALL else chosen
        rep = repo.report(store, document_id=doc_id)
        if (
            any(m.get("is_test_model") for m in _frame(rep.get("models")).to_dict("records"))
            or state.default_model().is_test_model
        ):
            ui.test_model_warning()
        _headline(rep)
        _hter_histogram(rep)
        groups = _by_editor(store, doc_id)
        models = _models(rep)
        outliers = _frame(rep.get("outliers"))
        if not outliers.empty:
            st.subheader("Outliers")
            st.caption("Segments outside 0.25–30 seconds per word: kept, but worth a look.")
            st.dataframe(outliers, hide_index=True)
        st.subheader("Download")
        with st.container(horizontal=True):
            st.download_button(
                "Report (JSON)",
                json.dumps(rep, default=str, ensure_ascii=False, indent=2),
                file_name="transdesk-report.json",
                mime="application/json",
                on_click="ignore",
            )
            st.download_button(
                "By editor (CSV)",
                groups.to_csv(index=False),
                file_name="by-editor.csv",
                mime="text/csv",
                on_click="ignore",
            )
            st.download_button(
                "Models (CSV)",
                models.to_csv(index=False),
                file_name="models.csv",
                mime="text/csv",
                on_click="ignore",
            )
        if doc_id is not None:
            st.caption("Every segment with its draft, final text, metrics and timings:")
            doc = next(d for d in docs if d.id == doc_id)
            downloads.download_row(store, doc, downloads.DATA_FORMATS, key="report")
    except TransdeskError as e:
        st.error(str(e))


main()
