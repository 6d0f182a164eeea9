"""The results each experiment's `run` returns: what `results(NAME, profile)` hands its
readers (question modules, notebooks, figures) and what results.json holds under
"experiments". One TypedDict per experiment, nested where readers reach in.

Every result carries `version`: bump the experiment module's VERSION when a key's
meaning or shape changes, so a reader can tell which contract it holds. `execute`
(`answerkey run`, `build`) adds "figures" (the file names `draw` returned); the build
drops "timings" (measurements vary run to run and stay out of results.json).
`tests/test_contracts.py` holds the golden results.json to these shapes.

JSON, so tuples arrive as lists and dict keys as strings (node ids: "8"). No
`from __future__ import annotations`: TypedDict must see NotRequired unstringified.
"""

from typing import Any, NotRequired, TypedDict

# --- zkc (Q1) -------------------------------------------------------------------------


class ZkcBoundary(TypedDict):
    normal: list[float]
    offset: float
    signed_distance: list[float]  # per node; > 0 on the class-1 side of the decision line
    centroids: list[list[float]]
    looks_misclassified: list[int]
    out_of_place: list[list[Any]]  # [node, own/other centroid-distance ratio], worst first


class ZkcRun(TypedDict):
    """One trained network (the notebook's run, or the label leak's)."""

    epochs: int
    stopped_early: bool
    best_epoch: int
    train_accuracy: float
    test_accuracy: float
    misclassified_train: list[int]
    misclassified_test: list[int]
    prediction: list[int]
    probabilities: list[list[float]]
    embedding: list[list[float]]  # 34 × 2: the last hidden layer
    classifier: dict[str, list]  # weight (2 × 2), bias (2)
    boundary: ZkcBoundary
    final_objective: float
    curves: dict[str, list]  # epoch, train/test loss and accuracy, objective (subsampled)


class ZkcSemiSupervised(TypedDict):
    """Kipf & Welling's setting: only nodes 0 and 33 labelled, over several seeds."""

    seeds: list[int]
    labelled: list[int]
    predicted: list[int]
    epochs: int
    accuracy: dict[str, Any]  # per_seed, mean, std, min, max
    misclassified: dict[str, list[int]]  # seed → nodes missed
    miss_counts: dict[str, int]  # node → seeds that missed it
    always_missed: list[int]
    checkpoints: list[dict[str, Any]]  # epoch, accuracy, mean_accuracy, misclassified, …


class ZkcResults(TypedDict):
    version: int
    config: dict[str, Any]  # answerkey.experiments.zkc.runner.ExperimentConfig
    graph: dict[str, Any]  # nodes, edges, adjacency, a_hat_symmetric, a_hat_eigenvalue_range
    labels: dict[str, Any]  # set, y, class sizes, the detected and literal partitions
    split: dict[str, list[int]]  # test, train
    training: dict[str, Any]  # lr, weight_decay, max_epochs, patience, monitor, init, seed
    expected_test_accuracy: float  # what the notebook states (1.0)
    notebook: ZkcRun
    leak: ZkcRun
    test_loss_monitor: dict[str, Any]  # epochs, best_epoch, test/train accuracy, misclassified_test
    semi_supervised: ZkcSemiSupervised
    zachary: dict[str, Any]  # weighted/unweighted min cut, neighbourhoods of 2, 8, 9


# --- attention (Q3) ---------------------------------------------------------------------


class AttentionConfig(TypedDict):
    sizes: list[int]
    d: int
    m: int
    dtype: str
    threads: int
    seed: int
    fit_from: int


class AttentionCounts(TypedDict):
    """Per size in config["sizes"], derived from the cost polynomials."""

    flops: list[int]
    operations: list[int]
    saved_bytes: list[int]
    counted_flops: list[int]  # FlopCounterMode's count on meta tensors


class AttentionTimings(TypedDict):
    """Measurements (machine-dependent): never in results.json or the documents' text."""

    seconds: dict[str, list[float]]
    peak_bytes: dict[str, list[int]]
    time_slopes: dict[str, float]
    memory_slopes: dict[str, float]
    fit_sizes: list[int]
    crossover_time: float | None
    crossover_memory: float | None
    crossover_memory_is_upper_bound: bool
    speedup_at_largest: float
    torch_threads: int


