"""Q1: the graph, Â, the labels, the hand-written backward pass, training, the derivation."""

import math

import networkx as nx
import pytest
import sympy as sp
import torch

from derivations import karate_club as D
from models import karate_club as K
from numeric.karate_club import (
    finite_difference_check,
    gradcheck_gcn_layer,
    network_gradient_check,
)

# --- the graph and Â ---------------------------------------------------------------------


def test_the_club_has_34_members_and_78_friendships():
    a = K.adjacency()
    assert a.shape == (34, 34)
    assert int(a.sum()) == 2 * 78


def test_binary_adjacency_is_0_1_and_weighted_keeps_the_counts():
    assert set(K.adjacency().unique().tolist()) == {0.0, 1.0}
    weighted = K.adjacency(weighted=True)
    assert weighted.max() == 7
    assert torch.equal(weighted > 0, K.adjacency() > 0)


def test_self_loops_add_the_identity():
    a = K.adjacency()
    assert torch.equal(K.add_self_loops(a) - a, torch.eye(34, dtype=a.dtype))


def test_a_hat_of_a_path_matches_the_hand_computation():
    # Path 0–1–2: degrees of A + I are 2, 3, 2, so Â_ij = Ã_ij / √(d_i d_j).
    graph = nx.path_graph(3)
    r6 = 1 / math.sqrt(6)
    expected = torch.tensor([[1 / 2, r6, 0], [r6, 1 / 3, r6], [0, r6, 1 / 2]], dtype=torch.float64)
    assert torch.allclose(K.normalized_adjacency(graph), expected, rtol=0, atol=1e-15)


def test_a_hat_of_a_star_matches_the_hand_computation():
    # Star with centre 0 and leaves 1, 2, 3: d̃ = (4, 2, 2, 2).
    graph = nx.star_graph(3)
    a_hat = K.normalized_adjacency(graph)
    assert a_hat[0, 0] == pytest.approx(1 / 4)
    assert a_hat[1, 1] == pytest.approx(1 / 2)
    assert a_hat[0, 1] == pytest.approx(1 / math.sqrt(8))
    assert a_hat[1, 2] == 0


def test_exact_derivation_agrees_with_the_float_a_hat_on_the_club():
    graph = K.karate_graph()
    exact = D.normalized_adjacency_exact(graph.edges, 34)
    reference = torch.tensor(exact.evalf(20).tolist(), dtype=torch.float64)
    assert (K.normalized_adjacency() - reference).abs().max() < 1e-15


def test_a_hat_is_symmetric():
    a_hat = K.normalized_adjacency()
    assert torch.equal(a_hat, a_hat.T)


def test_a_hat_eigenvalues_lie_in_minus_one_one_with_sqrt_degree_for_one():
    a_hat = K.normalized_adjacency()
    eigenvalues = torch.linalg.eigvalsh(a_hat)
    assert eigenvalues.max() == pytest.approx(1.0, abs=1e-12)
    assert eigenvalues.min() > -1
    root_degree = K.add_self_loops(K.adjacency()).sum(dim=1).sqrt()
    assert torch.allclose(a_hat @ root_degree, root_degree, atol=1e-12)


def test_on_a_regular_graph_a_hat_is_a_plain_average():
    # Every node of a cycle has degree 2, so D̃ = 3I and Â = (A + I)/3.
    graph = nx.cycle_graph(6)
    a = K.adjacency(graph)
    assert torch.allclose(K.normalized_adjacency(graph), (a + torch.eye(6)) / 3, atol=1e-15)


def test_scaling_the_weights_scales_only_the_off_diagonal_mass():
    # Â of the weighted graph: multiplying every weight by c leaves A + I's identity
    # unscaled, so Â changes; at c → ∞ the diagonal weight vanishes.
    graph = K.karate_graph()
    a = K.adjacency(graph, weighted=True)
    small = K.symmetric_normalize(K.add_self_loops(a))
    large = K.symmetric_normalize(K.add_self_loops(1e6 * a))
    assert not torch.allclose(small, large)
    assert large.diagonal().max() < 1e-5


def test_exact_stationary_vector_on_a_small_graph():
    exact = D.normalized_adjacency_exact([(0, 1), (1, 2), (0, 2), (2, 3)], 4)
    assert D.stationary_vector_residual(exact, [3, 3, 4, 2]) == sp.zeros(4, 1)


def test_features_are_the_identity():
    assert torch.equal(K.identity_features(), torch.eye(34, dtype=torch.float64))


# --- labels ----------------------------------------------------------------------------


def test_the_literal_partition_is_what_greedy_modularity_finds():
    assert K.detect_notebook_labels() == K.NOTEBOOK_CLASS_0


def test_the_weighted_graph_gives_another_partition_at_node_9():
    assert K.detect_notebook_labels(weighted=True) ^ K.NOTEBOOK_CLASS_0 == {9}


