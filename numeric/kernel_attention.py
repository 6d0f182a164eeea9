"""Q3 checked by computation: exact instances of the convexity bound, the blow-up of a
sign-changing similarity, and measurements of `models.kernel_attention`.

    convex_bound_instances(count, seed)    ‖V'_i‖² ≤ max_j ‖V_j‖² in exact rationals
    plain_dot_blow_up(seed)                qᵀk similarity: the denominator crosses 0
    epsilon_corner_case()                  (qᵀk + 1)² with every Q_iᵀK_j = −1
    count_operations(fn, *args)            all arithmetic, by `OperationCounter`
    count_matmul_flops(fn, *args)          torch.utils.flop_counter.FlopCounterMode
    saved_bytes(fn, *args)                 saved-for-backward bytes, one per storage
    peak_memory(jobs)                      peak RSS growth, a fresh process per job
    time_forward(form, n, d, m)            median wall time of one forward pass
    linearization_error()                  the linearized form's rounding error as |q|, |k| grow

The NumPy parts import no torch; the measurements import it when called.
`python -m numeric.kernel_attention peak JSON` is the worker `peak_memory` starts.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

# --- q3.a: the bound on exact instances -------------------------------------------------------


def _random_fraction(rng: random.Random, low: int, high: int) -> Fraction:
    return Fraction(rng.randint(low, high), rng.randint(1, 9))


def convex_bound_instances(count: int = 2000, seed: int = 0) -> dict:
    """‖V'_i‖² ≤ max_j ‖V_j‖² for V'_i = Σ_j s_j V_j / Σ_j s_j, in exact rational arithmetic.

    Scores: half the instances draw nonnegative rationals with zeros mixed in (never all
    zero); the other half are (Q_iᵀK_j + 1)² of random rational Q_i, K_j, the quadratic
    kernel itself (skipped if every score is 0: the corner case). Sizes N ≤ 6, M ≤ 4.
    Returns the instance count, the violations (none if the bound holds), the largest
    ratio ‖V'_i‖² / max_j ‖V_j‖² and how many instances attain it with equality.
    """
    rng = random.Random(seed)
    violations, ratios, equal, skipped = [], [], 0, 0
    for index in range(count):
        n, m = rng.randint(1, 6), rng.randint(1, 4)
        values = [[_random_fraction(rng, -9, 9) for _ in range(m)] for _ in range(n)]
        if index % 2 == 0:
            scores = [_random_fraction(rng, 0, 9) if rng.random() < 0.7 else Fraction(0)
                      for _ in range(n)]  # fmt: skip
        else:
            d = rng.randint(1, 3)
            q = [_random_fraction(rng, -3, 3) for _ in range(d)]
            keys = [[_random_fraction(rng, -3, 3) for _ in range(d)] for _ in range(n)]
            scores = [(sum(a * b for a, b in zip(q, key, strict=True)) + 1) ** 2 for key in keys]
        total = sum(scores)
        if total == 0:
            skipped += 1
            continue
        out = [sum(s * v[c] for s, v in zip(scores, values, strict=True)) / total
               for c in range(m)]  # fmt: skip
        bound = max(sum(x * x for x in v) for v in values)
        norm = sum(x * x for x in out)
        if norm > bound:
            violations.append({"scores": [str(s) for s in scores], "norm²": str(norm),
                               "bound": str(bound)})  # fmt: skip
        if bound > 0:
            ratios.append(norm / bound)
            equal += norm == bound
    return {
        "instances": count - skipped,
        "skipped_all_zero": skipped,
        "violations": violations,
        "max_ratio": float(max(ratios)),
        "attained": int(equal),
        "seed": seed,
    }


# --- q3.a: a sign-changing similarity blows up -------------------------------------------------


def eq3(Q: np.ndarray, K: np.ndarray, V: np.ndarray, similarity) -> tuple[np.ndarray, np.ndarray]:
    """(V', denominators) of eq. 3 with sim given on the matrix of dot products QKᵀ."""
    scores = similarity(Q @ K.T)
    denominators = scores.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (scores @ V) / denominators[:, None], denominators


def plain_dot_blow_up(seed: int = 0, n: int = 16, d: int = 4, m: int = 4) -> dict:
    """A concrete instance where sim(q, k) = qᵀk drives V'_i to infinity.

    Random Gaussian Q, K, V (seeded): the denominators Σ_j Q_iᵀK_j = Q_iᵀ z with
    z = Σ_j K_j take both signs. Moving Q_0 along z, the denominator is linear in the
    step t and vanishes at t* = −Q_0ᵀz / ‖z‖²; at t* + δ, ‖V'_0‖ grows like 1/δ. The
    same instance with (qᵀk + 1)² and with softmax stays within max_j ‖V_j‖.
    """
    rng = np.random.default_rng(seed)
    Q, K, V = (rng.standard_normal((n, width)) for width in (d, d, m))
    bound = float(np.linalg.norm(V, axis=1).max())
    plain = lambda s: s  # noqa: E731
    out, den = eq3(Q, K, V, plain)
    z = K.sum(axis=0)
    t_star = -float(Q[0] @ z) / float(z @ z)
    deltas = [10.0**-e for e in range(2, 11, 2)]
    norms = []
    for delta in deltas:
        moved = Q.copy()
        moved[0] = Q[0] + (t_star + delta) * z
        norms.append(float(np.linalg.norm(eq3(moved, K, V, plain)[0][0])))
    slope = float(np.polyfit(np.log(deltas), np.log(norms), 1)[0])
    at_root = Q.copy()
    at_root[0] = Q[0] + t_star * z
    root_den = float(eq3(at_root, K, V, plain)[1][0])
    quadratic, _ = eq3(Q, K, V, lambda s: (s + 1) ** 2)
    softmax, _ = eq3(Q, K, V, lambda s: np.exp(s / math.sqrt(d)))
    return {
        "seed": seed,
        "sizes": {"N": n, "D": d, "M": m},
        "max_value_norm": bound,
        "denominators_negative": int((den < 0).sum()),
        "denominators_positive": int((den > 0).sum()),
        "plain_max_ratio": float(np.linalg.norm(out, axis=1).max() / bound),
        "t_star": t_star,
        "denominator_at_t_star": root_den,
        "deltas": deltas,
        "norms": norms,
        "norm_vs_delta_slope": slope,
        "quadratic_max_ratio": float(np.linalg.norm(quadratic, axis=1).max() / bound),
        "softmax_max_ratio": float(np.linalg.norm(softmax, axis=1).max() / bound),
    }


def epsilon_corner_case(eps: float = 1e-6) -> dict:
    """(qᵀk + 1)² ≥ 0, yet its denominator is 0 when every Q_iᵀK_j = −1.

    Exact instance: q = (1, 1), K = ((−1, 0), (0, −1), (−2, 1)): every score is 0, and
    0/0 is undefined (NaN in floating point). With ε added to the denominator the
    output is 0, inside the bound; ε does not rescue qᵀk, whose denominator can be −ε.
    """
    q = [Fraction(1), Fraction(1)]
    keys = [[Fraction(-1), Fraction(0)], [Fraction(0), Fraction(-1)], [Fraction(-2), Fraction(1)]]
    values = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    dots = [sum(a * b for a, b in zip(q, key, strict=True)) for key in keys]
    scores = [(x + 1) ** 2 for x in dots]
    Q = np.array([[float(x) for x in q]])
    K = np.array([[float(x) for x in key] for key in keys])
    out, den = eq3(Q, K, values, lambda s: (s + 1) ** 2)
    guarded = ((Q @ K.T + 1) ** 2 @ values) / (den[:, None] + eps)
    return {
        "dots": [str(x) for x in dots],
        "scores": [str(x) for x in scores],
        "denominator": str(sum(scores)),
        "output_without_eps": [float(x) for x in out[0]],
        "output_with_eps": [float(x) for x in guarded[0]],
        "eps": eps,
    }


# --- q3.c: counting what the implementation does ------------------------------------------------

# aten ops that move or view data but do no arithmetic.
FREE_OPS = frozenset({
    "permute", "t", "transpose", "view", "_unsafe_view", "reshape", "slice", "select",
    "unsqueeze", "squeeze", "expand", "cat", "detach", "alias", "new_ones", "ones", "zeros",
    "new_zeros", "empty", "new_empty", "empty_like", "clone", "_to_copy", "lift_fresh",
    "as_strided", "contiguous", "copy_",
})  # fmt: skip
ELEMENTWISE_OPS = frozenset({"mul", "div", "add", "sub", "exp", "neg", "reciprocal"})


def _numel(shape) -> int:
    return math.prod(int(s) for s in shape)


def aten_operations(name: str, args, out) -> int:
    """Scalar operations of one aten call, by the conventions of
    `derivations.kernel_attention` (raises on an op it has no rule for)."""
    if name in FREE_OPS:
        return 0
    if name == "mm":
        (m, inner), (_, n) = args[0].shape, args[1].shape
        return m * n * (2 * inner - 1)
    if name in ELEMENTWISE_OPS:
        return _numel(out.shape)
    if name == "sum":
        return _numel(args[0].shape) - _numel(out.shape)
    if name == "_softmax":
        row = int(args[0].shape[args[1]])
        return (_numel(args[0].shape) // row) * (5 * row - 2)
    raise NotImplementedError(f"no operation count for aten.{name}")


def operation_counter():
    """A TorchDispatchMode that adds up the scalar operations of every aten call."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class OperationCounter(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.total = 0
            self.by_op: dict[str, int] = {}

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            name = func.overloadpacket.__name__
            count = aten_operations(name, args, out)
            self.total += count
            self.by_op[name] = self.by_op.get(name, 0) + count
            return out

    return OperationCounter()


def count_operations(fn, *args) -> dict:
    """{"total": scalar operations of fn(*args), "by_op": per aten op}."""
    counter = operation_counter()
    with counter:
        fn(*args)
    return {"total": counter.total, "by_op": dict(sorted(counter.by_op.items()))}


def count_matmul_flops(fn, *args) -> int:
    """FLOPs as torch.utils.flop_counter.FlopCounterMode counts them (matrix products)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        fn(*args)
    return int(counter.get_total_flops())


def saved_bytes(fn, *args) -> dict:
    """Bytes autograd saves for backward during fn(*args), each storage counted once.

    Views (Kᵀ, slices of x) share their base's storage and count with it; the output is
    kept alive while counting so that no saved storage is freed and its address reused.
    """
    import torch

    storages: dict[int, int] = {}
    tensors = 0

    def pack(tensor):
        nonlocal tensors
        tensors += 1
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = fn(*args)
    result = {"bytes": sum(storages.values()), "storages": len(storages), "saved": tensors}
    del out
    return result


# --- q3.c: the forms to measure ------------------------------------------------------------------

FORMS = ("softmax", "linear")


def attention_fn(form: str, constant: bool = True, merged: bool = True):
    """The function of `models.kernel_attention` that computes `form`."""
    from functools import partial

    from models import kernel_attention as KA

    if form == "softmax":
        return KA.softmax_attention
    if form == "linear":
        features = partial(KA.quadratic_features, constant=constant, merged=merged)
        # The form alone: its finiteness check is a validation pass, not part of the count.
        return partial(KA.kernelized_attention, feature_map=features, check_finite=False)
    if form == "quadratic":
        return partial(KA.kernel_attention_quadratic,
                       kernel=partial(KA.polynomial_kernel, constant=constant))  # fmt: skip
    raise ValueError(f"unknown attention form {form!r}; known: softmax, linear, quadratic")


def inputs(n: int, d: int, m: int, dtype: str = "float32", seed: int = 0, grad: bool = True,
           device: str = "cpu"):  # fmt: skip
    """Q, K, V ~ N(0, 1) of shapes (n, d), (n, d), (n, m), seeded."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    kind = getattr(torch, dtype)
    if device == "meta":
        tensors = [torch.empty(n, w, dtype=kind, device="meta") for w in (d, d, m)]
    else:
        tensors = [torch.randn(n, w, generator=generator, dtype=kind) for w in (d, d, m)]
    return [t.requires_grad_(grad) for t in tensors]


def time_forward(form: str, n: int, d: int, m: int, dtype: str = "float32", budget_s: float = 0.3,
                 max_repeats: int = 25, seed: int = 0) -> float:  # fmt: skip
    """Median wall time (s) of one forward pass, no autograd, after one warm-up call;
    repeated until `budget_s` is spent (at least 3 times, at most `max_repeats`)."""
    import torch

    fn = attention_fn(form)
    Q, K, V = inputs(n, d, m, dtype, seed, grad=False)
    times = []
    with torch.no_grad():
        fn(Q, K, V)
        spent = 0.0
        while len(times) < 3 or (spent < budget_s and len(times) < max_repeats):
            start = time.perf_counter()
            fn(Q, K, V)
            times.append(time.perf_counter() - start)
            spent += times[-1]
    return float(np.median(times))


# --- peak memory, one fresh process per measurement --------------------------------------------


def _proc_status(field: str) -> int:
    with open("/proc/self/status") as handle:
        return int(re.search(rf"^{field}:\s+(\d+) kB", handle.read(), re.M).group(1)) * 1024


def _measure_in_child(job: dict) -> int:
    """In a freshly forked process: warm up, reset the peak, run one forward pass with
    autograd, return the growth of the peak resident set over the baseline (bytes)."""
    import gc

    import torch

    torch.set_num_threads(1)
    fn = attention_fn(job["form"])
    warm = inputs(64, job["d"], job["m"], job["dtype"])
    fn(*warm).sum().backward()  # lazy initialisation (thread pools, kernels) happens here
    del warm
    gc.collect()
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # reset the peak-RSS high-water mark to the current RSS
    baseline = _proc_status("VmRSS")
    Q, K, V = inputs(job["n"], job["d"], job["m"], job["dtype"], job.get("seed", 0))
    out = fn(Q, K, V)
    peak = _proc_status("VmHWM")
    del out
    return peak - baseline


def _peak_worker(jobs: list[dict]) -> list[int]:
    """Fork one child per job (the parent has imported torch but run nothing)."""
    import torch  # noqa: F401  (imported once, before forking)

    import models.kernel_attention  # noqa: F401

    results = []
    for job in jobs:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read)
            try:
                value = _measure_in_child(job)
            except BaseException:
                value = -1
            os.write(write, str(value).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as handle:
            text = handle.read()
        os.waitpid(pid, 0)
        results.append(int(text) if text else -1)
    return results


def peak_memory(jobs: list[dict], timeout_s: float = 300) -> list[int]:
    """Peak resident-memory growth (bytes) of one forward pass with autograd, per job
    {"form", "n", "d", "m", "dtype"}, each in a fresh process (forked from a clean
    worker that has only imported torch). −1 where a measurement failed."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, "-m", "numeric.kernel_attention", "peak", json.dumps(jobs)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        cwd=root,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"peak-memory worker failed: {result.stderr.strip()[-300:]}")
    return json.loads(result.stdout)


def fit_slope(xs, ys) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(xs, float)), np.log(np.asarray(ys, float)), 1)[0])


