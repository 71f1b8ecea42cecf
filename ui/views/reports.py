"""Reports page: how much editing the drafts needed (HTER, chrF, BLEU) and how long it took,
with 95% intervals as error bars, who did which step, models compared, MT vs from scratch."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from mt import store as repo
from mt.errors import TransdeskError
from mt.exchange.export import records_csv, records_jsonl, segment_records
from mt.report import report
from ui import auth, downloads, state
from ui import components as ui

ALL = 0
# The per-segment download's columns.
SEGMENT_COLUMNS = ["document_id", "position", "status", "editor", "model", "hter", "chrf",
                   "bleu", "active_ms", "idle_ms", "source", "draft", "final"]  # fmt: skip


def _number(value: Any, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _interval(row: dict[str, Any], key: str, fmt: str = "{:.1f}") -> str:
    """ "95%: low–high" for a figure's `<key>_ci95`, or "" without one."""
    ci = row.get(f"{key}_ci95")
    return f"95%: {fmt.format(ci[0])}–{fmt.format(ci[1])}" if ci else ""


def _error_bars(frame: pd.DataFrame, key: str, label: str, axis: str, title: str) -> alt.Chart:
    """Bars of `key` per `label` with their 95% intervals as error bars."""
    data = frame.dropna(subset=[key]).copy()
    data["low"] = [ci[0] if isinstance(ci, list) else None for ci in data[f"{key}_ci95"]]
    data["high"] = [ci[1] if isinstance(ci, list) else None for ci in data[f"{key}_ci95"]]
    data = data[[label, key, "low", "high"]]
    base = alt.Chart(data).encode(y=alt.Y(f"{label}:N", title=axis))
    bars = base.mark_bar().encode(
        x=alt.X(f"{key}:Q", title=title), tooltip=[label, key, "low", "high"]
    )
    whiskers = base.mark_errorbar(ticks=True).encode(
        x=alt.X("low:Q", title=title), x2="high:Q", color=alt.value("black")
    )
    return bars + whiskers


def _headline(rep: dict[str, Any]) -> None:
    st.caption(
        f"{rep['scored']} post-edited segments are scored (draft against final text); "
        f"{rep['timed_segments']} have editing time inside the "
        f"{rep['outlier_band'][0]}–{rep['outlier_band'][1]} s/word band."
    )
    notes = rep["notes"]
    cols = st.columns(4)
    cols[0].metric("Approved", f"{rep['approved']} / {rep['segments']}")
    cols[1].metric("HTER", _number(rep["hter"]), help=notes["hter"])
    cols[2].metric("chrF", _number(rep["chrf"]))
    cols[3].metric("BLEU", _number(rep["bleu"]))
    for col, key in zip(cols[1:], ("hter", "chrf", "bleu"), strict=True):
        col.caption(_interval(rep, key))
    cols = st.columns(4)
    cols[0].metric(
        "Unchanged drafts",
        _number(rep["unchanged_rate"], "{:.0%}"),
        help=notes["unchanged_rate"],
    )
    cols[0].caption(f"{rep['unchanged']} of {rep['unchanged_of']} approved drafts")
    cols[1].metric("Seconds per word", _number(rep["seconds_per_word"]), help=notes["speed"])
    cols[1].caption(_interval(rep, "seconds_per_word", "{:.2f}"))
    cols[2].metric("Words per hour", _number(rep["words_per_hour"], "{:.0f}"))
    cols[3].metric(
        "Outliers",
        str(rep["outliers"]),
        help="Timed segments outside the validity band, left out of the speeds",
    )
    left_out = [f"{rep['scratch_segments']} from scratch"] if rep["scratch_segments"] else []
    if rep["tm_segments"]:
        left_out.append(f"{rep['tm_segments']} translation-memory drafts (scored, not a model's)")
    if left_out:
        st.caption("Not in the model figures: " + "; ".join(left_out) + ".")
    with st.expander("What these numbers mean"):
        for note in notes.values():
            st.markdown(f"- {note}")
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


