"""Q5: the general beam search, the Figure 2 answers, the complexity derivation and counts."""

import itertools
import math

import pytest
import sympy as sp
import torch

from derivations import beam_search as D
from models.beam_search import beam_search, exhaustive_search, greedy_search
from models.figure2_decoder import TreeScorer
from models.figure2_tree import FIGURE2, VOCAB
from models.rnn_language_model import EOS, RNNScorer, generate_corpus, grammar_entropy, train
from numeric.beam_search import counted_beam_search, exact_beams, exact_ranking, fit_exponents

TEXTBOOK = dict(length_penalty=0.0, early_stopping="never")


class TableScorer:
    """A random "language model": log-probs depend on (last token, position) through a
    fixed table, and the state is the last token and position, so every search can be
    checked against plain enumeration."""

    def __init__(self, vocab=4, seed=0, dtype=torch.float64, length=8):
        generator = torch.Generator().manual_seed(seed)
        logits = 2.5 * torch.randn(length + 1, vocab + 1, vocab, generator=generator, dtype=dtype)
        self.table = torch.log_softmax(logits, dim=-1)
        self.vocab_size = vocab

    def start(self, prompts):
        prompts = torch.as_tensor(prompts)  # [B] first "previous token" per prompt
        state = torch.stack((prompts, torch.zeros_like(prompts)), dim=1)
        return self.table[0, prompts], state

    def step(self, tokens, state):
        position = state[:, 1] + 1
        return self.table[position, tokens], torch.stack((tokens, position), dim=1)

    def reorder(self, state, index):
        return state[index]


@pytest.fixture(scope="module")
def tree():
    return TreeScorer()


def words(tree, out, prompt=0):
    return [(tree.words(t), round(s, 10)) for t, s in out.hypotheses(prompt)]


# --- the figure's answers --------------------------------------------------------------------


def test_figure2_beams_at_each_step(tree):
    out = beam_search(tree, 1, num_beams=2, max_new_tokens=3, num_return_sequences=2,
                      trace=True, **TEXTBOOK)  # fmt: skip
    step1, step2, step3 = out.trace
    assert [(tree.words(t), round(s, 10)) for t, s in step1.running()] == [
        (("neural",), -0.65), (("network",), -0.73)]  # fmt: skip
    assert [(tree.words(t), round(s, 10)) for t, s in step2.running()] == [
        (("neural", "network"), -1.25), (("network", "neural"), -1.33)]  # fmt: skip
    assert words(tree, step3.finished) == [
        (("neural", "network", "network"), -1.85),
        (("network", "neural", "network"), -1.93),
    ]


def test_figure2_optimum_is_missed_by_the_beam(tree):
    beam = beam_search(tree, 1, num_beams=2, max_new_tokens=3, **TEXTBOOK)
    best = exhaustive_search(tree, 1, max_new_tokens=3, length_penalty=0.0)
    assert words(tree, beam) == [(("neural", "network", "network"), -1.85)]
    assert words(tree, best) == [(("neural", "neural", "neural"), -1.46)]


def test_figure2_answers_match_exact_rational_reference():
    from fractions import Fraction

    beams = exact_beams(FIGURE2, VOCAB, 2, 3)
    assert beams[1] == [(("neural", "network"), Fraction(-5, 4)),
                        (("network", "neural"), Fraction(-133, 100))]  # fmt: skip
    assert exact_ranking(FIGURE2, VOCAB, 3)[0] == (
        ("neural", "neural", "neural"),
        Fraction(-73, 50),
    )


def test_question_module_answers():
    from answerkey.experiments import QUICK
    from answerkey.parts import get_part

    assert get_part("q5.a").answer(QUICK).value == [(("neural",), -0.65), (("network",), -0.73)]
    assert get_part("q5.c").answer(QUICK).value[0] == (("neural", "network", "network"), -1.85)
    d = get_part("q5.d").answer(QUICK).value
    assert d["found_optimum"] is False
    assert d["pruned_at_step"] == 2
    assert d["optimum"] == (("neural", "neural", "neural"), -1.46)