class AttentionPrecision(TypedDict):
    """`numeric.kernel_attention.linearization_error`: deterministic (seeded), so it reaches
    results.json and q3.c.ii's text."""

    config: dict[str, Any]  # scales, dtypes, trials, seed, N, D, M, unreliable, family
    rows: list[dict[str, Any]]  # per dtype and scale: median/max error of each form
    summary: dict[str, Any]  # per form_dtype: slope, fit_scales, unreliable_from
    issue_example: dict[str, Any]  # q = (s, −s), keys (s, s), (0, 0): exact 5, the outputs


class AttentionResults(TypedDict):
    version: int
    config: AttentionConfig
    precision: AttentionPrecision
    counts: dict[str, AttentionCounts]  # by form: "softmax", "linear"
    derived_crossover: dict[str, int]  # flops, operations, saved: N from which linear wins
    counts_match_flop_counter: bool
    flop_slopes: dict[str, float]
    operation_degree_in_N: dict[str, int]
    timings: NotRequired[AttentionTimings]  # dropped by the build


# --- beam (Q5) ------------------------------------------------------------------------


class Figure2Trace(TypedDict):
    """Beam search on HW6's Figure 2 (k = 2, T = 3, textbook settings)."""

    steps: list[list[list[Any]]]  # per step: [[words], log-prob] held by the beam
    ranking: list[list[Any]]  # every sequence, best first: [[words], log-prob]
    beam: list[Any]  # the beam's answer: [words, log-prob]
    optimum: list[Any]
    found_optimum: bool
    pruned_at_step: int | None
    candidates_at_pruning: list[list[Any]]


class OptimumStudy(TypedDict):
    """Beam (each k) and greedy vs the exhaustive optimum on the GRU language model."""

    prompts: int
    new_tokens: int
    vocabulary: int
    final_loss: float
    grammar_entropy: float
    found_fraction: dict[str, float]  # "greedy" or k → fraction of prompts
    mean_gap: dict[str, float]
    examples: list[dict[str, Any]]


class BeamResults(TypedDict):
    version: int
    config: dict[str, Any]  # quick, rnn (the GRU study's sizes and seeds)
    figure2: Figure2Trace
    rnn: OptimumStudy
    operations: dict[str, Any]  # T_k_grid, M_grid, fits, fixed: numeric.beam_search


# --- ae (Q4(a)) ------------------------------------------------------------------------


class AeStats(TypedDict):
    mean: float
    min: float
    max: float


class AeBand(TypedDict):
    """Per autoencoder epoch 0 … E: mean, min and max over seeds."""

    mean: list[float]
    min: list[float]
    max: list[float]


class AeRow(TypedDict, total=False):
    """One (data set, activation, variant, k) over its seeds."""

    dataset: str
    activation: str
    variant: str
    k: int
    hidden_sizes: list[int]
    seeds: int
    epochs: list[int]  # 0 … E; epoch 0 is the untrained encoder
    recon: AeBand  # held-out loss with the variant's corruption (the training objective)
    recon_clean: AeBand  # held-out loss on clean inputs
    probe: AeBand  # fresh-probe test accuracy, averaged over label draws
    final: dict[str, AeStats]  # recon, recon_clean, recon_train, probe, probe_epoch0
    probe_seeds: list[float]  # final accuracy per seed
    probe_epoch0_seeds: list[float]
    probe_draws: list[list[float]]  # (seeds, draws) final accuracy
    recon_train_seeds: list[float]
    participation_ratio: AeStats
    linear: dict[str, AeStats]  # linear encoders: numeric.autoencoders.linear_autoencoder_report
    bayes_accuracy: list[float]  # synthetic linear encoders: best classifier from the code


class AeResults(TypedDict):
    """What `results("ae", profile)` returns (answerkey.experiments.ae.VERSION).

    rows: Row per autoencoder; baselines: raw inputs and PCA per k (probe = the course's
    Adam probe over label draws, sklearn = LogisticRegression to convergence);
    references: per (data set, k) PCA's optimum against the vanilla linear AE;
    subspace: the random-subspace expectation per k < 20 with the measured seeds;
    claims: every claim with holds, margin, spread, sentence; answers: the prose.
    """

    version: int
    profile: str
    settings: dict
    budget: dict
    relu_width: dict
    corruption: dict[str, float]  # noise_std (ν), mask_probability (an entry zeroed)
    data: dict
    rows: list[AeRow]
    baselines: list[dict]
    references: list[dict]
    subspace: list[dict]
    claims: list[dict]
    answers: dict[str, str]
    timings: NotRequired[dict]  # dropped by the build


CONTRACTS: dict[str, type] = {
    "zkc": ZkcResults,
    "attention": AttentionResults,
    "beam": BeamResults,
    "ae": AeResults,
}
