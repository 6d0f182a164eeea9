"""Beam search, greedy decoding and exhaustive search over any autoregressive scorer.

Beam search keeps, for each prompt, the k prefixes y_{1:t} of highest
accumulated log-probability

    s(y_{1:t}) = Σ_{i=1}^{t} log p(y_i | x, y_{<i}),

and a finished hypothesis y_{1:n} (ended by an end-of-sequence token, or
at the maximum length T) is ranked by s(y_{1:n}) / n^α, α the length penalty.

The semantics are those of Hugging Face transformers' `generate(num_beams=k)`
(its vectorized beam search, transformers ≥ 4.50), so that a model run through
an adapter gives the same sequences and scores:

- each step ranks all k·|V| continuations of the k running beams and keeps
  the best C = max(2, 1 + #eos)·k of them; those ending in an end-of-sequence
  token (or reaching T) are offered to the finished set, but only if they rank
  among the first k of the C, and the best k of the others keep running;
- at the first step the k beams are k copies of the prompt, all but the first
  scored −10⁹ so that the first step does not pick the same token k times
  (while k > |V|^t some running beams are such placeholders);
- the finished set holds at most k hypotheses; `early_stopping=True` stops a
  prompt as soon as it holds k, `False` when the best running beam, scored at
  its current length, cannot beat the worst finished one, and `"never"` when
  it cannot at the most favourable length (T if α > 0). With α = 0 and
  `"never"` this is the textbook beam search.

Shapes: B prompts, k beams, |V| = V tokens, T new tokens at most.

A scorer is any object with

- `vocab_size: int`
- `start(prompts) -> (log_probs [B, V], state)`: the distribution of the first
  new token for each of the B prompts (whatever `prompts` is: the search only
  hands it over), and an incremental state with one row per prompt;
- `step(tokens [N], state) -> (log_probs [N, V], state)`: feed one token per row;
- `reorder(state, index [N']) -> state`: row r of the new state is row
  `index[r]` of the old one (an RNN's hidden state, a transformer's key/value
  cache). The search calls it once per step, before `step`.

The search is vectorized over beams and batched over prompts: its Python loop
runs over time steps only. It keeps back-pointers instead of copying prefixes
every step, and rebuilds sequences (and the optional trace) at the end.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import torch

PLACEHOLDER = -1.0e9  # transformers' score for placeholder beams and masked candidates
INVALID_BELOW = -1.0e8  # a raw score below this descends from a placeholder beam


class Scorer(Protocol):
    vocab_size: int

    def start(self, prompts: Any) -> tuple[torch.Tensor, Any]: ...

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]: ...

    def reorder(self, state: Any, index: torch.Tensor) -> Any: ...


@dataclass
class SearchOutput:
    """What a search returns, best first for each prompt.

    sequences [B, R, L] generated tokens only (not the prompt), padded with the
    pad token after each hypothesis' end; lengths [B, R] (the end-of-sequence
    token counts); log_probs [B, R] the summed log-probabilities; scores [B, R]
    = log_probs / lengths^α, the ranking score (transformers' `sequences_scores`).
    A slot with no real hypothesis (fewer than R exist) has length 0 and score −inf.
    trace: for beam search with `trace=True`, one `BeamStep` per step.
    """

    sequences: torch.Tensor
    scores: torch.Tensor
    log_probs: torch.Tensor
    lengths: torch.Tensor
    trace: list[BeamStep] | None = None

    def hypotheses(self, prompt: int = 0) -> list[tuple[tuple[int, ...], float]]:
        """The returned hypotheses of one prompt as (token ids, score), best first."""
        out = []
        for r in range(self.sequences.shape[1]):
            n = int(self.lengths[prompt, r])
            if n:
                tokens = tuple(int(x) for x in self.sequences[prompt, r, :n])
                out.append((tokens, float(self.scores[prompt, r])))
        return out


@dataclass
class BeamStep:
    """What the beam holds after step t (1-based): the running prefixes [B, k, t]
    with their raw log-probabilities [B, k] (placeholders have `valid` False),
    and the finished set so far, as in `SearchOutput`."""

    step: int
    beams: torch.Tensor
    beam_log_probs: torch.Tensor
    valid: torch.Tensor
    finished: SearchOutput

    def running(self, prompt: int = 0) -> list[tuple[tuple[int, ...], float]]:
        """The real running prefixes of one prompt as (token ids, log-prob), best first."""
        return [
            (tuple(int(x) for x in self.beams[prompt, j]), float(self.beam_log_probs[prompt, j]))
            for j in range(self.beams.shape[1])
            if self.valid[prompt, j]
        ]


# --- validation ---------------------------------------------------------------------------


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be ≥ 1, got {value}")
    return value


def _vocab_size(scorer) -> int:
    size = getattr(scorer, "vocab_size", None)
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError("the scorer must have an int vocab_size")
    if size < 1:
        raise ValueError(f"empty vocabulary: the scorer's vocab_size is {size}")
    return size


def _eos_ids(eos_token_id, vocab: int) -> list[int]:
    if eos_token_id is None:
        return []
    ids = [eos_token_id] if isinstance(eos_token_id, int) else list(eos_token_id)
    for token in ids:
        if isinstance(token, bool) or not isinstance(token, int) or not 0 <= token < vocab:
            raise ValueError(
                f"eos_token_id {token!r} is not a token of the vocabulary [0, {vocab})"
            )
    return ids


def _check_log_probs(log_probs, rows: int, vocab: int, where: str) -> torch.Tensor:
    if not isinstance(log_probs, torch.Tensor) or not log_probs.is_floating_point():
        raise TypeError(f"the scorer's {where} must return a floating-point tensor of log-probs")
    if log_probs.shape != (rows, vocab):
        raise ValueError(
            f"the scorer's {where} returned log-probs of shape {tuple(log_probs.shape)}, "
            f"expected ({rows}, {vocab}) (rows, vocab_size)"
        )
    return log_probs


def _check_values(log_probs: torch.Tensor, where: str) -> None:
    """NaN or +inf anywhere is an error (−inf is allowed: an impossible token)."""
    if bool(torch.isnan(log_probs).any()) or bool(torch.isposinf(log_probs).any()):
        raise ValueError(f"the scorer's {where} returned NaN or +inf log-probs")


def _check_settings(
    num_beams, max_new_tokens, num_return_sequences, length_penalty, early_stopping
):
    _positive_int(num_beams, "num_beams (the beam size k)")
    _positive_int(max_new_tokens, "max_new_tokens (the maximum length T)")
    _positive_int(num_return_sequences, "num_return_sequences")
    if num_return_sequences > num_beams:
        raise ValueError(
            f"num_return_sequences ({num_return_sequences}) cannot exceed num_beams ({num_beams})"
        )
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, int | float):
        raise TypeError("length_penalty must be a number")
    if not math.isfinite(length_penalty):
        raise ValueError(f"length_penalty must be finite, got {length_penalty}")
    if not (early_stopping is True or early_stopping is False or early_stopping == "never"):
        raise ValueError(f"early_stopping must be True, False or 'never', got {early_stopping!r}")


# --- beam search --------------------------------------------------------------------------


class _Start(NamedTuple):
    """A search's starting state and lookup tables for one shape (B prompts, k beams, V
    tokens, the end tokens). Made once per shape and reused, never written into: for small
    models their dozen operations are a visible part of a search's cost."""

    running: torch.Tensor  # [B, k] beam scores: 0 for the prompt, PLACEHOLDER for its copies
    ends_at: torch.Tensor  # [k·V] whether continuation origin·V + token ends a hypothesis
    origin_of: torch.Tensor  # [k·V] continuation → the beam it extends (state rows, +b·k)
    token_of: torch.Tensor  # [k·V] continuation → its token
    row_base: torch.Tensor  # [B, 1] b·k, prompt b's first state row
    prompt_rows: torch.Tensor  # [B, k] row b for every beam: the first step's reorder
    first_k: torch.Tensor  # [B, k] 0 … k−1
    fin_score: torch.Tensor  # [B, k] an empty finished set (see beam_search)
    fin_code: torch.Tensor  # [B, k]
    improvable: torch.Tensor  # [B, 1] all True


