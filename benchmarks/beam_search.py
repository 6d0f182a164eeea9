"""Benchmark: the project's beam search vs transformers' `generate(num_beams=k)`.

Same tiny randomly initialized GPT-2 (2 layers, width 32, vocabulary 50), batch 8,
k = 4, 32 new tokens, the same outputs checked in the same run. For each side:

- total: wall time of one full search;
- model: time inside the model: its forward passes and the reordering of its
  key/value cache (for `generate`, its calls of `model.forward` and of the
  cache's `reorder_cache`; for the search, the scorer's `start`, `step` and
  `reorder`), the same definition on both sides;
- overhead = total − model: everything else (candidate ranking, bookkeeping,
  the library's input preparation, logits processors and stopping criteria).
  The JSON also gives the overheads with cache reordering counted as overhead.

Targets (issue 5): search total ≤ 0.6 × generate total; search overhead ≤ ¼ of
generate's overhead; search overhead < 20% of the search's total. A second row
runs the search through `HFCausalLMScorer` (the library's own forward), so its
overhead is measured against the very same model calls that `generate` makes.

Medians of several repeats, one thread, interleaved, so that the load of other
processes on a shared machine hits both sides alike.

    python benchmarks/beam_search.py [--repeats N] [--settings canonical|eos|penalty]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.beam_search import beam_search  # noqa: E402
from models.causal_lm_scorer import GPT2Scorer, HFCausalLMScorer, tiny_gpt2  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "beam_search.json"
BATCH, BEAMS, NEW_TOKENS, PROMPT = 8, 4, 32, 5
SETTINGS = {
    "canonical": dict(eos_token_id=None, length_penalty=0.0, early_stopping="never"),
    "eos": dict(eos_token_id=30, length_penalty=0.0, early_stopping="never"),
    "penalty": dict(eos_token_id=30, length_penalty=1.0, early_stopping=True),
}


class TimedScorer:
    """Wraps a scorer and accumulates the time spent in its forward calls."""

    def __init__(self, scorer):
        self.scorer, self.vocab_size = scorer, scorer.vocab_size
        self.model_s = self.reorder_s = 0.0

    def start(self, prompts):
        t = time.perf_counter()
        out = self.scorer.start(prompts)
        self.model_s += time.perf_counter() - t
        return out

    def step(self, tokens, state):
        t = time.perf_counter()
        out = self.scorer.step(tokens, state)
        self.model_s += time.perf_counter() - t
        return out

    def reorder(self, state, index):
        t = time.perf_counter()
        out = self.scorer.reorder(state, index)
        self.reorder_s += time.perf_counter() - t
        return out


def run_generate(model, prompts, setting):
    from transformers.cache_utils import DynamicCache

    calls = {"forward": 0.0, "reorder": 0.0}
    forward, reorder = model.forward, DynamicCache.reorder_cache

    def timed_forward(*args, **kwargs):
        t = time.perf_counter()
        out = forward(*args, **kwargs)
        calls["forward"] += time.perf_counter() - t
        return out

    def timed_reorder(self, *args, **kwargs):
        t = time.perf_counter()
        out = reorder(self, *args, **kwargs)
        calls["reorder"] += time.perf_counter() - t
        return out

    model.forward, DynamicCache.reorder_cache = timed_forward, timed_reorder
    try:
        t = time.perf_counter()
        with torch.no_grad():
            out = model.generate(
                prompts,
                attention_mask=torch.ones_like(prompts),
                num_beams=BEAMS,
                max_new_tokens=NEW_TOKENS,
                do_sample=False,
                pad_token_id=1,
                return_dict_in_generate=True,
                output_scores=True,
                **setting,
            )
        total = time.perf_counter() - t
    finally:
        del model.forward
        DynamicCache.reorder_cache = reorder
    sequences = out.sequences[:, prompts.shape[1] :]
    return sequences, out.sequences_scores, total, calls["forward"], calls["reorder"]


def run_search(scorer, prompts, setting):
    timed = TimedScorer(scorer)
    t = time.perf_counter()
    out = beam_search(
        timed, prompts, num_beams=BEAMS, max_new_tokens=NEW_TOKENS, pad_token_id=1, **setting
    )
    total = time.perf_counter() - t
    return out.sequences[:, 0], out.scores[:, 0], total, timed.model_s, timed.reorder_s


def same(a_seq, a_score, b_seq, b_score) -> bool:
    width = max(a_seq.shape[1], b_seq.shape[1])
    pad = lambda t: torch.nn.functional.pad(t, (0, width - t.shape[1]), value=1)  # noqa: E731
    return bool((pad(a_seq) == pad(b_seq)).all()) and bool(
        torch.allclose(a_score, b_score, atol=1e-5, rtol=0)
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--settings", choices=sorted(SETTINGS), nargs="*", default=list(SETTINGS))
    args = parser.parse_args(argv)
    import transformers

    transformers.logging.set_verbosity_error()
    torch.set_num_threads(1)
    model = tiny_gpt2()
    prompts = torch.randint(2, 50, (BATCH, PROMPT), generator=torch.Generator().manual_seed(0))
    lean, library = GPT2Scorer(model), HFCausalLMScorer(model)
    report = {
        "config": {
            "batch": BATCH,
            "beams": BEAMS,
            "new_tokens": NEW_TOKENS,
            "layers": 2,
            "width": 32,
            "vocab": 50,
            "repeats": args.repeats,
            "threads": 1,
            "statistic": "median",
        },
        "settings": {},
    }
    for name in args.settings:
        setting = SETTINGS[name]
        times = {"generate": [], "search": [], "search_hf_forward": []}
        agree = True
        for _ in range(args.repeats + 1):  # the first round warms up and is dropped
            g = run_generate(model, prompts, setting)
            s = run_search(lean, prompts, setting)
            h = run_search(library, prompts, setting)
            agree &= same(g[0], g[1], s[0], s[1]) and same(g[0], g[1], h[0], h[1])
            for key, result in (("generate", g), ("search", s), ("search_hf_forward", h)):
                times[key].append(result[2:])
        row = {}
        for key, runs in times.items():
            runs = runs[1:]
            row[key] = {
                "total_ms": statistics.median(r[0] for r in runs) * 1e3,
                "forward_ms": statistics.median(r[1] for r in runs) * 1e3,
                "reorder_ms": statistics.median(r[2] for r in runs) * 1e3,
                "model_ms": statistics.median(r[1] + r[2] for r in runs) * 1e3,
                "overhead_ms": statistics.median(r[0] - r[1] - r[2] for r in runs) * 1e3,
                "overhead_with_reorder_ms": statistics.median(r[0] - r[1] for r in runs) * 1e3,
            }
        gen = row["generate"]
        for key in ("search", "search_hf_forward"):
            row[key]["total_ratio"] = row[key]["total_ms"] / gen["total_ms"]
            row[key]["overhead_ratio"] = row[key]["overhead_ms"] / gen["overhead_ms"]
            row[key]["overhead_share"] = row[key]["overhead_ms"] / row[key]["total_ms"]
            row[key]["overhead_with_reorder_ratio"] = (
                row[key]["overhead_with_reorder_ms"] / gen["overhead_with_reorder_ms"]
            )
            row[key]["overhead_with_reorder_share"] = (
                row[key]["overhead_with_reorder_ms"] / row[key]["total_ms"]
            )
        row["same_outputs"] = agree
        s = row["search"]
        row["targets"] = {
            "total ≤ 0.6 × generate": s["total_ratio"] <= 0.6,
            "overhead ≤ ¼ of generate's": s["overhead_ratio"] <= 0.25,
            "overhead < 20% of total": s["overhead_share"] < 0.20,
            "same outputs": agree,
        }
        report["settings"][name] = row
    print(
        f"beam search vs generate: batch {BATCH}, k = {BEAMS}, {NEW_TOKENS} new tokens, "
        f"tiny GPT-2; medians of {args.repeats} interleaved repeats, 1 thread"
    )
    print(
        f"{'setting':<10} {'side':<18} {'total ms':>9} {'model ms':>9} {'overhead ms':>11} "
        f"{'÷gen total':>10} {'÷gen ovh':>9} {'ovh share':>9}"
    )
    for name, row in report["settings"].items():
        for key in ("generate", "search", "search_hf_forward"):
            r = row[key]
            extra = (
                ""
                if key == "generate"
                else f"{r['total_ratio']:>10.2f} "
                f"{r['overhead_ratio']:>9.2f} {r['overhead_share']:>9.1%}"
            )
            print(
                f"{name:<10} {key:<18} {r['total_ms']:>9.1f} {r['model_ms']:>9.1f} "
                f"{r['overhead_ms']:>11.1f} {extra}"
            )
        s = row["search"]
        print(
            f"{'':<10} with cache reordering counted as overhead instead: search overhead "
            f"{s['overhead_with_reorder_ms']:.1f} ms, ÷gen {s['overhead_with_reorder_ratio']:.2f}, "
            f"share {s['overhead_with_reorder_share']:.1%}"
        )
        print(
            f"{'':<10} same outputs: {row['same_outputs']}; targets: "
            + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in row["targets"].items())
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
