"""Q4(a): the autoencoders, their corruptions and loss, the probe, and the data sets."""

import gzip

import numpy as np
import pytest
import torch
from torch import nn

from models import mnist
from models.autoencoders import (
    Autoencoder,
    ProbeConfig,
    TrainConfig,
    corrupt,
    init_probes,
    reconstruction_loss,
    train_autoencoder,
    train_probes,
)
from models.synthetic import make_synthetic

# --- structure ------------------------------------------------------------------------


def _layers(seq):
    return [(type(layer).__name__, getattr(layer, "in_features", None),
             getattr(layer, "out_features", None)) for layer in seq]  # fmt: skip


def test_encoder_stacks_linear_layers_with_the_activation_between_only():
    model = Autoencoder(784, [256, 10], "relu")
    assert _layers(model.encoder) == [
        ("Linear", 784, 256),
        ("ReLU", None, None),
        ("Linear", 256, 10),
    ]


def test_decoder_mirrors_the_encoder_without_output_activation():
    model = Autoencoder(784, [256, 64, 10], "relu")
    assert _layers(model.decoder) == [
        ("Linear", 10, 64),
        ("ReLU", None, None),
        ("Linear", 64, 256),
        ("ReLU", None, None),
        ("Linear", 256, 784),
    ]


def test_linear_autoencoder_uses_the_identity():
    model = Autoencoder(20, [8, 3], "linear")
    assert isinstance(model.encoder[1], nn.Identity)
    assert isinstance(model.decoder[1], nn.Identity)


def test_single_hidden_size_is_one_matrix_each_way():
    model = Autoencoder(100, [1000], "linear")
    assert _layers(model.encoder) == [("Linear", 100, 1000)]
    assert _layers(model.decoder) == [("Linear", 1000, 100)]


def test_shapes():
    model = Autoencoder(20, [16, 5], "relu")
    x = torch.randn(7, 20)
    assert model.encoder(x).shape == (7, 5)
    assert model(x).shape == (7, 20)
    assert model.code_size == 5


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation"):
        Autoencoder(4, [2], "tanhh")


def test_empty_hidden_sizes_are_refused():
    with pytest.raises(ValueError, match="hidden_sizes"):
        Autoencoder(4, [], "relu")


# --- loss and corruption -----------------------------------------------------------------


def test_loss_sums_over_features_and_averages_over_the_batch():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    x_hat = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    # rows: 1 + 4 = 5 and 4 + 9 = 13; mean 9 (MSELoss would give 4.5)
    assert reconstruction_loss(x_hat, x).item() == 9.0


def test_vanilla_input_is_the_clean_input():
    x = torch.randn(3, 4)
    assert torch.equal(corrupt(x, "vanilla"), x)


def test_denoising_adds_gaussian_noise_of_std_one_half():
    x = torch.full((400, 500), 2.0)
    noise = corrupt(x, "denoising", torch.Generator().manual_seed(0)) - x
    assert abs(noise.mean().item()) < 0.005  # stderr 0.5/√2e5 ≈ 0.0011
    assert abs(noise.std().item() - 0.5) < 0.005


def test_masking_zeroes_a_quarter_of_the_entries_and_keeps_the_rest():
    x = torch.rand(400, 500) + 1.0  # never 0 before masking
    masked = corrupt(x, "masked", torch.Generator().manual_seed(0))
    zeroed = (masked == 0).float().mean().item()
    assert abs(zeroed - 0.25) < 0.005  # stderr ≈ 0.001
    kept = masked != 0
    assert torch.equal(masked[kept], x[kept])


def test_corruption_is_reproducible_from_the_seed():
    x = torch.rand(10, 10)
    for variant in ("denoising", "masked"):
        a = corrupt(x, variant, torch.Generator().manual_seed(5))
        b = corrupt(x, variant, torch.Generator().manual_seed(5))
        assert torch.equal(a, b)


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant"):
        corrupt(torch.zeros(1, 1), "sparse")


# --- training ---------------------------------------------------------------------------