def test_stepping_past_the_tree_is_an_error(tree):
    with pytest.raises(ValueError, match="tree ends after 3"):
        beam_search(tree, 1, num_beams=2, max_new_tokens=4)


# --- the search against plain enumeration ------------------------------------------------------


@pytest.mark.parametrize("vocab,T", [(2, 3), (3, 3), (4, 2), (3, 4)])
def test_a_beam_of_V_to_the_T_minus_1_is_exhaustive(vocab, T):
    scorer = TableScorer(vocab, seed=vocab * 10 + T)
    k = vocab ** (T - 1)
    R = min(k, 3)
    prompts = torch.arange(vocab)
    beam = beam_search(scorer, prompts, num_beams=k, max_new_tokens=T,
                       num_return_sequences=R, **TEXTBOOK)  # fmt: skip
    best = exhaustive_search(scorer, prompts, max_new_tokens=T, length_penalty=0.0,
                             num_return_sequences=R, bound=False)  # fmt: skip
    assert torch.equal(beam.sequences, best.sequences)
    assert torch.allclose(beam.scores, best.scores)


def test_branch_and_bound_keeps_the_optimum():
    scorer = TableScorer(4, seed=3)
    prompts = torch.arange(4)
    bounded = exhaustive_search(scorer, prompts, max_new_tokens=5, length_penalty=0.0,
                                eos_token_id=0)  # fmt: skip
    full = exhaustive_search(scorer, prompts, max_new_tokens=5, length_penalty=0.0,
                             eos_token_id=0, bound=False)  # fmt: skip
    assert torch.equal(bounded.sequences, full.sequences)
    assert torch.equal(bounded.scores, full.scores)


@pytest.mark.parametrize("eos", [None, 1])
def test_a_beam_of_one_is_greedy(eos):
    scorer = TableScorer(5, seed=7)
    prompts = torch.arange(5)
    beam = beam_search(scorer, prompts, num_beams=1, max_new_tokens=6, eos_token_id=eos,
                       **TEXTBOOK)  # fmt: skip
    greedy = greedy_search(scorer, prompts, max_new_tokens=6, eos_token_id=eos,
                           length_penalty=0.0)  # fmt: skip
    assert torch.equal(beam.lengths, greedy.lengths)
    width = int(beam.lengths.max())
    assert torch.equal(beam.sequences[..., :width], greedy.sequences[..., :width])
    assert torch.allclose(beam.log_probs, greedy.log_probs)


def test_greedy_is_not_always_optimal_but_beam_is_never_worse_than_greedy_here():
    scorer = TableScorer(4, seed=11)
    prompts = torch.arange(4)
    greedy = greedy_search(scorer, prompts, max_new_tokens=4, length_penalty=0.0)
    best = exhaustive_search(scorer, prompts, max_new_tokens=4, length_penalty=0.0)
    assert bool((greedy.log_probs <= best.log_probs + 1e-12).all())


def test_finished_hypotheses_leave_the_beam_and_are_padded():
    scorer = TableScorer(4, seed=5)
    out = beam_search(scorer, torch.arange(4), num_beams=3, max_new_tokens=6, eos_token_id=2,
                      pad_token_id=9, num_return_sequences=3, **TEXTBOOK)  # fmt: skip
    assert int(out.lengths.min()) < 6, "the test needs an end-of-sequence token that fires"
    for b in range(4):
        for r in range(3):
            n = int(out.lengths[b, r])
            tokens = out.sequences[b, r].tolist()
            assert all(t == 9 for t in tokens[n:])
            if n < 6:
                assert tokens[n - 1] == 2  # ended by the end-of-sequence token
            assert 2 not in tokens[: n - 1]  # a finished hypothesis is never extended