def crossover(ns, softmax, linear) -> float | None:
    """The N where the linear form becomes cheaper for good (log-log interpolation between
    the last size where softmax is cheaper and the next); None if it never is cheaper,
    or the smallest N if it is cheaper everywhere."""
    ns, s, lin = (np.asarray(v, float) for v in (ns, softmax, linear))
    cheaper = lin < s
    if not cheaper.any() or not cheaper[-1]:
        return None
    last_worse = np.where(~cheaper)[0]
    if last_worse.size == 0:
        return float(ns[0])
    a = int(last_worse[-1])
    gap = np.log(s) - np.log(lin)  # negative at a, positive at a + 1
    frac = gap[a] / (gap[a] - gap[a + 1])
    return float(np.exp(np.log(ns[a]) + frac * (np.log(ns[a + 1]) - np.log(ns[a]))))


# --- q3.c.ii: where the linearized form loses precision -----------------------------------------

# |q| = |k| = s over half decades; past 10⁴ float64's error is O(1) too.
PRECISION_SCALES = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0)
# A relative error above 0.5%: fewer than about two correct digits. Between two half-decade
# scales the error grows ~100× (s⁴), so the level sits well inside one step.
UNRELIABLE = 5e-3


def orthogonal_family(scale: float, n: int = 16, d: int = 8, m: int = 4, seed: int = 0):
    """(Q, K, V) float64: one query of norm `scale`; n keys of norm ≈ `scale` whose dot
    products with it stay O(1) (qᵀk_j = c_j ∈ [−½, ½]), so every weight (qᵀk_j + 1)² lies
    in [¼, 9/4] while the terms of φ(q)ᵀφ(k_j) are of size scale⁴; V ~ N(0, 1).

    The directions, c and V depend on the seed only, so scale is the one thing that changes
    between scales. Shapes: Q (1, d), K (n, d), V (n, m). The issue's instance is this
    family's shape in d = 2: q = (s, −s), keys (s, s) and (0, 0).
    """
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(d)
    q /= np.linalg.norm(q)
    across = rng.standard_normal((n, d))
    across -= np.outer(across @ q, q)
    across /= np.linalg.norm(across, axis=1, keepdims=True)
    c = rng.uniform(-0.5, 0.5, n)
    K = scale * across + np.outer(c / scale, q)
    return scale * q[None, :], K, rng.standard_normal((n, m))