def _trained(seed, variant="denoising"):
    torch.manual_seed(seed)
    model = Autoencoder(12, [6, 3], "relu")
    x = torch.randn(300, 12) @ torch.randn(12, 12)
    losses = train_autoencoder(model, x, variant, TrainConfig(epochs=3, batch_size=50), seed)
    return model, losses


def test_training_is_deterministic_under_its_seed():
    a, losses_a = _trained(3)
    b, losses_b = _trained(3)
    assert losses_a == losses_b
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_a_different_seed_gives_a_different_model():
    a, _ = _trained(3)
    b, _ = _trained(4)
    assert not torch.equal(a.encoder[0].weight, b.encoder[0].weight)


def test_training_lowers_the_loss():
    _, losses = _trained(0, "vanilla")
    assert losses[-1] < losses[0]


# --- the probe -----------------------------------------------------------------------------


def test_batched_probes_equal_probes_trained_one_by_one_with_torch():
    """Reference: nn.functional.linear + torch.optim.Adam per probe, same init."""
    gen = torch.Generator().manual_seed(0)
    features = torch.randn(3, 40, 6, generator=gen)
    labels = torch.randint(0, 4, (3, 40), generator=gen)
    config = ProbeConfig(epochs=30, batch_size=40, lr=1e-2)
    result = train_probes(features, labels, features[0], labels[0], 4, config, seed=9)
    init_w, init_b = init_probes(3, 6, 4, torch.Generator().manual_seed(9))
    for p in range(3):
        weight = init_w[p].T.clone().requires_grad_(True)  # nn.Linear stores (out, in)
        bias = init_b[p, 0].clone().requires_grad_(True)
        optimizer = torch.optim.Adam([weight, bias], lr=1e-2)
        for _ in range(30):
            loss = nn.functional.cross_entropy(
                nn.functional.linear(features[p], weight, bias), labels[p]
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert torch.allclose(result["weight"][p], weight.detach().T, atol=1e-5)
        assert torch.allclose(result["bias"][p, 0], bias.detach(), atol=1e-5)


def test_probe_records_accuracy_before_training_and_on_schedule():
    features = torch.randn(1, 50, 3, generator=torch.Generator().manual_seed(0))
    labels = (features[0, :, 0] > 0).long().unsqueeze(0)
    config = ProbeConfig(epochs=200, batch_size=50, lr=0.05, eval_every=50)
    result = train_probes(features, labels, features[0], labels[0], 2, config, seed=0)
    assert result["epochs"] == [0, 50, 100, 150, 200]
    assert result["accuracy"][0][-1] == 1.0  # separable by the first feature


def test_minibatch_probe_is_deterministic():
    features = torch.randn(1, 250, 4, generator=torch.Generator().manual_seed(1))
    labels = (features[0, :, 1] > 0).long().unsqueeze(0)
    config = ProbeConfig(epochs=3, batch_size=100)
    a = train_probes(features, labels, features[0], labels[0], 2, config, seed=1)
    b = train_probes(features, labels, features[0], labels[0], 2, config, seed=1)
    assert torch.equal(a["weight"], b["weight"])


# --- the synthetic set ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic(seed=0)


def test_synthetic_shapes_and_contiguous_splits(synthetic):
    splits = synthetic.splits()
    assert synthetic.x.shape == (20_000, 100)
    assert [len(splits[name][0]) for name in ("train", "probe", "test")] == [14_000, 4000, 2000]
    assert np.array_equal(splits["probe"][0], synthetic.x[14_000:18_000])


def test_synthetic_rotation_is_orthogonal(synthetic):
    q = synthetic.rotation
    assert np.allclose(q.T @ q, np.eye(100), atol=1e-12)


def test_synthetic_covariance_is_the_rotated_diagonal(synthetic):
    """In the rotation's basis the sample covariance is diag(10 ×20, 1 ×80) up to sampling
    error: sd 10·√(2/n) ≈ 0.1 and √(2/n) ≈ 0.01 on the diagonal; bounds are 5 sd."""
    sample = np.cov(synthetic.x.astype(np.float64), rowvar=False)
    unrotated = synthetic.rotation.T @ sample @ synthetic.rotation
    diagonal = np.diag(unrotated)
    assert np.all(np.abs(diagonal[:20] - 10) < 0.5)
    assert np.all(np.abs(diagonal[20:] - 1) < 0.05)
    off = unrotated - np.diag(diagonal)
    scale = np.sqrt(np.outer(diagonal, diagonal) / len(synthetic.x))  # sd of each entry
    assert np.all(np.abs(off) < 6 * scale)


def test_synthetic_eigenvalues_are_twenty_tens_and_eighty_ones(synthetic):
    values = np.sort(np.linalg.eigvalsh(synthetic.covariance))[::-1]
    assert np.allclose(values[:20], 10) and np.allclose(values[20:], 1)


def test_synthetic_label_is_the_sign_of_the_high_variance_sum(synthetic):
    z = synthetic.x.astype(np.float64) @ synthetic.rotation  # undo the rotation
    recomputed = (z[:, :20].sum(axis=1) > 0).astype(np.int64)
    margin = np.abs(z[:, :20].sum(axis=1)) > 1e-3  # float32 rounding near the boundary
    assert np.array_equal(recomputed[margin], synthetic.y[margin])
    assert abs(synthetic.y.mean() - 0.5) < 0.02


def test_synthetic_is_deterministic():
    assert np.array_equal(make_synthetic(1, samples=100).x, make_synthetic(1, samples=100).x)
    assert not np.array_equal(make_synthetic(1, samples=100).x, make_synthetic(2, samples=100).x)


# --- MNIST -----------------------------------------------------------------------------


def test_stratified_split_keeps_class_proportions():
    labels = np.repeat(np.arange(10), 500)  # sorted by label, like the embedded file
    train, test = mnist.stratified_split(labels, 0.2, seed=0)
    assert len(np.intersect1d(train, test)) == 0
    assert len(train) + len(test) == 5000
    assert np.bincount(labels[test]).tolist() == [100] * 10
    assert np.bincount(labels[train]).tolist() == [400] * 10


def test_stratified_split_is_seeded_and_shuffled():
    labels = np.repeat(np.arange(10), 500)
    a, _ = mnist.stratified_split(labels, 0.2, seed=0)
    b, _ = mnist.stratified_split(labels, 0.2, seed=0)
    c, _ = mnist.stratified_split(labels, 0.2, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert not np.array_equal(a[:400], np.arange(400))  # not the first 400 rows of class 0


def test_label_draws_are_twenty_per_class():
    labels = np.repeat(np.arange(10), 400)
    draws = mnist.label_draws(labels, 20, 5, seed=1)
    assert len(draws) == 5
    for draw in draws:
        assert len(np.unique(draw)) == 200
        assert np.bincount(labels[draw]).tolist() == [20] * 10
    assert not np.array_equal(draws[0], draws[1])


def test_embedded_mnist_is_read_in_place_and_split_stratified():
    data = mnist.load_embedded()
    assert data.x_train.shape == (4000, 784) and data.x_test.shape == (1000, 784)
    assert np.bincount(data.y_test).tolist() == [100] * 10
    assert data.x_train.min() >= 0 and data.x_train.max() <= 1
    assert data.source["name"] == "mnist-embedded"


def _write_idx(path, array, compress):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("compress", [False, True])
def test_torchvision_layout_is_read(tmp_path, compress):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (30, 28, 28)),
        "train-labels-idx1-ubyte": np.arange(30) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28)),
        "t10k-labels-idx1-ubyte": np.arange(10),
    }
    for name, array in arrays.items():
        _write_idx(raw / (name + (".gz" if compress else "")), array, compress)
    data = mnist.load_directory(tmp_path)
    assert data.x_train.shape == (30, 784) and data.y_test.tolist() == list(range(10))
    assert np.allclose(data.x_train[0] * 255, arrays["train-images-idx3-ubyte"][0].ravel())