def path_log_prob(scorer, prompt, tokens) -> float:
    """log p(tokens | prompt), replayed through the scorer one token at a time."""
    log_probs, state = scorer.start(torch.tensor([prompt]))
    total = 0.0
    for token in tokens:
        total += float(log_probs[0, token])
        log_probs, state = scorer.step(torch.tensor([token]), state)
    return total


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "settings",
    [TEXTBOOK, dict(length_penalty=1.0, early_stopping=True),
     dict(length_penalty=2.0, early_stopping="never"), dict(length_penalty=-1.0)],
)  # fmt: skip
def test_hypotheses_ending_at_different_steps_are_rebuilt_exactly(seed, settings):
    scorer = TableScorer(5, seed=seed)
    if seed % 2:  # the end token is nearly certain from step 2 on: every hypothesis ends there
        scorer.table[1:, :, 0] = -1e-4
    out = beam_search(scorer, torch.arange(3), num_beams=3, max_new_tokens=7, eos_token_id=0,
                      num_return_sequences=3, **settings)  # fmt: skip
    for b in range(3):
        for tokens, _ in out.hypotheses(b):
            r = [t for t, _ in out.hypotheses(b)].index(tokens)
            assert 0 not in tokens[:-1]
            assert path_log_prob(scorer, b, tokens) == pytest.approx(
                float(out.log_probs[b, r]), abs=1e-12
            )


def test_hypotheses_that_all_end_before_the_search_does_are_rebuilt_exactly():
    scorer = TableScorer(4, seed=1)
    scorer.table[1, :, 0], scorer.table[1, :, 1:] = -1e-4, -10.0  # the end token at step 2
    scorer.table[2:, :, 0], scorer.table[2:, :, 1:] = -50.0, -5.0  # and never after
    out = beam_search(scorer, torch.arange(2), num_beams=2, max_new_tokens=7, eos_token_id=0,
                      num_return_sequences=2, length_penalty=2.0, early_stopping="never",
                      trace=True)  # fmt: skip
    assert len(out.trace) > 2, "the search must run on after every hypothesis has ended"
    assert out.lengths.tolist() == [[2, 2], [2, 2]]
    for b in range(2):
        for r, (tokens, _) in enumerate(out.hypotheses(b)):
            assert tokens[-1] == 0
            assert path_log_prob(scorer, b, tokens) == pytest.approx(
                float(out.log_probs[b, r]), abs=1e-12
            )


def test_log_probs_are_the_path_sums(tree):
    out = beam_search(tree, 1, num_beams=2, max_new_tokens=3, num_return_sequences=2, **TEXTBOOK)
    for tokens, _ in out.hypotheses():
        assert math.isclose(out.log_probs[0, 0] if False else tree.sequence_log_prob(
            tree.words(tokens)), dict(out.hypotheses())[tokens], abs_tol=1e-12)  # fmt: skip


def test_length_penalty_ranks_by_normalized_score():
    scorer = TableScorer(4, seed=5)
    for alpha in (0.0, 1.0, 2.0):
        out = beam_search(scorer, torch.arange(4), num_beams=4, max_new_tokens=6, eos_token_id=2,
                          length_penalty=alpha, num_return_sequences=4)  # fmt: skip
        real = out.lengths > 0
        expected = out.log_probs / out.lengths.to(out.log_probs.dtype) ** alpha
        assert torch.allclose(out.scores[real], expected[real])
        assert bool((out.scores[:, :-1] >= out.scores[:, 1:]).all())  # best first


def test_a_length_bonus_prefers_longer_hypotheses():
    scorer = TableScorer(4, seed=5)
    lengths = {}
    for alpha in (-1.0, 0.0, 2.0):
        out = beam_search(scorer, torch.arange(4), num_beams=4, max_new_tokens=6, eos_token_id=2,
                          length_penalty=alpha, early_stopping="never")  # fmt: skip
        lengths[alpha] = out.lengths.float().mean().item()
    assert lengths[-1.0] <= lengths[0.0] <= lengths[2.0]


def test_a_batch_equals_one_prompt_at_a_time():
    scorer = TableScorer(5, seed=2)
    settings = dict(num_beams=3, max_new_tokens=5, eos_token_id=1, num_return_sequences=2,
                    length_penalty=1.0, early_stopping=False)  # fmt: skip
    batch = beam_search(scorer, torch.arange(5), **settings)
    for b in range(5):
        alone = beam_search(scorer, torch.tensor([b]), **settings)
        width = int(alone.lengths.max())
        assert torch.equal(batch.sequences[b, :, :width], alone.sequences[0, :, :width])
        assert torch.equal(batch.scores[b], alone.scores[0])


