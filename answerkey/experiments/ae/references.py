"""Q4(a): the references the autoencoders are judged against, per data set and k.

- raw inputs: the course-protocol probe (Adam) and scikit-learn's logistic regression.
- PCA at k: its reconstruction optimum on the training split (the sum of the discarded
  eigenvalues of the sample covariance), its held-out loss, the course-protocol probe on
  its codes, and a converged classifier on the same codes: scikit-learn's
  LogisticRegression (Adam at lr 10⁻³ for 1000 steps does not converge on PCA codes, whose
  variances span orders of magnitude). Not standardized: scaling every component to unit
  variance gives the low-variance ones, mostly noise, as much weight as the first, and
  with 200 labels the classifier then fits that noise (on the embedded digits 67% at
  k = 100 and 39% at k = 784 standardized, against 80% and 80% as they are).
The converged linear autoencoder is the vanilla linear run itself under the stated budget;
`report` checks it against PCA's optimum (CONVERGED_WITHIN).
"""

from __future__ import annotations

import warnings

import numpy as np

from answerkey.experiments.ae.grid import Data, Settings
from answerkey.experiments.ae.protocol import fresh_probes, labelled_indices


def logistic_accuracy(x, y, x_test, y_test, standardize: bool) -> float:
    """scikit-learn's L2-regularized logistic regression (C = 1), newton-cg to convergence
    (it reaches lbfgs's optimum several times faster here), optionally on standardized
    features (StandardScaler fitted on the labelled examples)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = LogisticRegression(solver="newton-cg", max_iter=1000)
    if standardize:
        model = make_pipeline(StandardScaler(), model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return float((model.predict(x_test) == y_test).mean())


def _probe_both(pool, test, data: Data, settings: Settings, device: str, standardize: bool):
    import torch

    rows = labelled_indices(data)
    codes_pool = torch.as_tensor(pool[rows], dtype=torch.float32, device=device)
    codes_test = torch.as_tensor(test, dtype=torch.float32, device=device)
    adam = fresh_probes(codes_pool[None, None], codes_test[None, None], data, settings, [0])
    pool64, test64 = np.asarray(pool, np.float64), np.asarray(test, np.float64)
    sklearn = [
        logistic_accuracy(pool64[d], data.y_pool[d], test64, data.y_test, standardize)
        for d in data.draws
    ]
    return {
        "probe_draws": adam[0, 0].tolist(),
        "probe": float(adam.mean()),
        "sklearn_draws": sklearn,
        "sklearn": float(np.mean(sklearn)),
    }


def raw_inputs(data: Data, settings: Settings, device: str) -> dict:
    result = _probe_both(data.x_pool, data.x_test, data, settings, device, standardize=False)
    # tr Σ of each split: the loss of reconstructing every input by the split's mean.
    result["total_variance_test"] = float(np.var(data.x_test.astype(np.float64), axis=0).sum())
    result["total_variance_train"] = float(np.var(data.x_train.astype(np.float64), axis=0).sum())
    return result


def pca_reference(k: int, data: Data, settings: Settings, device: str) -> dict:
    from numeric.autoencoders import pca, reconstruction_error

    fitted = pca(data.x_train, k)
    kept = int(fitted.components.shape[1])
    codes_pool, codes_test = fitted.encode(data.x_pool), fitted.encode(data.x_test)
    result = _probe_both(codes_pool, codes_test, data, settings, device, standardize=False)
    result.update(
        components=kept,
        recon_train=float(fitted.variances[kept:].sum()),
        recon_test=reconstruction_error(data.x_test, fitted.reconstruct(data.x_test)),
    )
    return result
