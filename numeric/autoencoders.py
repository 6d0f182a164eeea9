"""Q4: PCA references and the linear autoencoder's optimum, in NumPy/SciPy.

Data are rows: x (N, m). Σ is the covariance, S = E[xxᵀ] the second moment.

- PCA: the top-k eigenvectors U_k of Σ; reconstruction x̂ = μ + U_kU_kᵀ(x − μ);
  its error per sample, summed over features, is Σ_{i>k} σ_i² on the data it
  was fitted to.
- The best affine map for each variant (what an over-complete linear
  autoencoder can reach), from x̃ to x:  M* = Cov(x, x̃) Cov(x̃)⁻¹
      vanilla     x̃ = x:          M* = I
      denoising   x̃ = x + σε:     M* = Σ(Σ + σ²I)⁻¹            (a shrinkage)
      masked      x̃ = x ⊙ m:      M* = Σ(qΣ + (1 − q) diag S)⁻¹, q = P(keep)
  and with a rank-k bottleneck the best objective is
      tr Σ − (sum of the k largest eigenvalues of Cov(x, x̃)Cov(x̃)⁻¹Cov(x̃, x)),
  which for the vanilla variant is PCA's Σ_{i>k} σ_i².
- q4.b numerically: the gradient of the PyTorch loss at (U_kᵀ, U_k) in
  float64, and a linear autoencoder trained by gradient descent against PCA
  (principal angles between the decoder's columns and the top-k subspace).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import linalg

NOISE_STD = 0.5  # models.autoencoders.NOISE_STD; duplicated so numeric stays torch-free
MASK_PROBABILITY = 0.25


@dataclass(frozen=True)
class Pca:
    mean: np.ndarray  # (m,)
    components: np.ndarray  # (m, k) orthonormal columns, by decreasing variance
    variances: np.ndarray  # (m,) every eigenvalue of Σ, descending

    def encode(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) @ self.components

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        return self.mean + self.encode(x) @ self.components.T


def pca(x: np.ndarray, k: int) -> Pca:
    """Principal components of the rows of x (covariance normalized by N, as in q4.b)."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    covariance = np.cov(x, rowvar=False, bias=True)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    k = min(k, x.shape[1])
    return Pca(mean, vectors[:, order[:k]], np.clip(values[order], 0.0, None))


def reconstruction_error(x: np.ndarray, x_hat: np.ndarray) -> float:
    """(1/N) Σ_n ‖x_n − x̂_n‖², the models' loss."""
    return float(((np.asarray(x, np.float64) - x_hat) ** 2).sum(axis=1).mean())


def principal_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles (radians, descending) between the column spaces of a and b."""
    return linalg.subspace_angles(np.asarray(a, np.float64), np.asarray(b, np.float64))


def participation_ratio(codes: np.ndarray) -> float:
    """(Σλ)² / Σλ² over the eigenvalues λ of the codes' covariance: an effective rank."""
    values = np.clip(
        np.linalg.eigvalsh(np.cov(np.asarray(codes, np.float64), rowvar=False)), 0, None
    )
    return float(values.sum() ** 2 / (values**2).sum()) if values.sum() > 0 else 0.0


def corrupted_moments(
    x: np.ndarray, variant: str, noise_std: float = NOISE_STD, mask: float = MASK_PROBABILITY
) -> tuple[np.ndarray, np.ndarray]:
    """(Cov(x, x̃), Cov(x̃)) for the variant's corruption, from the moments of x."""
    x = np.asarray(x, np.float64)
    sigma = np.cov(x, rowvar=False, bias=True)
    if variant == "vanilla":
        return sigma, sigma
    if variant == "denoising":
        return sigma, sigma + noise_std**2 * np.eye(len(sigma))
    if variant == "masked":
        keep = 1.0 - mask
        second = (x**2).mean(axis=0)  # diag of S = E[xxᵀ]
        return keep * sigma, keep**2 * sigma + keep * (1 - keep) * np.diag(second)
    raise ValueError(f"unknown variant {variant!r}")


