"""Figures that print: drawn at the width they print at, fonts of at least 7 pt, and
every figure cited by its number from the text.

A figure drawn 13 inches wide and shrunk onto a 17 cm line printed its 8-pt labels at
4 pt. The documents now print each figure at its natural size (pixels / dpi), so the
fonts the figure code sets are the sizes on paper: the build's figures must fit the
text width (checked on the quick build), and no figure code may set a font below
`MIN_FONT_PT` (checked on the source).
"""

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from answerkey.documents.content import TEXT_WIDTH_CM, figure_width
from answerkey.experiments.figure_style import MIN_FONT_PT, RC

ROOT = Path(__file__).resolve().parent.parent
FONT_KEYWORDS = {"fontsize", "font_size", "size"}


def _figure_sources() -> list[Path]:
    """Every module that draws with matplotlib."""
    return [
        path
        for package in ("answerkey", "models")
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"matplotlib|figure_style", path.read_text(encoding="utf-8"))
        and path.name != "figure_style.py"
    ]


def small_fonts(source: str) -> list[str]:
    """Font sizes below MIN_FONT_PT set as literal keyword arguments in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in FONT_KEYWORDS:
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, int | float):
                if value.value < MIN_FONT_PT:
                    found.append(f"line {node.value.lineno}: {node.arg}={value.value}")
    return found


def test_the_style_sets_no_font_below_the_minimum():
    sizes = [v for k, v in RC.items() if k.endswith(("size", "fontsize"))]
    assert sizes and min(sizes) >= MIN_FONT_PT


def test_the_font_scan_catches_a_small_font():
    assert small_fonts("ax.annotate('x', (0, 0), fontsize=5)") == ["line 1: fontsize=5"]
    assert small_fonts("ax.set_title('x', fontsize=8)") == []


def test_no_figure_code_sets_a_font_below_the_minimum():
    sources = _figure_sources()
    assert any(p.name == "figures.py" for p in sources)
    found = {str(p.relative_to(ROOT)): small_fonts(p.read_text()) for p in sources}
    assert {path: fonts for path, fonts in found.items() if fonts} == {}


def test_a_figure_prints_at_its_natural_width_up_to_the_text_width():
    narrow = {"pixels": [858, 600], "inches": [6.6, 4.615]}
    assert figure_width(narrow) == round(6.6 * 2.54 / TEXT_WIDTH_CM, 3)
    wide = {"pixels": [1690, 600], "inches": [13.0, 4.615]}
    assert figure_width(wide) == 1.0


@pytest.mark.slow
def test_every_figure_of_the_build_fits_the_text_width(built):
    out, first, _, kept = built
    assert first.returncode == 0, first.stderr[-2000:]
    results = json.loads(kept["results.json"])
    figures = [
        figure
        for question in results["questions"]
        for part in question["parts"]
        for figure in (part["answer"] or {}).get("figures", [])
    ]
    assert len(figures) >= 10
    too_wide = {
        f["name"]: f.get("inches")
        for f in figures
        if "inches" not in f or f["inches"][0] * 2.54 > TEXT_WIDTH_CM
    }
    assert too_wide == {}
    shrunk = {f["name"]: figure_width(f) for f in figures}
    assert all(
        abs(shrunk[f["name"]] - f["inches"][0] * 2.54 / TEXT_WIDTH_CM) < 0.002 for f in figures
    ), shrunk


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_every_figure_is_cited_by_number_and_the_homeworks_figure_is_named(built):
    out, first, _, _ = built
    text = subprocess.run(
        ["pdftotext", str(out / "solutions.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    numbers = sorted(set(re.findall(r"^Figure (\d+)\. ", text, flags=re.M)), key=int)
    assert numbers, "no numbered figure captions"
    for number in numbers:
        # every "Figure N" but its caption's ("…: Figure 5." ending a sentence cites it)
        mentions = len(re.findall(rf"\bFigure\s+{number}\b", text))  # a line may break
        captions = len(re.findall(rf"^Figure {number}\. ", text, flags=re.M))
        assert mentions > captions, f"Figure {number} is never cited from the text"
    assert "the homework's Figure 2" in text
    assert "decoder of Figure 2" not in text


# --- labels that do not collide ------------------------------------------------------


def _blank_figure(top: float):
    """pyplot, and a 3 × 2 in figure whose one axes spans 0…top on both axes."""
    from answerkey.experiments.figure_style import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    return plt, fig, ax


def test_the_overlap_check_finds_labels_on_edges_on_labels_and_off_the_page():
    from answerkey.experiments.figure_style import overlaps

    plt, fig, ax = _blank_figure(10)
    ax.plot([1, 9], [5, 5], gid="edge")
    ax.text(5, 8, "clear", ha="center")
    assert overlaps(fig) == []
    ax.text(5, 5, "on the edge", ha="center", va="center")
    ax.text(5.2, 8.1, "on a label", ha="center")
    ax.text(9.8, 1, "off the page")
    found = overlaps(fig)
    plt.close(fig)
    assert any("'on the edge' is crossed by an edge" in f for f in found), found
    assert any("'clear' overlaps 'on a label'" in f for f in found), found
    assert any("'off the page' is cut off" in f for f in found), found


def test_an_edge_may_end_at_its_nodes_frame():
    from answerkey.experiments.figure_style import overlaps, pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    node = ax.text(2, 5, "node", ha="center", va="center", bbox=dict(boxstyle="round"))
    fig.canvas.draw()
    right = ax.transData.inverted().transform(node.get_bbox_patch().get_window_extent().p1)[0]
    ax.plot([right, 9], [5, 5], gid="edge", lw=2.4)
    assert overlaps(fig) == []
    plt.close(fig)


def test_the_beam_tree_prints_every_label_clear_and_at_least_7_pt():
    """The homework's Figure 2 as the beam experiment draws it, at its printed size: no
    node or edge label touches an edge or another label, none is cut off, none is small."""
    from matplotlib.text import Text

    from answerkey.experiments.beam import figure2
    from answerkey.experiments.beam_figures import tree_figure
    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, overlaps, pyplot

    fig = tree_figure({"figure2": figure2()})
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    sizes = [(t.get_text(), t.get_fontsize()) for t in texts]
    found = overlaps(fig)
    width = fig.get_size_inches()[0]
    pyplot().close(fig)
    assert found == []
    assert min(size for _, size in sizes) >= MIN_FONT_PT, sizes
    assert width <= TEXT_WIDTH_IN
    # every edge labelled with its log-probability, every node framed: 14 edges, 15 nodes
    assert len([t for t, _ in sizes if re.fullmatch(r"−\d\.\d\d", t)]) == 14
    assert len([t for t in texts if t.get_bbox_patch() is not None]) == 15


@pytest.mark.parametrize(
    "which", ["synthetic recon", "synthetic probe", "mnist recon", "mnist probe", "accuracy"]
)
def test_the_q4a_figures_have_no_overlapping_text(which):
    # Drawn from the golden quick results: a title or axis label that runs into a panel's
    # title, or tick labels that collide, show up here before anyone prints the PDF.
    from answerkey.experiments.ae import figures
    from answerkey.experiments.figure_style import overlaps, pyplot

    golden = Path(__file__).parent / "golden" / "results.json"
    results = json.loads(golden.read_text())["experiments"]["ae"]
    if which == "accuracy":
        fig = figures.accuracy_vs_k_figure(results)
    else:
        fig = figures.curves_figure(results, *which.split())
    try:
        assert overlaps(fig) == []
    finally:
        pyplot().close(fig)


def test_a_q4a_loss_panel_spanning_many_decades_keeps_its_tick_labels():
    # A vanilla linear code with k ≥ m reconstructs exactly (loss ~1e-11 on the full run):
    # 13 decades on one axis must still print y tick labels, not none.
    from answerkey.experiments.ae import figures
    from answerkey.experiments.figure_style import pyplot

    golden = Path(__file__).parent / "golden" / "results.json"
    results = json.loads(golden.read_text())["experiments"]["ae"]
    for row in results["rows"]:
        if row["dataset"] == "synthetic" and row["activation"] == "linear":
            row["recon"] = {key: [v * 1e-13 if i else v for i, v in enumerate(values)]
                            for key, values in row["recon"].items()}  # fmt: skip
    fig = figures.curves_figure(results, "synthetic", "recon")
    try:
        fig.canvas.draw()
        for ax in fig.axes[:1] + fig.axes[3:4]:  # the left panel of each row
            low, high = sorted(ax.get_ylim())
            shown = [
                t for t in ax.yaxis.get_major_ticks()
                if low <= t.get_loc() <= high and t.label1.get_visible() and t.label1.get_text()
            ]  # fmt: skip
            assert len(shown) >= 2, ax.get_title()
    finally:
        pyplot().close(fig)


def test_the_overlap_check_finds_legends_on_data_and_labels_on_markers():
    from answerkey.experiments.figure_style import overlaps

    plt, fig, ax = _blank_figure(1)
    ax.plot([0, 1], [0.08, 0.08], label="rising")
    ax.axhspan(0.0, 0.2, color="0.8", label="floor")
    ax.legend(loc="lower right")
    found = overlaps(fig)
    assert any("the legend covers the line 'rising'" in f for f in found), found
    assert any("the legend covers the shaded 'floor'" in f for f in found), found
    ax.get_legend().remove()
    assert overlaps(fig) == []
    ax.scatter([0.5, 0.8], [0.5, 0.5], s=36)
    ax.annotate("mine", (0.5, 0.5), ha="center", va="center")  # on its own point: fine
    assert overlaps(fig) == []
    ax.annotate("20", (0.1, 0.9), xytext=(0.8, 0.5), ha="center", va="center")
    found = overlaps(fig)
    plt.close(fig)
    assert found == ["'20' covers a marker"], found


def _golden_experiments() -> dict:
    return json.loads((Path(__file__).parent / "golden" / "results.json").read_text())[
        "experiments"
    ]


def test_the_embedding_names_its_nodes_clear_of_every_marker():
    """Figure 3's crowded tanh corners: every test node and mistake is named, each label
    beside its own point, none on another marker or label."""
    from matplotlib.text import Text

    from answerkey.experiments.figure_style import overlaps, pyplot
    from answerkey.experiments.zkc.figures import embedding_figure

    zkc = _golden_experiments()["zkc"]
    fig = embedding_figure(zkc)
    try:
        assert overlaps(fig) == []
        for ax, key in zip(fig.axes[:2], ("notebook", "leak"), strict=True):
            run = zkc[key]
            wanted = set(zkc["split"]["test"]) | set(run["misclassified_test"])
            named = {t.get_text() for t in ax.findobj(Text) if t.get_text().isdigit()}
            assert {str(n) for n in wanted} <= named, key
    finally:
        pyplot().close(fig)


def test_the_timing_legends_sit_off_the_curves_and_the_floor():
    from answerkey.experiments.attention_figures import scaling_figure
    from answerkey.experiments.figure_style import overlaps, pyplot

    attention = _golden_experiments()["attention"]
    # timings are not in results.json: one full-profile measurement (one CPU core), as drawn
    sizes = [2**e for e in range(4, 15)]
    linear = [1.70e-4, 1.84e-4, 1.93e-4, 2.06e-4, 2.37e-4, 2.81e-4, 4.25e-4, 6.82e-4, 1.39e-3,
              2.39e-3, 4.56e-3]  # fmt: skip
    softmax = [1.82e-5, 1.36e-5, 2.45e-5, 4.35e-5, 1.34e-4, 5.0e-4, 3.83e-3, 1.52e-2, 0.123,
               0.535, 2.28]  # fmt: skip
    peak = {"softmax": [2e5 + 8.0 * n * n for n in sizes],
            "linear": [2e5 + 900.0 * n for n in sizes]}  # fmt: skip
    attention["config"] = {**attention["config"], "sizes": sizes, "fit_from": 1024}
    from derivations import kernel_attention as KA

    for form in ("softmax", "linear"):
        attention["counts"][form] = {
            "operations": [int(KA.costs(form)["operations"].subs({KA.N: n, KA.D: 8, KA.M: 8}))
                           for n in sizes],
            "saved_bytes": [4 * int(KA.costs(form)["saved"].subs({KA.N: n, KA.D: 8, KA.M: 8}))
                            for n in sizes],
        }  # fmt: skip
    attention["timings"] = {
        "seconds": {"softmax": softmax, "linear": linear}, "peak_bytes": peak,
        "fit_sizes": sizes[6:], "time_slopes": {"softmax": 2.36, "linear": 0.87},
        "memory_slopes": {"softmax": 2.0, "linear": 1.0}, "crossover_time": 361.6,
    }  # fmt: skip
    fig = scaling_figure(attention)
    try:
        assert overlaps(fig) == []
        legend = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
        # the crossovers named in the legend: rotated along their dash-dot lines, 4 pt
        # from them, their labels read as printed on them at 70 dpi
        assert not [t.get_text() for ax in fig.axes for t in ax.texts
                    if t.get_text().startswith("crossover")]  # fmt: skip
        # each derived crossover named with what it is derived from
        assert "crossover, derived from operation counts: N = 47" in legend, legend
        assert "crossover, derived from saved bytes: N = 103" in legend, legend
        assert any(t.startswith("crossover, measured: N ≈ 36") for t in legend), legend
        # the softmax slope beside its operation count's, their difference the exponent of
        # the time per operation
        assert any(re.search(r"slope 2\.36; its operation\s+count's slope 2\.00, so the "
                             r"time per\s+operation grows as \$N\^\{0\.36\}\$", t)
                   for t in legend), legend  # fmt: skip
        # the linearized slope beside the slope of its time above the per-call floor
        assert any(re.search(r"time above its\s+smallest: 1\.0", t) for t in legend), legend
        assert any(re.search(r"measured ×\d\.\d at N = 16384", t) for t in legend), legend
    finally:
        pyplot().close(fig)


def test_a_fraction_axis_stops_at_one():
    from answerkey.experiments.beam_figures import optimum_figure
    from answerkey.experiments.figure_style import overlaps, pyplot

    fig = optimum_figure(_golden_experiments()["beam"])
    try:
        assert fig.axes[0].get_ylim()[1] == 1.0
        assert overlaps(fig) == []
    finally:
        pyplot().close(fig)


def test_the_overlap_check_finds_a_label_on_a_line_and_on_the_frame():
    """Figure 5's crossover label with the softmax curve through it, and Figure 13's
    "100.0%" half over the top of its axes: both reported."""
    from answerkey.experiments.figure_style import overlaps

    plt, fig, ax = _blank_figure(10)
    ax.plot([0, 10], [0, 10], color="#c0392b", label="softmax")
    ax.text(2, 8, "clear of it", ha="center")
    assert overlaps(fig) == []
    ax.text(5, 5, "crossover", ha="center", va="center")
    ax.text(9, 10, "100.0%", ha="center", va="center")
    found = overlaps(fig)
    plt.close(fig)
    assert "'crossover' is crossed by 'softmax'" in found, found
    assert "'100.0%' sits on the axes' frame" in found, found
    # a label 4 pt beside a line: clear at the default, on it at a 5-pt clearance
    plt, fig, ax = _blank_figure(10)
    ax.axvline(5, color="0.3", ls="-.", lw=1.2)
    fig.canvas.draw()
    x = ax.transData.inverted().transform(ax.transData.transform((5, 0)) - (4.6 * fig.dpi / 72, 0))
    ax.text(x[0], 5, "crossover", rotation=90, ha="right", va="center")
    assert overlaps(fig) == []
    assert overlaps(fig, clearance_pt=5) == ["'crossover' is crossed by a -. line"]
    plt.close(fig)


def test_a_label_on_its_own_node_may_hide_the_edges_below_it():
    """A node's number inside an opaque node drawn above the graph's edges: an edge that
    passes under the node is hidden, so not a crossing; the same label off the node is."""
    from matplotlib.collections import LineCollection

    from answerkey.experiments.figure_style import overlaps

    plt, fig, ax = _blank_figure(10)
    ax.add_collection(LineCollection([[(0, 5), (10, 5)]], colors="0.6", zorder=1))
    ax.scatter([5], [5], s=300, zorder=3)
    ax.annotate("12", (5, 5), ha="center", va="center", zorder=4)
    assert overlaps(fig) == []
    ax.annotate("13", (2, 5), ha="center", va="center")
    found = overlaps(fig)
    plt.close(fig)
    assert found == ["'13' is crossed by an edge"], found


def _texts_at_least(fig, size: float) -> list[tuple[str, float]]:
    """Visible texts printed below `size` pt: the figure prints at its drawn width (the
    documents never enlarge one, and none is wider than the text width), so a font's
    size is its printed size."""
    from matplotlib.text import Text

    from answerkey.experiments.figure_style import TEXT_WIDTH_IN

    assert fig.get_size_inches()[0] <= TEXT_WIDTH_IN
    return [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_fontsize() < size]  # fmt: skip


@pytest.mark.parametrize(
    "which",
    ["graph", "curves", "embedding", "precision", "semi_supervised", "optimum", "operations",
     "synthetic recon", "synthetic probe", "mnist recon", "mnist probe", "accuracy"],
)  # fmt: skip
def test_the_figures_print_clear_labels_at_7_pt_or_more(which, tmp_path):
    """Figures 1–4, 6, 7–11, 13 and 14 from the golden quick results at their printed
    size (the node numbers of Figures 1 and 4 and the tick labels of Figures 7–11
    included): no label on a line, a marker, the frame or another label, none below 7 pt."""
    from answerkey.experiments import attention_figures, beam_figures
    from answerkey.experiments.ae import figures as ae_figures
    from answerkey.experiments.figure_style import overlaps, pyplot
    from answerkey.experiments.zkc import figures as zkc_figures

    experiments = _golden_experiments()
    ae = experiments["ae"]
    draw = {
        "graph": lambda: zkc_figures.graph_figure(experiments["zkc"]),
        "curves": lambda: zkc_figures.curves_figure(experiments["zkc"]),
        "embedding": lambda: zkc_figures.embedding_figure(experiments["zkc"]),
        "accuracy": lambda: ae_figures.accuracy_vs_k_figure(ae),
        **{f"{d} {w}": (lambda d=d, w=w: ae_figures.curves_figure(ae, d, w))
           for d in ("synthetic", "mnist") for w in ("recon", "probe")},
        "precision": lambda: attention_figures.precision_figure(
            experiments["attention"]["precision"]
        ),
        "semi_supervised": lambda: zkc_figures.semi_supervised_figure(experiments["zkc"]),
        "optimum": lambda: beam_figures.optimum_figure(experiments["beam"]),
        "operations": lambda: beam_figures.operations_figure(experiments["beam"]),
    }  # fmt: skip
    fig = draw[which]()
    try:
        assert overlaps(fig) == []
        fig.canvas.draw()  # tick labels exist once drawn
        assert _texts_at_least(fig, MIN_FONT_PT) == []
    finally:
        pyplot().close(fig)


def test_figure_references_resolve_to_the_solutions_numbers():
    from answerkey.documents.content import resolve_figure_references

    results = {
        "questions": [
            {"parts": [{"answer": {"figures": [{"name": "a.png"}, {"name": "gone.png",
                                                                  "missing": True}]}},
                       {"answer": None},
                       {"answer": {"text": "see [[figure:b.png]] and [[figure:a.png]]",
                                   "figures": [{"name": "b.png"}]}}]},
        ]
    }  # fmt: skip
    text = resolve_figure_references(results, students=True)["questions"][0]["parts"][2]
    assert text["answer"]["text"] == "see Figure 2 and Figure 1"
    key = resolve_figure_references(results, students=False)["questions"][0]["parts"][2]
    assert key["answer"]["text"] == "see the solutions' Figure 2 and the solutions' Figure 1"
    # a declared figure its experiment did not draw: named as missing (the build reports it)
    results["questions"][0]["parts"][1]["answer"] = {"text": "see [[figure:gone.png]]"}
    text = resolve_figure_references(results, students=True)["questions"][0]["parts"][1]
    assert text["answer"]["text"] == "see the missing figure"
    results["questions"][0]["parts"][1]["answer"] = {"text": "[[figure:never.png]]"}
    with pytest.raises(KeyError):
        resolve_figure_references(results, students=True)


def test_the_rotation_sentence_is_printed_only_where_the_results_bear_it_out():
    """Figure 11's sentence on PCA keeping every component: the converged probe matches raw
    inputs while the course's Adam probe falls below them; the numbers are the results'."""
    import copy

    from answerkey.experiments.ae.figures import rotation_sentence

    ae = _golden_experiments()["ae"]
    sentence = rotation_sentence(ae)
    raw = next(b for b in ae["baselines"] if b["dataset"] == "synthetic" and b["features"] == "raw")
    full = [b for b in ae["baselines"] if b["dataset"] == "synthetic" and b["features"] == "pca"
            and b["components"] == 100][-1]  # fmt: skip
    assert f"the course probe {full['probe']['mean']:.3f} vs {raw['probe']['mean']:.3f}" in sentence
    assert "Adam" in sentence
    # a converged probe that does worse on PCA's codes than on raw inputs: no such reason
    changed = copy.deepcopy(ae)
    for b in changed["baselines"]:
        if b["features"] == "pca":
            b["sklearn"]["mean"] -= 0.05
    assert rotation_sentence(changed) == ""
    # the course probe as good on PCA's codes as on raw inputs: nothing to explain
    changed = copy.deepcopy(ae)
    for b in changed["baselines"]:
        if b["features"] == "pca":
            b["probe"]["mean"] = 1.0
    assert rotation_sentence(changed) == ""


def test_a_figure_cited_at_its_claim_is_not_named_again_in_a_blanket_sentence():
    """Every figure whose prose cites it by "[[figure:NAME]]" drops out of the sentence that
    opens a part's figures; a part whose figures are all cited gets that sentence only for
    its tables."""
    from answerkey.documents.content import (
        _figures_and_tables,
        _number,
        _Reference,
        resolve_figure_references,
    )

    results = {
        "questions": [
            {"parts": [{"id": "q1", "answer": {
                "text": "as [[figure:a.png]] shows",
                "figures": [{"name": "a.png", "caption": "A."}, {"name": "b.png", "caption": "B."}],
                "tables": [{"caption": "T.", "columns": ["x"], "rows": [[1]]}]}}]},
        ]
    }  # fmt: skip
    # a claim that the build leaves out of the answer cites nothing
    results["experiments"] = {"ae": {"claims": [{"sentence": "see [[figure:b.png]]"}]}}
    part = resolve_figure_references(results, students=True)["questions"][0]["parts"][0]
    assert [f["cited"] for f in part["answer"]["figures"]] == [True, False]
    blocks = _figures_and_tables(part)
    assert isinstance(blocks[0], _Reference)
    text = repr(_number(blocks)[0])
    assert "Figure 2" in text and "Table 1" in text and "Figure 1" not in text, text


def test_the_overlap_check_finds_a_label_pressed_on_a_marker_and_a_leader_along_a_row():
    """Figure 3's crowded corners: a label whose box reaches a neighbour's disc without
    covering its centre, and a leader line that runs over a row of other markers, both
    read as naming the wrong point."""
    from answerkey.experiments.figure_style import overlaps

    plt, fig, ax = _blank_figure(10)
    ax.scatter([5, 6], [5, 5], s=26)
    ax.annotate("5", (5, 5), xytext=(0, 8), textcoords="offset points", ha="center")
    assert overlaps(fig) == []
    fig.canvas.draw()
    # beside marker (6, 5): the box ends 1 pt short of its centre, inside its disc
    right = ax.transData.transform((6, 5)) - (1 * fig.dpi / 72, 0)
    x, y = ax.transData.inverted().transform(right)
    ax.annotate("6", (5, 5), xytext=(x, y), ha="right", va="center")
    assert overlaps(fig) == ["'6' covers a marker"], overlaps(fig)
    plt.close(fig)

    plt, fig, ax = _blank_figure(10)
    ax.scatter([2, 3, 4, 5], [5, 5, 5, 5], s=26)
    ax.annotate("2", (2, 5), xytext=(8, 5), ha="center", va="center",
                arrowprops={"arrowstyle": "-"})  # fmt: skip
    assert overlaps(fig) == ["the leader line of '2' crosses markers"], overlaps(fig)
    plt.close(fig)


def test_the_overlap_check_finds_two_legends_that_run_into_each_other():
    """Figure 5's two legends below their panels: a long entry of the left one ran into
    the right one's handles."""
    from answerkey.experiments.figure_style import overlaps, pyplot

    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(4, 3))
    fig.subplots_adjust(bottom=0.4)
    for ax in (left, right):
        ax.plot([0, 1], [0, 1], label="a legend entry of thirty signs")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    found = overlaps(fig)
    plt.close(fig)
    assert "two legends overlap (0 and 1)" in found, found