@functools.lru_cache(maxsize=8)  # tables of k·V entries, not B·k·V: vocabularies are large
def _start(B: int, k: int, V: int, eos: tuple[int, ...], dtype, device) -> _Start:
    running = torch.zeros(B, k, dtype=dtype, device=device)
    running[:, 1:] = PLACEHOLDER
    ends_at = torch.zeros(k, V, dtype=torch.bool, device=device)
    ends_at[:, list(eos)] = True
    flat = torch.arange(k * V, device=device)
    prompt = torch.arange(B, device=device)[:, None]
    return _Start(
        running=running,
        ends_at=ends_at.view(-1),
        origin_of=torch.div(flat, V, rounding_mode="floor"),
        token_of=flat % V,
        row_base=k * prompt,
        prompt_rows=prompt.expand(B, k),
        first_k=torch.arange(k, device=device).expand(B, k),
        fin_score=torch.full((B, k), PLACEHOLDER, dtype=dtype, device=device),
        fin_code=torch.full((B, k), -1, dtype=torch.long, device=device),
        improvable=torch.ones(B, 1, dtype=torch.bool, device=device),
    )


def beam_search(
    scorer: Scorer,
    prompts: Any,
    *,
    num_beams: int,
    max_new_tokens: int,
    eos_token_id: int | Sequence[int] | None = None,
    pad_token_id: int | None = None,
    length_penalty: float = 1.0,
    early_stopping: bool | str = False,
    num_return_sequences: int = 1,
    trace: bool = False,
) -> SearchOutput:
    """Beam search with beam size k = `num_beams` for at most T = `max_new_tokens` tokens.

    Defaults are transformers' (α = 1, `early_stopping=False`); the textbook
    search is `length_penalty=0.0, early_stopping="never"`. The pad token
    defaults to the first end-of-sequence token, else 0.
    """
    _check_settings(num_beams, max_new_tokens, num_return_sequences, length_penalty, early_stopping)
    V = _vocab_size(scorer)
    eos = _eos_ids(eos_token_id, V)
    pad = pad_token_id if pad_token_id is not None else (eos[0] if eos else 0)
    k, T = num_beams, max_new_tokens
    C = max(2, 1 + len(eos)) * k  # candidates kept per step, so that k can keep running

    log_probs, state = scorer.start(prompts)
    if not isinstance(log_probs, torch.Tensor) or log_probs.dim() != 2:
        raise ValueError("the scorer's start must return log-probs of shape (prompts, vocab_size)")
    B = log_probs.shape[0]
    if B < 1:
        raise ValueError("no prompts: the scorer's start returned 0 rows")
    _check_log_probs(log_probs, B, V, "start")
    dtype, device = log_probs.dtype, log_probs.device

    start = _start(B, k, V, tuple(eos), dtype, device)
    running, first_k = start.running, start.first_k
    # The finished set: k slots per prompt, each a score and a code t·C + c naming candidate c
    # of step t (−1: empty). A slot holds a hypothesis when its score is above INVALID_BELOW.
    fin_score, fin_code, improvable = start.fin_score, start.fin_code, start.improvable
    any_full = False  # has some prompt filled all k finished slots?
    all_improvable = True

    # Back-pointers: per step the C candidates' flat indices origin·V + token into the k·V
    # continuations, their raw scores, and which k of them keep running.
    top_indices: list[torch.Tensor] = []
    top_raw: list[torch.Tensor] = []
    keep: list[torch.Tensor] = []
    kept_scores: list[torch.Tensor] = []
    snapshots: list[tuple[torch.Tensor, torch.Tensor]] = []
    rows_per_prompt = 1  # the state holds one row per prompt until the first reorder

    for t in range(T):
        # log_probs: [B·rows, V]; with one row per prompt it broadcasts over the k beams.
        step_scores = running.unsqueeze(2) + log_probs.view(B, rows_per_prompt, V)
        top_scores, top_index = torch.topk(step_scores.view(B, -1), C)
        last = t + 1 == T
        if last:
            hits, top_hit = torch.ones(B, C, dtype=torch.bool, device=device), True
        elif eos:
            hits = torch.take(start.ends_at, top_index)
            top_hit = bool(hits[:, :k].any())  # does any prompt finish one of its best k?
        else:
            hits, top_hit = None, False

        # The best k candidates that did not finish keep running. top_scores is sorted, so
        # while none of the first k finishes (the usual step) they are those k: no second topk.
        if top_hit:
            # transformers adds −10⁹ to finished candidates; in float32 that rounds to −10⁹ for
            # any score above −32, so filling with −10⁹ ranks them alike, in one operation.
            running, chosen = torch.topk(top_scores.masked_fill(hits, PLACEHOLDER), k)
            picked = torch.gather(top_index, 1, chosen)
        else:
            running, chosen, picked = top_scores[:, :k], first_k, top_index[:, :k]
        top_indices.append(top_index)
        top_raw.append(top_scores)
        keep.append(chosen)
        if trace:
            kept_scores.append(running)

        if top_hit:  # only the best k candidates may finish
            eligible = hits[:, :k]
            # Blocked candidates score PLACEHOLDER (transformers adds −10⁹ instead: the same
            # ranking, since neither can displace a real hypothesis).
            if early_stopping is True and any_full:
                eligible = eligible & (fin_score[:, -1:] <= INVALID_BELOW)
            if not all_improvable:
                eligible = eligible & improvable
            candidate = top_scores[:, :k]
            if length_penalty != 0.0:
                candidate = candidate / ((t + 1) ** length_penalty)
            candidate = candidate.masked_fill(~eligible, PLACEHOLDER)
            fin_score, pick = torch.topk(torch.cat((fin_score, candidate), dim=1), k)
            fin_code = torch.gather(torch.cat((fin_code, first_k + t * C), dim=1), 1, pick)
            if not any_full:  # slots are sorted: the last one is the worst
                any_full = bool((fin_score[:, -1] > INVALID_BELOW).any())
        if trace:
            snapshots.append((fin_score, fin_code))
        if last:
            break

        if any_full:
            # Can the best running beam still beat the worst finished hypothesis (the last,
            # sorted slot; an empty one scores PLACEHOLDER, so a prompt can stop only once its
            # k slots are full)? transformers' test, in fewer operations.
            if early_stopping == "never" and length_penalty > 0.0:
                best_length = T
            else:
                best_length = t + 1
            best = running[:, :1]
            if length_penalty != 0.0:
                best = best / (best_length**length_penalty)
            improvable = improvable & (best > fin_score[:, -1:])
            still = int(improvable.sum())
            all_improvable = still == B
            if still == 0:
                break
            if early_stopping is True and bool((fin_score[:, -1] > INVALID_BELOW).all()):
                break

        if rows_per_prompt == 1:  # every beam, placeholders included, continues the prompt's row
            rows = start.prompt_rows
        else:
            rows = torch.take(start.origin_of, picked).add_(start.row_base)
        state = scorer.reorder(state, rows.reshape(-1))
        rows_per_prompt = k
        log_probs, state = scorer.step(torch.take(start.token_of, picked).view(-1), state)
        _check_log_probs(log_probs, B * k, V, "step")

    walk = _Backtrack(top_indices, top_raw, keep, V, pad)
    # NaN and +inf rank first in topk, so any in the log-probs reached the candidates; checked
    # once here rather than at every step. It is an error, never a silent answer.
    largest = float(walk.raw.max())  # NaN if any is NaN
    if math.isnan(largest) or largest == math.inf:
        bad = torch.isnan(walk.raw) | torch.isposinf(walk.raw)
        first = int(bad.flatten(1).any(dim=1).nonzero()[0])
        where = "start" if first == 0 else f"step (new token {first + 1})"
        raise ValueError(f"the scorer's {where} returned NaN or +inf log-probs")
    output = _first(walk.finished(fin_score, fin_code), num_return_sequences)
    if trace:
        output.trace = []
        for t in range(len(keep)):
            beams = walk.rebuild(torch.full_like(keep[t], t), keep[t], t + 1)
            valid = kept_scores[t] > INVALID_BELOW
            finished = walk.finished(*snapshots[t], steps=t + 1)
            output.trace.append(BeamStep(t + 1, beams, kept_scores[t], valid, finished))
    return output