def _segments(store: repo.Store, doc_ids: list[int]) -> list[dict[str, Any]]:
    """The export records (`mt.exchange.export.segment_records`) of these documents."""
    return [r for doc_id in doc_ids for r in segment_records(store, doc_id)]


def _hter_histogram(segments: list[dict[str, Any]]) -> None:
    st.subheader("HTER per segment")
    scored = pd.DataFrame([{"hter": r["hter"]} for r in segments if r["hter"] is not None])
    if scored.empty:
        st.info("Nothing is post-edited yet: HTER is measured on edited and approved segments.")
        return
    st.altair_chart(
        alt.Chart(scored)
        .mark_bar()
        .encode(
            x=alt.X("hter:Q", bin=alt.Bin(maxbins=20), title="HTER (edits per 100 words)"),
            y=alt.Y("count():Q", title="Segments", axis=alt.Axis(tickMinStep=1)),
        )
    )


def _by_editor(store: repo.Store, doc_id: int | None) -> list[dict[str, Any]]:
    st.subheader("Who did what, by editor")
    rep = report(store, document_id=doc_id, by="editor")
    groups = pd.DataFrame(rep["groups"])
    st.caption(rep["notes"]["editors"])
    if groups.empty:
        st.info("Nobody has edited or approved a segment yet.")
        return rep["groups"]
    timed = groups.dropna(subset=["seconds_per_word"])
    if not timed.empty:
        st.altair_chart(
            _error_bars(timed, "seconds_per_word", "editor", "Editor", "Seconds per source word")
        )
    st.dataframe(
        groups[["editor", "role", "segments_edited", "segments_approved", "active_seconds",
                "edit_seconds", "review_seconds", "hter", "hter_ci95", "chrf",
                "seconds_per_word", "seconds_per_word_ci95", "words_per_hour", "outliers"]],
        hide_index=True,
    )  # fmt: skip
    steps = pd.DataFrame(report(store, document_id=doc_id, by="step")["groups"])
    if len(steps) > 1:
        st.caption("Each segment's chain: MT draft, then the first person to change or approve it "
                   "(R1), the next (R2), ...; own-step HTER is from the text found to the text "
                   "left.")  # fmt: skip
        columns = ["step", "segments", "editors", "segments_changed", "segments_approved",
                   "edit_seconds", "review_seconds", "hter", "hter_ci95"]  # fmt: skip
        st.dataframe(steps[[c for c in columns if c in steps]], hide_index=True)
    return rep["groups"]


def _verdicts(rep: dict[str, Any]) -> dict[str, str]:
    """Per model: how its HTER compares with the baseline's ("not significant" where not)."""
    out = {}
    for c in rep["comparisons"]:
        hter = c["hter"]
        out.setdefault(c["baseline"], "baseline")
        word = "significant" if hter["significant"] else "not significant"
        out[c["model"]] = f"{hter['difference']:+.1f} vs baseline, {word} (p={hter['p_value']:.3f})"
    return out


