"""`answerkey run zkc`: Q1's GCN on Zachary's karate club (notebook q_zkc.ipynb).

    answerkey run zkc [--json] [--quick] [--labels notebook|club]
                      [--adjacency binary|weighted] [--out DIR]

trains as the notebook does (train nodes only), the original helper code's label leak,
the test-loss stopping rule and the two-label semi-supervised setting, compares with
Zachary's min cut, and draws `zkc_graph.png`, `zkc_curves.png`, `zkc_embedding.png`,
`zkc_semi_supervised.png`. A package because it has three concerns of some size:

    runner.py    the run (torch; imported only inside `run`)
    figures.py   the figures, drawn from the results alone (matplotlib, lazily)
    this file    the experiment's interface (see `answerkey.experiments`) and the
                 accuracy table both the console summary and q1.1's answer show

Results: `answerkey.experiments.contracts.ZkcResults`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from answerkey.experiments.contracts import ZkcResults
from answerkey.parts import Table

NAME = "zkc"
HELP = (
    "Zachary's karate club GCN: train as the notebook (train nodes only), the label leak, "
    "the two-label semi-supervised setting, figures"
)
LIBRARIES = ("torch", "networkx", "numpy")
# The code whose source keys the cache: the model and this experiment, not the documents.
CODE = ("models", "answerkey/experiments/zkc")
VERSION = 1
LABEL_SETS = ("notebook", "club")  # = models.karate_club.LABEL_SETS (no torch import here)
LABEL_WORDS = {"notebook": "the notebook's", "club": "the real split's"}  # in documents
ADJACENCY_WORDS = {"binary": "0/1", "weighted": "interaction-count"}
ADJACENCIES = ("binary", "weighted")


def add_arguments(parser) -> None:
    parser.add_argument(
        "--labels",
        default="notebook",
        metavar="SET",
        help="label set: notebook (greedy-modularity communities, the default) or club "
        "(the real split)",
    )
    parser.add_argument(
        "--adjacency",
        default="binary",
        metavar="KIND",
        help="binary (0/1 edges, the default, as the 2022 course) or weighted "
        "(networkx's interaction counts)",
    )


def config(profile, args: Any = None) -> dict:
    """The runner's `ExperimentConfig` as a dict: the quick profile trains fewer epochs
    and seeds. Raises UsageError for an unknown --labels or --adjacency."""
    from answerkey.errors import UsageError
    from answerkey.experiments.zkc.runner import ExperimentConfig

    labels = getattr(args, "labels", None) or "notebook"
    adjacency = getattr(args, "adjacency", None) or "binary"
    if labels not in LABEL_SETS:
        raise UsageError(f"unknown label set {labels!r}; valid label sets: {', '.join(LABEL_SETS)}")
    if adjacency not in ADJACENCIES:
        raise UsageError(f"unknown adjacency {adjacency!r}; valid: {', '.join(ADJACENCIES)}")
    overrides = {"labels": labels, "adjacency": adjacency}
    made = ExperimentConfig.quick(**overrides) if profile.quick else ExperimentConfig(**overrides)
    return made.as_dict()


def run(config: dict) -> ZkcResults:
    from answerkey.experiments.zkc.runner import ExperimentConfig, run_experiment

    made = ExperimentConfig(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
    )
    return {"version": VERSION, **run_experiment(made)}


def draw(results: dict, folder: Path) -> dict[str, str]:
    """The four figures into `folder`; their file names by role."""
    from answerkey.experiments.zkc.figures import draw_all

    return {name: path.name for name, path in draw_all(results, folder).items()}


# The notebook's list of test nodes names this node twice (HW6.md, Q1 facts).
DUPLICATED_TEST_NODE = 8


def by_node(item: tuple[str, Any]) -> int:
    """Sort key for {node: …} items whose node ids are JSON strings."""
    return int(item[0])


def accuracy_table(r: dict) -> Table:
    ours, leak, watch = r["notebook"], r["leak"], r["test_loss_monitor"]
    a, lab = r["graph"]["adjacency"], r["labels"]["set"]
    return Table(
        caption=f"Test accuracy on the notebook's {len(r['split']['test'])} test nodes (its "
        f"list names node {DUPLICATED_TEST_NODE} twice; counted once here; seed "
        f"{r['training']['seed']}, {ADJACENCY_WORDS.get(a, a)} adjacency, "
        f"{LABEL_WORDS.get(lab, lab)} labels); J is the training objective, stopped when it "
        "has not improved for 50 epochs",
        columns=("run", "labels in the loss", "stopping rule", "epochs", "test accuracy", "missed"),
        rows=(
            ("stated in the notebook", "—", "—", "—", f"{r['expected_test_accuracy']:.2f}", "—"),
            (
                "train nodes only",
                "24 train nodes",
                "J, patience 50",
                str(ours["epochs"]),
                f"{ours['test_accuracy']:.2f}",
                ", ".join(map(str, ours["misclassified_test"])) or "none",
            ),
            (
                "the course's code (leak)",
                "all 34 nodes",
                "J, patience 50",
                str(leak["epochs"]),
                f"{leak['test_accuracy']:.2f}",
                ", ".join(map(str, leak["misclassified_test"])) or "none",
            ),
            (
                "stop on test loss",
                "24 train nodes",
                "test loss, patience 50",
                str(watch["epochs"]),
                f"{watch['test_accuracy']:.2f}",
                ", ".join(map(str, watch["misclassified_test"])) or "none",
            ),
        ),
    )


def summary(r: dict) -> str:
    ours, leak = r["notebook"], r["leak"]
    semi = r["semi_supervised"]
    lines = [
        f"Zachary's karate club: {r['graph']['nodes']} nodes, {r['graph']['edges']} edges, "
        f"{r['graph']['adjacency']} adjacency, {r['labels']['set']!r} labels"
    ]
    table = accuracy_table(r)
    widths = [max(len(str(x)) for x in col) for col in zip(table.columns, *table.rows, strict=True)]
    for row in (table.columns, *table.rows):
        lines.append("  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
    lines.append(
        f"  embedding: most out-of-place nodes (leak run) "
        f"{[n for n, _ in leak['boundary']['out_of_place'][:2]]}; "
        f"ours misclassified {ours['misclassified_test'] + ours['misclassified_train']}"
    )
    acc = semi["accuracy"]
    lines.append(
        f"Semi-supervised (labels on 0 and 33 only, {len(semi['seeds'])} seeds, "
        f"{semi['epochs']} epochs): accuracy mean {acc['mean']:.4f}, min {acc['min']:.4f}, "
        f"max {acc['max']:.4f}; missed (node: seeds) "
        f"{dict(sorted(semi['miss_counts'].items(), key=by_node))}"
    )
    lines.append(
        f"Zachary's min cut (weighted) misplaces "
        f"{r['zachary']['weighted_min_cut']['disagrees_with_club']}"
    )
    return "\n".join(lines)