class _Backtrack:
    """Rebuilds token sequences from the per-step back-pointers, once, after the search."""

    def __init__(self, top_indices, top_raw, keep, vocab, pad):
        index = torch.stack(top_indices)  # [S, B, C]
        self.origin = torch.div(index, vocab, rounding_mode="floor")
        self.token = index % vocab
        self.raw = torch.stack(top_raw)
        self.keep = torch.stack(keep)  # [S, B, k]
        self.steps, self.C, self.pad = index.shape[0], index.shape[2], pad
        # parent[s − 1][b, c]: the candidate of step s − 1 that candidate c of step s extends
        self.parent = torch.gather(self.keep[:-1], 2, self.origin[1:])

    def rebuild(self, end_step: torch.Tensor, cand: torch.Tensor, length: int) -> torch.Tensor:
        """Tokens [B, R, length] of the candidates `cand` [B, R] of steps `end_step` [B, R];
        positions after a hypothesis' end hold the pad token."""
        ends = set(end_step.unique().tolist())  # the steps at which some hypothesis ends
        current = cand
        visited = []
        for s in reversed(range(length)):
            if s in ends:  # hypotheses ending at step s start their walk back here
                current = cand if len(ends) == 1 else torch.where(end_step == s, cand, current)
            visited.append(current)
            if s > 0:
                current = torch.gather(self.parent[s - 1], 1, current)
        visited = torch.stack(visited[::-1])  # [length, B, R]
        tokens = torch.gather(self.token[:length], 2, visited).permute(1, 2, 0)
        after_end = torch.arange(length, device=cand.device) > end_step[:, :, None]
        return tokens.masked_fill(after_end, self.pad)

    def finished(self, score, code, steps=None) -> SearchOutput:
        steps = self.steps if steps is None else steps
        step, cand = torch.div(code, self.C, rounding_mode="floor"), code % self.C
        raw = self.raw[step.clamp(min=0), torch.arange(score.shape[0])[:, None], cand]
        real = (code >= 0) & (score > INVALID_BELOW) & (raw > INVALID_BELOW)
        end = torch.where(real, step, torch.full_like(step, -1))
        neg_inf = torch.full_like(score, -math.inf)
        return SearchOutput(
            sequences=self.rebuild(end, torch.where(real, cand, 0), steps),
            scores=torch.where(real, score, neg_inf),
            log_probs=torch.where(real, raw, neg_inf),
            lengths=torch.where(real, step + 1, torch.zeros_like(step)),
        )