def optimal_map(x: np.ndarray, variant: str) -> np.ndarray:
    """M* = Cov(x, x̃) Cov(x̃)⁺: the linear part of the best full-rank affine reconstruction
    (I for the vanilla variant: copying the input is then optimal)."""
    if variant == "vanilla":
        return np.eye(np.asarray(x).shape[1])
    cross, corrupted = corrupted_moments(x, variant)
    return cross @ np.linalg.pinv(corrupted, hermitian=True)


def linear_optimum(x: np.ndarray, variant: str, k: int) -> float:
    """The least expected objective of an affine map of rank ≤ k from x̃ to x (per sample)."""
    cross, corrupted = corrupted_moments(x, variant)
    explained = cross @ np.linalg.pinv(corrupted, hermitian=True) @ cross.T
    values = np.sort(np.linalg.eigvalsh((explained + explained.T) / 2))[::-1]
    total = float(np.trace(np.cov(np.asarray(x, np.float64), rowvar=False, bias=True)))
    return total - float(np.clip(values[:k], 0, None).sum())


def relative_distance(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖_F / ‖b‖_F."""
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def input_weighted_distance(a: np.ndarray, b: np.ndarray, covariance: np.ndarray) -> float:
    """‖(a − b)C^{1/2}‖_F / ‖bC^{1/2}‖_F: how differently two maps act on inputs of
    covariance C (directions the inputs never take, e.g. MNIST's blank border pixels,
    do not count)."""
    values, vectors = np.linalg.eigh(covariance)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    return float(np.linalg.norm((a - b) @ root) / np.linalg.norm(b @ root))


def linear_autoencoder_report(
    encoder: np.ndarray, decoder: np.ndarray, x_train: np.ndarray, variant: str
) -> dict:
    """What a trained one-layer linear autoencoder (W₁ = encoder, W₂ = decoder) learned.

    Under-complete (k < m): the principal angles between the decoder's columns and
    PCA's top-k subspace. Over-complete (k ≥ m): how far W₂W₁ is, on the inputs it
    sees, from the identity and from the variant's optimal map M*. Either way, the
    least objective any linear autoencoder of that size can reach (`linear_optimum`).
    """
    k, m = encoder.shape
    end_to_end = decoder.astype(np.float64) @ encoder.astype(np.float64)
    report: dict = {
        "k": int(k),
        "m": int(m),
        "optimum_objective": linear_optimum(x_train, variant, k),
    }
    if k < m:
        top = pca(x_train, k).components
        angles = principal_angles(decoder, top)
        report["max_angle_deg"] = float(np.degrees(angles.max()))
        report["subspace_overlap"] = float(np.cos(angles) @ np.cos(angles) / k)
    else:
        best = optimal_map(x_train, variant)
        _, inputs = corrupted_moments(x_train, variant)
        identity = np.eye(m)
        report["distance_to_identity"] = input_weighted_distance(end_to_end, identity, inputs)
        report["distance_to_optimal_map"] = input_weighted_distance(end_to_end, best, inputs)
        report["optimal_map_distance_to_identity"] = input_weighted_distance(best, identity, inputs)
    return report


# --- q4.b numerically --------------------------------------------------------------


def synthetic_pca_problem(m: int = 8, n: int = 400, seed: int = 0) -> np.ndarray:
    """Centred X ∈ R^{m×n} (samples as columns) with well-separated covariance eigenvalues."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.standard_normal((m, m)))
    scales = np.linspace(3.0, 0.3, m)
    x = rotation @ (scales[:, None] * rng.standard_normal((m, n)))
    return x - x.mean(axis=1, keepdims=True)


def top_eigenvectors(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(U_k, all eigenvalues descending) of (1/n) X Xᵀ for X with samples as columns."""
    values, vectors = np.linalg.eigh(x @ x.T / x.shape[1])
    order = np.argsort(values)[::-1]
    return vectors[:, order[:k]], values[order]


def torch_gradient_at_pca(x: np.ndarray, k: int) -> dict:
    """∂L/∂W₁ and ∂L/∂W₂ of the models' loss at W₁ = U_kᵀ, W₂ = U_k, in float64.

    The loss is `models.autoencoders.reconstruction_loss` on a one-layer linear
    `Autoencoder` with zero biases: (1/n)‖X − W₂W₁X‖²_F exactly.
    """
    import torch

    from models.autoencoders import Autoencoder, reconstruction_loss

    u, _ = top_eigenvectors(x, k)
    model = Autoencoder(x.shape[0], [k], "linear").double()
    with torch.no_grad():
        model.encoder[0].weight.copy_(torch.from_numpy(u.T))
        model.decoder[0].weight.copy_(torch.from_numpy(u))
        model.encoder[0].bias.zero_()
        model.decoder[0].bias.zero_()
    samples = torch.from_numpy(x.T.copy())
    loss = reconstruction_loss(model(samples), samples)
    loss.backward()
    g1 = model.encoder[0].weight.grad.numpy()
    g2 = model.decoder[0].weight.grad.numpy()
    scale = float(np.abs(x @ x.T / x.shape[1]).max())
    return {
        "loss": float(loss.detach()),
        "max_abs_grad_W1": float(np.abs(g1).max()),
        "max_abs_grad_W2": float(np.abs(g2).max()),
        "covariance_scale": scale,
    }


def torch_gradient_matches_formula(
    x: np.ndarray,
    k: int,
    formulas: Callable[[np.ndarray, np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]],
    seed: int = 0,
) -> float:
    """Max relative difference between autograd's gradients of the models' loss and
    `formulas(W₁, W₂, X, n)` = (∂L/∂W₁, ∂L/∂W₂) (the stated ones, e.g. lambdified from
    `derivations.autoencoders.stated_gradients`) at a random point; x is m×n, W₁ k×m."""
    import torch

    from models.autoencoders import reconstruction_loss

    rng = np.random.default_rng(seed)
    m, n = x.shape
    w1 = rng.standard_normal((k, m))
    w2 = rng.standard_normal((m, k))
    t1 = torch.tensor(w1, requires_grad=True)
    t2 = torch.tensor(w2, requires_grad=True)
    samples = torch.from_numpy(x.T.copy())
    reconstruction_loss(samples @ t1.T @ t2.T, samples).backward()
    formula1, formula2 = (np.asarray(f) for f in formulas(w1, w2, x, n))
    return max(
        relative_distance(t1.grad.numpy(), formula1), relative_distance(t2.grad.numpy(), formula2)
    )


def train_linear_autoencoder(
    x: np.ndarray, k: int, steps: int = 800, lr: float = 0.05, seed: int = 0
) -> dict:
    """Train the models' one-layer linear autoencoder (float64, Adam, full batch) on the
    columns of x and compare it with scikit-learn's PCA at the same k.

    Returns the final loss, PCA's error (sum of the discarded eigenvalues), and the
    principal angles between the decoder's columns and PCA's components.
    """
    import torch
    from sklearn.decomposition import PCA

    from models.autoencoders import Autoencoder, reconstruction_loss

    torch.manual_seed(seed)
    model = Autoencoder(x.shape[0], [k], "linear").double()
    samples = torch.from_numpy(x.T.copy())
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = reconstruction_loss(model(samples), samples)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        final = float(reconstruction_loss(model(samples), samples))
    reference = PCA(n_components=k).fit(x.T)
    _, eigenvalues = top_eigenvectors(x, k)
    angles = principal_angles(model.decoder[0].weight.detach().numpy(), reference.components_.T)
    return {
        "loss": final,
        "pca_error": float(eigenvalues[k:].sum()),
        "sklearn_pca_error": reconstruction_error(
            x.T, reference.inverse_transform(reference.transform(x.T))
        ),
        "max_angle_rad": float(angles.max()),
        "steps": steps,
    }


# --- q4.a: the probe on a random subspace of the equal-variance block -----------------------


@dataclass(frozen=True)
class SubspaceSimulation:
    """Bayes-probe accuracy over random k-subspaces of R^d, simulated two ways.

    accuracies: (subspaces,) 1 − arccos(‖P_S u‖)/π for each subspace (Sheppard's formula);
    sampled: (min(subspaces, SAMPLED_SUBSPACES),) for the first subspaces, the share of
    `points` Gaussian samples whose label sign(uᵀz) the projected classifier sign(vᵀz) gets
    right (no formula, only counting).
    """

    k: int
    d: int
    accuracies: np.ndarray
    sampled: np.ndarray
    points: int
    seed: int

    @property
    def mean(self) -> float:
        return float(self.accuracies.mean())

    @property
    def std(self) -> float:
        return float(self.accuracies.std(ddof=1))

    def interval(self, level: float = 0.99) -> tuple[float, float]:
        """The central `level` range of the accuracy over subspaces."""
        tail = (1 - level) / 2
        low, high = np.quantile(self.accuracies, [tail, 1 - tail])
        return float(low), float(high)


SAMPLED_SUBSPACES = 2000  # the counting check's subspaces (memory: 2000 × points × d floats)


def simulate_random_subspace(
    k: int, d: int = 20, subspaces: int = 20_000, points: int = 200, seed: int = 0
) -> SubspaceSimulation:
    """Uniform k-subspaces of R^d (QR of a standard normal d×k matrix) and u = 1/√d."""
    rng = np.random.default_rng(seed)
    u = np.full(d, 1 / np.sqrt(d))
    if k >= d:
        ones = np.ones(subspaces)
        return SubspaceSimulation(k, d, ones, ones[:SAMPLED_SUBSPACES].copy(), points, seed)
    basis, _ = np.linalg.qr(rng.standard_normal((subspaces, d, k)))  # (S, d, k)
    coordinates = np.einsum("sdk,d->sk", basis, u)
    length = np.linalg.norm(coordinates, axis=1)
    accuracies = 1 - np.arccos(np.clip(length, 0, 1)) / np.pi
    v = np.einsum("sdk,sk->sd", basis, coordinates / length[:, None])[:SAMPLED_SUBSPACES]
    z = rng.standard_normal((len(v), points, d))
    sampled = (np.sign(z @ u) == np.sign(np.einsum("spd,sd->sp", z, v))).mean(axis=1)
    return SubspaceSimulation(k, d, accuracies, sampled, points, seed)


def linear_code_bayes_accuracy(
    encoder: np.ndarray, covariance: np.ndarray, direction: np.ndarray
) -> float:
    """Accuracy of the best classifier of y = 1[wᵀx > 0] from the code z = Wx + b, x Gaussian.

    z and wᵀx are jointly Gaussian; the best predictor of sign(wᵀx) from z is the sign of
    its best linear estimate, which correlates with wᵀx by ρ² = cᵀ(WΣWᵀ)⁺c / (wᵀΣw),
    c = WΣw, and by Sheppard's formula it agrees in sign with probability 1 − arccos(ρ)/π.
    Shapes: encoder W (k, m), covariance Σ (m, m), direction w (m,).
    """
    encoder = np.asarray(encoder, np.float64)
    cross = encoder @ covariance @ direction
    codes = encoder @ covariance @ encoder.T
    explained = float(cross @ np.linalg.pinv(codes, hermitian=True) @ cross)
    rho = np.sqrt(np.clip(explained / float(direction @ covariance @ direction), 0.0, 1.0))
    return float(1 - np.arccos(rho) / np.pi)