def _models(rep: dict[str, Any]) -> None:
    st.subheader("Model comparison")
    models = pd.DataFrame(rep["models"])
    if models.empty or models["hter"].isna().all():
        st.info("No post-edited segment was drafted by every model yet.")
    else:
        st.caption(
            "Each model's drafts scored against the same final texts (segments every model "
            "drafted); error bars are 95% intervals. Lower HTER means less editing."
        )
        verdicts = _verdicts({**rep, "comparisons": [
            c for c in rep["comparisons"] if c["test"].startswith("paired")]})  # fmt: skip
        models["verdict"] = [verdicts.get(m, "") for m in models["model"]]
        chart = _error_bars(models, "hter", "model", "Model", "HTER")
        labels = (
            alt.Chart(models[models["verdict"].str.contains("not significant")])
            .mark_text(align="left", dx=6, dy=-8, fontStyle="italic")
            .encode(y="model:N", x="hter:Q", text=alt.value("not significant"))
        )
        st.altair_chart(chart + labels)
        st.dataframe(
            models[["model", "segments", "hter", "hter_ci95", "chrf", "chrf_ci95", "bleu",
                    "bleu_ci95", "verdict"]],
            hide_index=True,
        )  # fmt: skip
    unpaired = [c for c in rep["comparisons"] if not c["test"].startswith("paired")]
    if unpaired:
        st.caption("Models that drafted different segments (model A/B), each on its own segments:")
        st.dataframe(
            pd.DataFrame([
                {"baseline": c["baseline"], "model": c["model"],
                 "HTER difference": c["hter"]["difference"],
                 "95% interval": c["hter"]["difference_ci95"],
                 "verdict": "significant" if c["hter"]["significant"] else "not significant"}
                for c in unpaired
            ]),
            hide_index=True,
        )  # fmt: skip


def _productivity(rep: dict[str, Any]) -> None:
    prod = rep["productivity"]
    if not prod["from_scratch"]["segments"]:
        return
    st.subheader("Post-editing MT vs translating from scratch")
    st.caption(
        "The first person's step on each segment: post-editing the MT draft, or translating a "
        "segment drawn at random to have no draft. Translation-memory drafts and reviewers' "
        "later revisions are left out."
    )
    with_mt, scratch = prod["with_mt"], prod["from_scratch"]
    cols = st.columns(3)
    cols[0].metric("Words per hour with MT", _number(with_mt["words_per_hour"], "{:.0f}"))
    cols[0].caption(_interval(with_mt, "words_per_hour", "{:.0f}"))
    cols[1].metric("Words per hour from scratch", _number(scratch["words_per_hour"], "{:.0f}"))
    cols[1].caption(_interval(scratch, "words_per_hour", "{:.0f}"))
    cols[2].metric("Gain", _number(prod["gain"], "{:+.0%}"))
    ci = prod["gain_ci95"]
    if ci:
        verdict = "not significant" if ci[0] <= 0 <= ci[1] else "significant"
        cols[2].caption(f"95%: {ci[0]:+.0%} to {ci[1]:+.0%} ({verdict})")
    rows = [
        {"editor": who, "side": side, **{k: part[side][k] for k in (
            "segments", "timed_segments", "words_per_hour", "seconds_per_word",
            "keystrokes_per_char")}, "gain": part["gain"] if side == "with_mt" else None}
        for who, part in [("(all)", prod), *((e["editor"], e) for e in prod["editors"])]
        for side in ("with_mt", "from_scratch")
    ]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True)


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
        rep = report(store, document_id=doc_id)
        if any(
            d.test_model or state.is_test_model_id(d.model_id)
            for d in docs
            if doc_id in (None, d.id)
        ):
            ui.test_model_warning()
        _headline(rep)
        _quality(rep)
        segments = _segments(store, [d.id for d in docs if doc_id in (None, d.id)])
        _hter_histogram(segments)
        groups = _by_editor(store, doc_id)
        _models(rep)
        _productivity(rep)
        st.subheader("Download")
        st.caption("Per segment: source, draft, final, HTER/chrF/BLEU, editor, model, timings.")
        with st.container(horizontal=True, key="report_tables"):
            st.download_button(
                "Segments (CSV)",
                records_csv(segments, SEGMENT_COLUMNS, lineterminator="\n"),
                file_name="transdesk-segments.csv",
                mime="text/csv",
                on_click="ignore",
                key="report_segments_csv",
            )
            st.download_button(
                "Segments (JSONL)",
                records_jsonl(segments, SEGMENT_COLUMNS),
                file_name="transdesk-segments.jsonl",
                mime="application/jsonl",
                on_click="ignore",
                key="report_segments_jsonl",
            )
            st.download_button(
                "By editor (CSV)",
                records_csv(groups, lineterminator="\n"),
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