def test_notebook_labels_differ_from_the_club_split_at_8_and_9():
    differ = (K.notebook_labels() != K.club_labels()).nonzero().flatten().tolist()
    assert differ == [8, 9]


def test_the_leaders_are_on_opposite_sides_in_both_label_sets():
    for labels in (K.notebook_labels(), K.club_labels()):
        assert labels[K.MR_HI] == 1 and labels[K.OFFICER] == 0


def test_the_split_has_ten_test_and_24_train_nodes():
    assert len(set(K.TEST_NODES)) == 10
    assert len(K.train_nodes()) == 24
    assert not set(K.train_nodes()) & set(K.TEST_NODES)


def test_unknown_label_set_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid: notebook, club"):
        K.labels_for("communities")


def test_zacharys_weighted_min_cut_misplaces_only_member_8():
    from answerkey.experiments.zkc.runner import zachary_analysis

    report = zachary_analysis()
    assert report["weighted_min_cut"]["disagrees_with_club"] == [8]
    assert report["unweighted_min_cut"]["disagrees_with_club"] == [8, 9]


# --- the layer's backward pass -----------------------------------------------------------


def test_gradcheck_passes_in_float64():
    report = gradcheck_gcn_layer()
    assert report["passed"], report


def test_gradcheck_catches_a_backward_without_the_tanh_derivative():
    class Broken(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, x, w):
            h, ax = K.gcn_layer_forward(a, x, w)
            ctx.save_for_backward(a, x, w, ax, h)
            return h

        @staticmethod
        def backward(ctx, g):
            a, x, w, ax, h = ctx.saved_tensors
            return None, a.T @ g @ w, g.T @ ax  # forgets tanh' = 1 − H²

    gen = torch.Generator().manual_seed(0)
    inputs = (
        torch.randn(4, 4, generator=gen, dtype=torch.float64),
        torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True),
        torch.randn(2, 3, generator=gen, dtype=torch.float64, requires_grad=True),
    )
    assert not torch.autograd.gradcheck(Broken.apply, inputs, raise_exception=False)


def test_hand_backward_equals_autograd_of_the_reference_layer():
    gen = torch.Generator().manual_seed(3)
    a, x, w = (
        torch.randn(*s, generator=gen, dtype=torch.float64, requires_grad=True)
        for s in ((6, 6), (6, 5), (3, 5))
    )
    g = torch.randn(6, 3, generator=gen, dtype=torch.float64)
    hand = torch.autograd.grad(K.gcn_layer(a, x, w), (a, x, w), g)
    reference = torch.autograd.grad(K.gcn_layer_reference(a, x, w), (a, x, w), g)
    for mine, theirs in zip(hand, reference, strict=True):
        assert torch.allclose(mine, theirs, rtol=0, atol=1e-13)


def test_finite_differences_agree_with_the_hand_backward():
    errors = finite_difference_check()["max_relative_error"]
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize("normalization", K.NORMALIZATIONS)
def test_network_backprop_by_hand_equals_autograd(normalization):
    report = network_gradient_check(normalization=normalization)
    assert report["max_abs_difference"] < 1e-15
    assert report["objective_difference"] < 1e-15


def test_the_bias_is_not_decayed():
    model = K.GCN()
    a, x, y = K.normalized_adjacency(), K.identity_features(), K.notebook_labels()
    no_labels = torch.zeros(34, dtype=torch.float64)  # J is then the decay term alone
    with torch.no_grad():
        model.classifier.bias.fill_(3.0)
    *_, grads = K.objective_and_gradients(model, a, x, y, no_labels)
    assert torch.equal(grads[-1], torch.zeros(2, dtype=torch.float64))
    assert torch.allclose(grads[0], K.WEIGHT_DECAY / 34 * model.layers[0].weight)


# --- the derivation ----------------------------------------------------------------------


def test_tanh_derivative_lemma():
    derived, claimed = D.tanh_derivative_lemma()
    assert sp.simplify(derived - claimed) == 0


@pytest.mark.parametrize("which", ["W", "X", "A"])
def test_matrix_calculus_gives_the_claimed_gradient(which):
    assert D.gradients_agree(which)


def test_the_comparison_rejects_a_gradient_missing_a_transpose():
    derived = D.derived_gradients()["X"]
    s = sp.HadamardProduct(D.G, D.pre_activation().applyfunc(D.TANH_PRIME))
    assert D._canonical(derived) != D._canonical(D.A_hat * s * D.W)


def test_entrywise_gradients_vanish_at_a_concrete_size():
    for matrix in D.entrywise_differences(2, 2, 2).values():
        assert matrix.is_zero_matrix


def test_derivation_steps_are_printable():
    assert all(step.text for step in D.steps())


# --- the model and training ---------------------------------------------------------------