def test_a_folder_without_mnist_names_the_files_expected(tmp_path):
    with pytest.raises(mnist.MnistNotFound, match="train-images-idx3-ubyte"):
        mnist.load_directory(tmp_path)


@pytest.mark.parametrize(
    ("activation", "hidden"), [("linear", [7]), ("relu", [9, 4]), ("relu", [9, 6, 4])]
)
def test_stacked_autoencoders_are_the_per_seed_models(activation, hidden):
    """The batched model's loss and hand-written gradients equal autograd's on each seed's
    own `Autoencoder` (same init from the same seed)."""
    from models.autoencoders import StackedAutoencoders, reconstruction_loss

    seeds = [0, 1, 2]
    stacked = StackedAutoencoders.from_seeds(12, hidden, activation, seeds)
    x = torch.randn(3, 16, 12, generator=torch.Generator().manual_seed(5))
    corrupted = x + 0.3 * torch.randn(3, 16, 12, generator=torch.Generator().manual_seed(6))
    loss, grads = stacked.loss_and_gradients(corrupted, x)
    layers = len(stacked.weights)
    for s in seeds:
        torch.manual_seed(s)
        model = Autoencoder(12, hidden, activation)
        single = reconstruction_loss(model(corrupted[s]), x[s])
        single.backward()
        linears = [m for m in (*model.encoder, *model.decoder) if isinstance(m, torch.nn.Linear)]
        assert float(loss[s]) == pytest.approx(float(single.detach()), rel=1e-6)
        for i, layer in enumerate(linears):
            torch.testing.assert_close(grads[i][s], layer.weight.grad.T, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(
                grads[layers + i][s, 0], layer.bias.grad, atol=1e-5, rtol=1e-5
            )
        torch.testing.assert_close(stacked.unstack(s)(x[s]), model(x[s]).detach())


def test_probes_read_their_own_encoders_test_codes():
    """With (G, T, k) test codes, probe g·P/G + j is scored on encoder g's codes only."""
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(4, 30, 3, generator=generator)
    labels = (features[..., 0] > 0).long()
    test = torch.randn(2, 20, 3, generator=generator)
    test_labels = (test[0, :, 0] > 0).long()
    config = ProbeConfig(epochs=50, batch_size=30, lr=0.1)
    grouped = train_probes(features, labels, test, test_labels, 2, config, seed=1)
    for g in range(2):
        alone = train_probes(features, labels, test[g], test_labels, 2, config, seed=1)
        assert [row[-1] for row in grouped["accuracy"][2 * g : 2 * g + 2]] == [
            row[-1] for row in alone["accuracy"][2 * g : 2 * g + 2]
        ]


@pytest.mark.parametrize("block_bytes", [1, 2 * 30 * 3 * 4, 3 * 30 * 3 * 4])
def test_probe_blocks_do_not_change_any_probe(monkeypatch, block_bytes):
    """Full-batch probes train in cache-sized blocks (one probe, whole groups, or a group
    split across blocks): every probe's weights and accuracy curve are bit-identical to
    training all of them in one block."""
    import models.autoencoders as autoencoders

    generator = torch.Generator().manual_seed(3)
    features = torch.randn(6, 30, 3, generator=generator)
    labels = (features[..., 0] > 0).long()
    test = torch.randn(3, 20, 3, generator=generator)
    test_labels = (test[0, :, 0] > 0).long()
    config = ProbeConfig(epochs=40, batch_size=30, lr=0.1, eval_every=10)
    whole = train_probes(features, labels, test, test_labels, 2, config, seed=1)
    monkeypatch.setattr(autoencoders, "PROBE_BLOCK_BYTES", block_bytes)
    blocked = train_probes(features, labels, test, test_labels, 2, config, seed=1)
    assert torch.equal(blocked["weight"], whole["weight"])
    assert torch.equal(blocked["bias"], whole["bias"])
    assert blocked["accuracy"] == whole["accuracy"]


def test_probes_never_write_into_the_init_they_are_given():
    """`init` is copied, also when W's transpose is already contiguous (k = 1)."""
    generator = torch.Generator().manual_seed(4)
    features = torch.randn(2, 20, 1, generator=generator)
    labels = (features[..., 0] > 0).long()
    init = (torch.zeros(2, 1, 2), torch.zeros(2, 1, 2))
    config = ProbeConfig(epochs=5, batch_size=20, lr=0.1)
    train_probes(features, labels, features[0], labels[0], 2, config, seed=0, init=init)
    assert torch.equal(init[0], torch.zeros(2, 1, 2))
    assert torch.equal(init[1], torch.zeros(2, 1, 2))