def _first(output: SearchOutput, count: int) -> SearchOutput:
    lengths = output.lengths[:, :count]
    width = max(int(lengths.max()), 1)
    return SearchOutput(
        sequences=output.sequences[:, :count, :width],
        scores=output.scores[:, :count],
        log_probs=output.log_probs[:, :count],
        lengths=lengths,
    )


# --- greedy and exhaustive ------------------------------------------------------------------


def greedy_search(
    scorer: Scorer,
    prompts: Any,
    *,
    max_new_tokens: int,
    eos_token_id: int | Sequence[int] | None = None,
    pad_token_id: int | None = None,
    length_penalty: float = 1.0,
) -> SearchOutput:
    """The most likely next token at every step (ties: the lowest token id).

    `scores` are log_probs / lengths^α, for comparison with the other searches.
    """
    _check_settings(1, max_new_tokens, 1, length_penalty, False)
    V = _vocab_size(scorer)
    eos = _eos_ids(eos_token_id, V)
    pad = pad_token_id if pad_token_id is not None else (eos[0] if eos else 0)
    log_probs, state = scorer.start(prompts)
    if not isinstance(log_probs, torch.Tensor) or log_probs.dim() != 2 or log_probs.shape[0] < 1:
        raise ValueError("the scorer's start must return log-probs of shape (prompts, vocab_size)")
    B = log_probs.shape[0]
    eos_tensor = torch.tensor(eos, device=log_probs.device) if eos else None
    total = torch.zeros(B, dtype=log_probs.dtype, device=log_probs.device)
    lengths = torch.zeros(B, dtype=torch.long, device=log_probs.device)
    done = torch.zeros(B, dtype=torch.bool, device=log_probs.device)
    columns = []
    for t in range(max_new_tokens):
        _check_log_probs(log_probs, B, V, "start" if t == 0 else "step")
        _check_values(log_probs, "start" if t == 0 else "step")
        best, token = log_probs.max(dim=-1)
        total = total + torch.where(done, torch.zeros_like(best), best)
        lengths = lengths + (~done).long()
        token = torch.where(done, torch.full_like(token, pad), token)
        columns.append(token)
        if eos_tensor is not None:
            done = done | torch.isin(token, eos_tensor)
        if t + 1 == max_new_tokens or bool(done.all()):
            break
        log_probs, state = scorer.step(token, state)
    sequences = torch.stack(columns, dim=1)[:, None, :]
    scores = total / lengths.to(total.dtype) ** length_penalty
    return SearchOutput(sequences, scores[:, None], total[:, None], lengths[:, None])