def test_deterministic():
    scorer = TableScorer(5, seed=2)
    first = beam_search(scorer, torch.arange(5), num_beams=3, max_new_tokens=5, eos_token_id=1)
    second = beam_search(scorer, torch.arange(5), num_beams=3, max_new_tokens=5, eos_token_id=1)
    assert torch.equal(first.sequences, second.sequences)
    assert torch.equal(first.scores, second.scores)


def test_the_shared_starting_tables_are_left_as_they_were():
    from models.beam_search import _start

    scorer = TableScorer(5, seed=2)
    settings = dict(num_beams=3, max_new_tokens=5, eos_token_id=1, trace=True)
    beam_search(scorer, torch.arange(5), **settings)
    before = [t.clone() for t in _start(5, 3, 5, (1,), torch.float64, torch.device("cpu"))]
    beam_search(scorer, torch.arange(5), **settings)
    after = _start(5, 3, 5, (1,), torch.float64, torch.device("cpu"))
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_trace_is_consistent_with_the_result(tree):
    out = beam_search(tree, 1, num_beams=2, max_new_tokens=3, trace=True, **TEXTBOOK)
    assert [step.step for step in out.trace] == [1, 2, 3]
    assert out.trace[-1].finished.hypotheses()[0] == out.hypotheses()[0]


# --- bad input ----------------------------------------------------------------------------------


class BadScorer(TableScorer):
    def __init__(self, fault, at_step=1):
        super().__init__(3, seed=0)
        self.fault, self.at_step, self.calls = fault, at_step, 0

    def _spoil(self, log_probs):
        self.calls += 1
        if self.calls - 1 < self.at_step:
            return log_probs
        if self.fault == "nan":
            log_probs = log_probs.clone()
            log_probs[-1, -1] = math.nan
        elif self.fault == "inf":
            log_probs = log_probs.clone()
            log_probs[0, 0] = math.inf
        elif self.fault == "shape":
            log_probs = log_probs[:, :-1]
        return log_probs

    def start(self, prompts):
        log_probs, state = super().start(prompts)
        return self._spoil(log_probs), state

    def step(self, tokens, state):
        log_probs, state = super().step(tokens, state)
        return self._spoil(log_probs), state


@pytest.mark.parametrize("search", ["beam", "greedy", "exhaustive"])
@pytest.mark.parametrize("fault,message", [("nan", "NaN"), ("inf", r"\+inf"), ("shape", "shape")])
@pytest.mark.parametrize("at_step", [0, 2])
def test_a_bad_scorer_is_named(search, fault, message, at_step):
    scorer = BadScorer(fault, at_step)
    run = {
        "beam": lambda: beam_search(scorer, torch.arange(2), num_beams=2, max_new_tokens=4),
        "greedy": lambda: greedy_search(scorer, torch.arange(2), max_new_tokens=4),
        "exhaustive": lambda: exhaustive_search(scorer, torch.arange(2), max_new_tokens=4),
    }[search]
    with pytest.raises(ValueError, match=message):
        run()


@pytest.mark.parametrize(
    "settings,error,message",
    [
        (dict(num_beams=0), ValueError, "num_beams"),
        (dict(num_beams=-2), ValueError, "num_beams"),
        (dict(num_beams=2.0), TypeError, "num_beams"),
        (dict(max_new_tokens=0), ValueError, "max_new_tokens"),
        (dict(num_return_sequences=3), ValueError, "num_return_sequences"),
        (dict(early_stopping="sometimes"), ValueError, "early_stopping"),
        (dict(early_stopping=1), ValueError, "early_stopping"),
        (dict(length_penalty=math.nan), ValueError, "length_penalty"),
        (dict(eos_token_id=7), ValueError, "eos_token_id"),
    ],
)
def test_bad_settings_are_refused(settings, error, message):
    full = dict(num_beams=2, max_new_tokens=3) | settings
    with pytest.raises(error, match=message):
        beam_search(TableScorer(3), torch.arange(2), **full)


