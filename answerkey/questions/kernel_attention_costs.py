"""q3.c's counts as the key states them, and the answer values built from them.

Apart from `answerkey.questions.kernel_attention` (which imports the attention
experiment for its figures) so that the judge reads the key's big-O classes without
reaching the experiments: q3.c.ii's written answer quotes measurements, its value does not.
"""

from __future__ import annotations


def claimed_costs(form: str) -> dict:
    """The counts as the key states them; each is proved equal to the derived total."""
    from derivations import kernel_attention as KA

    N, D, M = KA.N, KA.D, KA.M
    if form == "softmax":
        return {
            "flops": 2 * N**2 * (D + M),
            "operations": N**2 * (2 * D + 2 * M + 5) - N * (M + 2),
            "saved": N**2 + 2 * N * D + N * M,
            "time_O": N**2 * D + N**2 * M,
            "memory_O": N**2 + N * D + N * M,
        }
    P = KA.DIMENSION_MERGED
    return {
        "flops": 2 * N * P * (2 * M + 1),
        "operations": 2 * N * D * (D + 1) + 4 * N * P * M + 3 * N * P - P * M - P - N,
        "saved": 2 * N * D + 2 * N * P + 2 * N * M + P * M + P + N,
        "time_O": N * D**2 * M,
        "memory_O": N * D**2 + N * M + D**2 * M,
    }


def complexity_value(form: str) -> dict:
    """The answer value of q3.c.i (form "softmax") or q3.c.ii ("linear"): exact counts and
    their big-O classes, SymPy expressions in N, D, M. Runs no experiment, so the judge
    reads it without the measurements the written answer quotes."""
    claimed = claimed_costs(form)
    return {
        "time": claimed["operations"],
        "memory": claimed["saved"],
        "time_O": claimed["time_O"],
        "memory_O": claimed["memory_O"],
        "matmul_flops": claimed["flops"],
    }