def exhaustive_search(
    scorer: Scorer,
    prompts: Any,
    *,
    max_new_tokens: int,
    eos_token_id: int | Sequence[int] | None = None,
    pad_token_id: int | None = None,
    length_penalty: float = 1.0,
    num_return_sequences: int = 1,
    max_frontier: int = 2_000_000,
    bound: bool = True,
) -> SearchOutput:
    """Every continuation of up to T tokens, ranked by log_prob / length^α: the optimum
    that beam search approximates. The frontier (unfinished prefixes of all prompts)
    grows as |V|^t; more than `max_frontier` rows is refused. Tokens with log-prob −inf
    are never expanded. Ties rank the lower token ids first.

    With `bound` (and α = 0, one returned sequence, every log-prob ≤ 0) a prefix that
    already scores below the best finished hypothesis of its prompt is dropped: its
    score can only fall as it grows, so the optimum is unchanged (branch and bound)."""
    _check_settings(1, max_new_tokens, 1, length_penalty, False)
    _positive_int(num_return_sequences, "num_return_sequences")
    V = _vocab_size(scorer)
    eos = _eos_ids(eos_token_id, V)
    pad = pad_token_id if pad_token_id is not None else (eos[0] if eos else 0)
    T = max_new_tokens
    log_probs, state = scorer.start(prompts)
    if not isinstance(log_probs, torch.Tensor) or log_probs.dim() != 2 or log_probs.shape[0] < 1:
        raise ValueError("the scorer's start must return log-probs of shape (prompts, vocab_size)")
    B = log_probs.shape[0]
    device, dtype = log_probs.device, log_probs.dtype
    eos_tensor = torch.tensor(eos, device=device) if eos else None
    prompt_of = torch.arange(B, device=device)
    prefix = torch.zeros(B, 0, dtype=torch.long, device=device)
    raw = torch.zeros(B, dtype=dtype, device=device)
    done_prompt, done_tokens, done_raw, done_len = [], [], [], []
    bounding = bound and length_penalty == 0 and num_return_sequences == 1
    best_done = torch.full((B,), -math.inf, dtype=dtype, device=device)
    for t in range(T):
        N = prompt_of.shape[0]
        _check_log_probs(log_probs, N, V, "start" if t == 0 else "step")
        _check_values(log_probs, "start" if t == 0 else "step")
        bounding = bounding and bool((log_probs <= 0).all())
        candidate = raw[:, None] + log_probs  # [N, V]
        possible = candidate > -math.inf
        if bounding:
            possible = possible & (candidate >= best_done[prompt_of][:, None])
        token = torch.arange(V, device=device).expand(N, V)
        ends = torch.ones_like(possible) if t + 1 == T else torch.zeros_like(possible)
        if eos_tensor is not None:
            ends = ends | torch.isin(token, eos_tensor)
        row, col = torch.nonzero(possible & ends, as_tuple=True)
        if row.numel():
            done_prompt.append(prompt_of[row])
            padded = torch.full((row.numel(), T), pad, dtype=torch.long, device=device)
            padded[:, :t] = prefix[row]
            padded[:, t] = col
            done_tokens.append(padded)
            done_raw.append(candidate[row, col])
            done_len.append(torch.full_like(row, t + 1))
            if bounding:
                best_done = best_done.scatter_reduce(
                    0, prompt_of[row], candidate[row, col], reduce="amax"
                )
        row, col = torch.nonzero(possible & ~ends, as_tuple=True)
        if row.numel() == 0:
            break
        if row.numel() > max_frontier:
            raise ValueError(
                f"exhaustive search would hold {row.numel():,} prefixes at step {t + 1} "
                f"(more than max_frontier = {max_frontier:,}): use a smaller T or vocabulary"
            )
        prompt_of, raw = prompt_of[row], candidate[row, col]
        prefix = torch.cat((prefix[row], col[:, None]), dim=1)
        state = scorer.reorder(state, row)
        log_probs, state = scorer.step(col, state)
    all_prompt = torch.cat(done_prompt)
    all_tokens, all_raw, all_len = torch.cat(done_tokens), torch.cat(done_raw), torch.cat(done_len)
    all_score = all_raw / all_len.to(dtype) ** length_penalty
    R = num_return_sequences
    sequences = torch.full((B, R, T), pad, dtype=torch.long, device=device)
    scores = torch.full((B, R), -math.inf, dtype=dtype, device=device)
    log_prob_out = scores.clone()
    lengths = torch.zeros(B, R, dtype=torch.long, device=device)
    for b in range(B):  # a loop over prompts, not hypotheses
        mine = torch.nonzero(all_prompt == b, as_tuple=True)[0]
        order = torch.argsort(all_score[mine], descending=True, stable=True)[:R]
        pick = mine[order]
        n = pick.numel()
        sequences[b, :n], scores[b, :n] = all_tokens[pick], all_score[pick]
        log_prob_out[b, :n], lengths[b, :n] = all_raw[pick], all_len[pick]
    return _first(SearchOutput(sequences, scores, log_prob_out, lengths), R)