def test_an_empty_vocabulary_is_refused():
    scorer = TableScorer(3)
    scorer.vocab_size = 0
    for run in (
        lambda: beam_search(scorer, torch.arange(2), num_beams=2, max_new_tokens=3),
        lambda: greedy_search(scorer, torch.arange(2), max_new_tokens=3),
        lambda: exhaustive_search(scorer, torch.arange(2), max_new_tokens=3),
    ):
        with pytest.raises(ValueError, match="empty vocabulary"):
            run()
    with pytest.raises(ValueError, match="empty vocabulary"):
        TreeScorer({(): ()}, vocab=())


def test_an_exhaustive_search_too_large_is_refused():
    with pytest.raises(ValueError, match="max_frontier"):
        exhaustive_search(TableScorer(4), torch.arange(4), max_new_tokens=6, max_frontier=100,
                          bound=False)  # fmt: skip


# --- the RNN language model ---------------------------------------------------------------------


def test_rnn_language_model_learns_the_grammar_and_beam_beats_greedy():
    torch.manual_seed(0)
    trained = train(sentences=600, steps=120, seed=0)
    assert sum(trained.losses[-10:]) / 10 < trained.losses[0] / 2
    assert trained.corpus_entropy == pytest.approx(grammar_entropy())
    scorer = RNNScorer(trained.model)
    prompts = torch.tensor([s[:2] for s in generate_corpus(40, seed=9)])
    settings = dict(max_new_tokens=4, eos_token_id=EOS, length_penalty=0.0)
    best = exhaustive_search(scorer, prompts, **settings)
    greedy = greedy_search(scorer, prompts, **settings)
    wide = beam_search(scorer, prompts, num_beams=6, early_stopping="never", **settings)
    assert bool((wide.log_probs[:, 0] >= greedy.log_probs[:, 0] - 1e-5).all())
    assert bool((best.log_probs[:, 0] >= wide.log_probs[:, 0] - 1e-5).all())


# --- q5.e -----------------------------------------------------------------------------------------


def test_big_o_in_T_and_k():
    assert sp.simplify(D.big_o_in_T_k() - D.T * D.k**2 * sp.log(D.k)) == 0


def test_big_o_with_the_vocabulary():
    expected = D.T * D.k * D.M * sp.log(D.M) + D.T * D.k**2 * sp.log(D.k)
    assert sp.simplify(D.big_o_with_M() - expected) == 0
    assert sp.simplify(D.big_o_linear_selection() - (D.T * D.k * D.M + D.T * D.k**2)) == 0


def test_q5e_names_the_vocabulary_one_way():
    """review6: Q5 prints the vocabulary size as |V| (M is Q3's value width), in the
    derivation's steps and the answer's prose, and argues from the pseudocode, not M = k."""
    import re

    from answerkey.experiments import QUICK
    from answerkey.questions.beam_search import _answer_e

    texts = [f"{step.text} {step.latex}" for step in D.steps()] + [_answer_e(QUICK).text]
    for text in texts:
        assert not re.search(r"(?<![\\\w])M(?!\w)", text), text
    assert "M = k" not in " ".join(texts)
    assert r"\left|V\right|" in D.steps()[-1].latex  # the bars as a pair (no spacing)


def test_cost_is_not_linear_in_k():
    ratio = D.ratio_limit(D.total_cost().subs({D.M: 50, D.c: 7}), D.T * D.k, D.k)
    assert ratio == sp.oo


def test_sorting_and_quickselect_keep_the_same_beam():
    sort, best_sort = counted_beam_search(4, 5, 16, "sort", seed=3)
    quick, best_quick = counted_beam_search(4, 5, 16, "quickselect", seed=3)
    assert best_sort == pytest.approx(best_quick)
    assert sort.additions == quick.additions == 4 * 5 * 16
    assert sort.model_calls == 4 * 5


def test_fit_recovers_known_exponents():
    rows = [{"T": T, "k": k, "y": 3 * T * k**2} for T in (2, 4, 8) for k in (2, 4, 8)]
    fit = fit_exponents(rows, "y", ("T", "k"))
    assert fit["T"] == pytest.approx(1.0)
    assert fit["k"] == pytest.approx(2.0)