def exact_quadratic_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Eq. 3 with sim = (qᵀk + 1)² in exact rational arithmetic on the given floats,
    rounded once to float64 at the end. Shapes as eq3; for small N only."""
    keys = [[Fraction(float(x)) for x in key] for key in K]
    values = [[Fraction(float(x)) for x in row] for row in V]
    out = np.empty((Q.shape[0], V.shape[1]))
    for i, query in enumerate(Q):
        q = [Fraction(float(x)) for x in query]
        weights = [(sum(a * b for a, b in zip(q, key, strict=True)) + 1) ** 2 for key in keys]
        total = sum(weights)
        for c in range(V.shape[1]):
            out[i, c] = float(sum(w * v[c] for w, v in zip(weights, values, strict=True)) / total)
    return out


def _relative_error(out: np.ndarray, exact: np.ndarray) -> float:
    if not np.isfinite(out).all():
        return math.inf
    return float(np.linalg.norm(out - exact) / np.linalg.norm(exact))


def linearization_error(scales=PRECISION_SCALES, dtypes=("float32", "float64"), trials: int = 16,
                        n: int = 16, d: int = 8, m: int = 4, seed: int = 0) -> dict:  # fmt: skip
    """Relative error ‖V' − V'_exact‖ / ‖V'_exact‖ of the linearized form φ(Q)(φ(K)ᵀV) ⊘ …
    and of the O(N²) form against eq. 3 computed exactly, on `orthogonal_family` inputs
    rounded to each dtype (so only the arithmetic is measured), as the scale grows.

    Per (dtype, scale): the median over `trials` seeds of each form's error (None where
    the median output is inf or NaN), the largest error, and how many outputs were not
    finite. Per dtype and form: the log-log slope of the median error against the scale
    over the scales where it lies between 10 ulps and 10% (about 4 for the
    linearized form, whose terms are ‖q‖²‖k‖²; about 2 for the O(N²) form, which only
    cancels in qᵀk), and the first scale whose median error exceeds UNRELIABLE.
    """
    import torch

    from models import kernel_attention as KA

    forms = {
        "linear": lambda *t: KA.kernelized_attention(*t, check_finite=False),
        "quadratic": KA.kernel_attention_quadratic,
    }
    rows = []
    for dtype in dtypes:
        kind = getattr(torch, dtype)
        for scale in scales:
            errors = {form: [] for form in forms}
            for trial in range(trials):
                tensors = [torch.tensor(x, dtype=kind)
                           for x in orthogonal_family(scale, n, d, m, seed + trial)]  # fmt: skip
                exact = exact_quadratic_attention(*(t.double().numpy() for t in tensors))
                for form, fn in forms.items():
                    out = fn(*tensors).double().numpy()
                    errors[form].append(_relative_error(out, exact))
            row = {"dtype": dtype, "scale": scale}
            for form, values in errors.items():
                median, largest = float(np.median(values)), max(values)
                row[form] = median if math.isfinite(median) else None
                row[f"{form}_max"] = largest if math.isfinite(largest) else None
                row[f"{form}_not_finite"] = sum(not math.isfinite(v) for v in values)
            rows.append(row)
    summary = {}
    for dtype in dtypes:
        ulp = float(np.finfo(dtype).eps)
        mine = [r for r in rows if r["dtype"] == dtype]
        for form in forms:
            fit = [(r["scale"], r[form]) for r in mine
                   if r[form] is not None and 10 * ulp < r[form] < 0.1]  # fmt: skip
            over = [r["scale"] for r in mine if r[form] is None or r[form] > UNRELIABLE]
            summary[f"{form}_{dtype}"] = {
                "slope": fit_slope(*zip(*fit, strict=True)) if len(fit) >= 2 else None,
                "fit_scales": [s for s, _ in fit],
                "unreliable_from": over[0] if over else None,
            }
    return {
        "config": {
            **{"scales": list(scales), "dtypes": list(dtypes), "trials": trials, "seed": seed},
            **{"N": n, "D": d, "M": m, "unreliable": UNRELIABLE},
            "family": "|q| = |k| = s, q^T k in [-1/2, 1/2]",
        },
        "rows": rows,
        "summary": summary,
        "issue_example": issue_example(),
    }


def issue_example(scales=(1000.0, 10000.0)) -> dict:
    """The field report's instance: q = (s, −s), keys (s, s) and (0, 0), values 3 and 7.
    Both dot products are 0, so both weights are 1 and the exact output is 5 at every s.
    Per scale and dtype the linearized and the O(N²) outputs (None where not finite)."""
    import torch

    from models import kernel_attention as KA

    out = {"exact": 5.0, "rows": []}
    for scale in scales:
        for dtype in ("float32", "float64"):
            kind = getattr(torch, dtype)
            Q = torch.tensor([[scale, -scale]], dtype=kind)
            K = torch.tensor([[scale, scale], [0.0, 0.0]], dtype=kind)
            V = torch.tensor([[3.0], [7.0]], dtype=kind)
            row = {"scale": scale, "dtype": dtype}
            for form, value in (
                ("linear", KA.kernelized_attention(Q, K, V, check_finite=False)),
                ("quadratic", KA.kernel_attention_quadratic(Q, K, V)),
            ):
                number = float(value[0, 0])
                row[form] = number if math.isfinite(number) else None
            out["rows"].append(row)
    return out


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "peak":
        print(json.dumps(_peak_worker(json.loads(sys.argv[2]))))
    else:
        sys.exit("usage: python -m numeric.kernel_attention peak JOBS_JSON")