def test_the_model_has_the_notebooks_shapes():
    model = K.GCN(34, [16, 2])
    assert [tuple(layer.weight.shape) for layer in model.layers] == [(16, 34), (2, 16)]
    assert tuple(model.classifier.weight.shape) == (2, 2)
    assert model(K.normalized_adjacency(), K.identity_features()).shape == (34, 2)


def test_init_is_uniform_within_the_notebooks_bound():
    model = K.GCN()
    bound = math.sqrt(5 / (34 + 16))
    w = model.layers[0].weight
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.9 * bound  # 544 draws fill the interval


def test_same_seed_same_network_other_seed_other_network():
    assert torch.equal(K.GCN(seed=100).layers[0].weight, K.GCN(seed=100).layers[0].weight)
    assert not torch.equal(K.GCN(seed=100).layers[0].weight, K.GCN(seed=101).layers[0].weight)


def test_a_batch_of_seeds_holds_the_single_networks():
    batch = K.GCN(seeds=(5, 100))
    single = K.GCN(seed=100)
    for batched, alone in zip(batch.parameters(), single.parameters(), strict=True):
        assert torch.equal(batched[1], alone)


def _short_training(model, epochs=300, **kwargs):
    a, x, y = K.normalized_adjacency(), K.identity_features(), K.notebook_labels()
    return K.train(model, a, x, y, K.train_nodes(), K.TEST_NODES, max_epochs=epochs, **kwargs)


def test_the_objective_decreases_every_epoch():
    history = _short_training(K.GCN(), epochs=400)
    steps = [b - a for a, b in zip(history.objective, history.objective[1:], strict=False)]
    assert max(steps) < 0


def test_the_train_loss_falls_well_below_chance():
    history = _short_training(K.GCN(), epochs=1500)
    assert history.train_loss[0] > 0.6
    assert history.train_loss[-1] < 0.3


def test_training_is_deterministic():
    first, second = _short_training(K.GCN()), _short_training(K.GCN())
    assert first.as_dict() == second.as_dict()


def test_a_batch_trains_exactly_like_its_single_networks():
    batch = _short_training(K.GCN(seeds=(1, 100)), epochs=200)
    single = _short_training(K.GCN(seed=100), epochs=200)
    assert batch[1].objective == pytest.approx(single.objective, rel=1e-12)


def test_early_stopping_on_the_test_loss_stops_in_the_plateau():
    history = _short_training(K.GCN(), epochs=1000, monitor="test_loss")
    assert history.stopped_early
    assert history.epochs == history.best_epoch + 1 + K.PATIENCE


def test_the_test_labels_never_reach_the_gradient():
    # Flipping every test node's label leaves the trained network unchanged.
    a, x = K.normalized_adjacency(), K.identity_features()
    y = K.notebook_labels()
    flipped = y.clone()
    flipped[list(K.TEST_NODES)] = 1 - flipped[list(K.TEST_NODES)]
    models = K.GCN(), K.GCN()
    for model, labels in zip(models, (y, flipped), strict=True):
        K.train(model, a, x, labels, K.train_nodes(), K.TEST_NODES, max_epochs=100, patience=None)
    for mine, theirs in zip(models[0].parameters(), models[1].parameters(), strict=True):
        assert torch.equal(mine, theirs)


def test_the_experiments_notebook_run_is_bitwise_a_lone_training():
    """The notebook trains one network alone; the experiment's numbers must be its bits
    (trained in a batch, MKL's batched matmul rounds the logits differently by an ulp)."""
    from answerkey.experiments.zkc.runner import ExperimentConfig, run_experiment

    config = ExperimentConfig.quick(max_epochs=300, semi_seeds=(100,), semi_checkpoints=(10,))
    results = run_experiment(config)
    history = _short_training(K.GCN(seed=config.seed), epochs=config.max_epochs)
    assert results["notebook"]["final_objective"] == history.objective[-1]
    assert results["notebook"]["epochs"] == history.epochs


def test_q1_1_frame_is_an_answer_read_from_the_leak_run():
    """review6, 1: the frame says what a correct submission shows (the course's code's test
    accuracy, read from the leak run; the written question; the formulas), at most three
    points, and gives no staff instruction ("Report …", "… below")."""
    from answerkey.questions.karate_club import POINT, q1_1_headline

    r = {
        "leak": {"test_accuracy": 0.7},
        "notebook": {"test_accuracy": 0.6},
        "split": {"test": list(range(10))},
    }
    lead, *points = q1_1_headline(r).split(POINT)
    assert 1 <= len(points) <= 3
    # review7, q1.1: which number is expected is unambiguous; the honest one is beside it.
    assert "test accuracy 0.7 with the course's code (the expected answer)" in points[0]
    assert "0.60 once the test labels are kept out of training (Note)" in points[0]
    assert "only the 10 test nodes count" in points[1]
    assert not any(word in q1_1_headline(r) for word in ("Report", "below", "leak"))