def test_counted_selection_grows_like_k_squared_log_k():
    rows = []
    for k in (4, 8, 16, 32):
        count, _ = counted_beam_search(k, 3, 64, "sort", seed=k)
        rows.append({"k": k, "T": 3, "among_candidates": count.among_candidates})
    fit = fit_exponents(rows, "among_candidates", ("k",), divide_by_log="k")
    assert fit["k"] == pytest.approx(2.0, abs=0.15)
    assert fit_exponents(rows, "among_candidates", ("k",))["k"] > 2.1  # the log k is visible


@pytest.mark.parametrize("bad", [dict(k=0), dict(T=0), dict(M=0)])
def test_counted_search_refuses_bad_sizes(bad):
    sizes = dict(k=2, T=2, M=2) | bad
    with pytest.raises(ValueError):
        counted_beam_search(sizes["k"], sizes["T"], sizes["M"])


def test_run_beam_prints_one_json_document_and_saves_the_figures(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-m", "answerkey", "run", "beam", "--quick", "--json", "--out",
         str(tmp_path)], capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["figure2"]["pruned_at_step"] == 2
    assert report["rnn"]["found_fraction"]["1"] == report["rnn"]["found_fraction"]["greedy"]
    for name in ("beam_figure2_tree.png", "beam_optimum_vs_k.png", "beam_operation_counts.png"):
        assert (tmp_path / "figures" / name).stat().st_size > 10_000


# --- random small models against the exact reference (issue 18) ----------------------------


def _scorer_tree(scorer, prompt, vocab: tuple[int, ...], depth: int):
    """The model's tree of next-token log-probs over `vocab` below `prompt`, queried prefix
    by prefix (float64, written with repr, so the exact reference reads them exactly)."""
    import torch

    tree = {}
    for length in range(depth):
        for prefix in itertools.product(vocab, repeat=length):
            log_probs, state = scorer.start(torch.tensor([prompt]))
            for token in prefix:
                log_probs, state = scorer.step(torch.tensor([token]), state)
            tree[prefix] = tuple(float(log_probs[0, t]) for t in vocab)
    return tree


@pytest.mark.parametrize("seed", range(6))
def test_beam_search_on_random_small_models_matches_the_exact_reference(seed):
    """A randomly initialised GRU language model (untrained, so no structure helps): every
    step's beam equals textbook beam search in exact arithmetic on the model's own tree, and
    k ≥ |V|^(T−1) returns the optimum of full enumeration."""
    import torch

    from models.beam_search import beam_search
    from models.rnn_language_model import BOS, PAD, RNNLanguageModel, RNNScorer
    from numeric.beam_search import exact_beams, exact_ranking

    torch.manual_seed(seed)
    size, T = 6, 3
    model = RNNLanguageModel(vocab=size, embedding=4, hidden=8).double().eval()
    scorer = RNNScorer(model)
    vocab = tuple(t for t in range(size) if t not in (PAD, BOS))  # the scorer bars these two
    V = len(vocab)
    prompt = [vocab[seed % V]]
    tree = _scorer_tree(scorer, prompt, vocab, T)
    for k in (1, 2, 3, 5, V ** (T - 1)):
        out = beam_search(scorer, torch.tensor([prompt]), num_beams=k, max_new_tokens=T,
                          length_penalty=0.0, early_stopping="never", num_return_sequences=k,
                          trace=True)  # fmt: skip
        reference = exact_beams(tree, vocab, k, T)
        for step in out.trace:
            held = step.running() if step.step < T else step.finished.hypotheses()
            ours = [(tuple(int(t) for t in tokens), score) for tokens, score in held]
            want = reference[step.step - 1]
            assert [w for w, _ in ours] == [w for w, _ in want], (k, step.step)
            assert all(abs(s - float(e)) < 1e-9 for (_, s), (_, e) in zip(ours, want, strict=True))
        if k >= V ** (T - 1):
            best = exact_ranking(tree, vocab, T)[0][0]
            assert tuple(int(t) for t in out.hypotheses()[0][0]) == best
