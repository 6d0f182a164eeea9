"""Adapters that make a Hugging Face causal language model a beam-search scorer.

    log p(y_t | x, y_{<t}) = log_softmax(h_t W_teᵀ)        (GPT-2's tied output layer)

Two adapters, both without importing transformers (they take a model object):

- `HFCausalLMScorer(model)`: any causal LM with a reorderable key/value cache,
  called through its own `forward`, exactly as `generate` calls it.
- `GPT2Scorer(model)`: GPT-2 re-implemented on the model's own weights, with
  a preallocated key/value buffer [L, 2, N, H, S, d] that one `index_select`
  reorders. Same numbers up to float rounding, without the per-call overhead
  of the library's module tree (masks, cache objects, output records) that
  dominates for small models.

Prompts, B of them, may be given as

- a LongTensor [B, P]: B prompts of P tokens each;
- a sequence of B token sequences (lists or 1-D tensors) of any lengths, which
  are left-padded to the longest;
- a pair (input_ids [B, P], attention_mask [B, P]) as a tokenizer returns it
  with `padding_side="left"`: 1 marks a real token, 0 a pad before it.

Left padding is what `generate` expects too: a pad never attends or is attended
to, and positions count real tokens only (position_ids = cumsum(mask) − 1), so
a prompt gives the same continuation alone or padded in a batch.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class PromptBatch:
    """Left-padded prompts: ids [B, P]; mask [B, P] (1: real token), None when none is padded."""

    ids: torch.Tensor
    mask: torch.Tensor | None

    @property
    def pads(self) -> torch.Tensor | None:
        """[B] how many pads precede each prompt, or None."""
        return None if self.mask is None else (self.mask == 0).sum(dim=1)


def prompt_batch(prompts) -> PromptBatch:
    """Prompts in any of the module's three forms as one left-padded batch."""
    if isinstance(prompts, torch.Tensor):
        ids, mask = prompts, None
    elif (
        isinstance(prompts, tuple)
        and len(prompts) == 2
        and all(isinstance(p, torch.Tensor) and p.dim() == 2 for p in prompts)
    ):
        ids, mask = prompts
        if mask.shape != ids.shape:
            raise ValueError(
                f"attention_mask has shape {tuple(mask.shape)}, input_ids {tuple(ids.shape)}"
            )
        mask = mask.long()
        if bool(((mask != 0) & (mask != 1)).any()):
            raise ValueError("attention_mask must hold only 0 and 1")
        if bool((mask[:, 1:] < mask[:, :-1]).any()):
            raise ValueError("prompts must be left-padded: a 0 in attention_mask after a 1")
    elif isinstance(prompts, Sequence) and not isinstance(prompts, str):
        rows = [torch.as_tensor(p) for p in prompts]
        if not rows:
            raise ValueError("no prompts: an empty sequence")
        for row in rows:
            if row.numel() == 0:
                raise ValueError("every prompt needs at least one token")
            if row.dim() != 1 or row.dtype not in (torch.long, torch.int32, torch.int16):
                raise ValueError("each prompt must be a 1-D sequence of integer token ids")
        width = max(len(row) for row in rows)
        ids = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for b, row in enumerate(rows):
            ids[b, width - len(row) :] = row
            mask[b, width - len(row) :] = 1
    else:
        raise ValueError(
            "prompts must be a LongTensor (batch, prompt_length), a sequence of token-id "
            "sequences, or a pair (input_ids, attention_mask)"
        )
    if ids.dim() != 2 or ids.dtype != torch.long:
        raise ValueError("prompts must be a LongTensor of shape (batch, prompt_length)")
    if ids.shape[0] < 1 or ids.shape[1] < 1:
        raise ValueError(f"prompts must be non-empty, got shape {tuple(ids.shape)}")
    if mask is not None:
        if bool((mask.sum(dim=1) == 0).any()):
            raise ValueError("every prompt needs at least one token")
        if bool(mask.all()):
            mask = None  # nothing is padded: the plain path
    return PromptBatch(ids, mask)


class HFCausalLMScorer:
    """A transformers causal LM through its `forward`; the state is its cache and, for
    padded prompts, the attention mask, which grows by one column per step."""

    def __init__(self, model):
        self.model = model.eval()
        self.vocab_size = int(model.config.vocab_size)
        parameters = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in parameters else "past_key_values"

    def _run(self, input_ids, cache, mask):
        kwargs = {} if cache is None else {self._cache_arg: cache}
        if mask is not None:
            # generate's position ids: real tokens count from 0, pads hold 1
            positions = (mask.cumsum(dim=-1) - 1).masked_fill(mask == 0, 1)
            kwargs.update(attention_mask=mask, position_ids=positions[:, -input_ids.shape[1] :])
        out = self.model(input_ids=input_ids, use_cache=True, **kwargs)
        cache = getattr(out, "cache", None)
        if cache is None:
            cache = out.past_key_values
        return F.log_softmax(out.logits[:, -1, :].float(), dim=-1), (cache, mask)

    @torch.no_grad()
    def start(self, prompts):
        batch = prompt_batch(prompts)
        return self._run(batch.ids, None, batch.mask)

    @torch.no_grad()
    def step(self, tokens, state):
        cache, mask = state
        if mask is not None:
            mask = torch.cat((mask, mask.new_ones(mask.shape[0], 1)), dim=1)
        return self._run(tokens[:, None], cache, mask)

    def reorder(self, state, index):
        cache, mask = state
        if isinstance(cache, tuple):
            # The legacy cache, ((key, value) per layer), which older transformers
            # (4.50 among them) return for GPT-2: rows are the first axis of each tensor.
            cache = tuple(tuple(t.index_select(0, index) for t in layer) for layer in cache)
        else:
            cache.reorder_cache(index)
        return cache, None if mask is None else mask[index]


@dataclass
class KVState:
    """Keys and values of every layer, [L, 2, N, H, S, d], valid up to `length`.

    `spare` is a second buffer that `reorder` writes into (and hands the old one
    back as the next spare), so that a step allocates nothing: a state is consumed
    by `step` and `reorder`, as the searches use it. `pads` [N]: how many pads
    precede each row's prompt (None: no row is padded).
    """

    kv: torch.Tensor
    length: int
    spare: torch.Tensor | None = None
    pads: torch.Tensor | None = None


class GPT2Scorer:
    """GPT-2 (pre-LayerNorm blocks, learned positions, tied output) on a model's weights."""

    def __init__(self, model):
        config = model.config
        if getattr(config, "add_cross_attention", False):
            raise ValueError("GPT2Scorer supports decoder-only GPT-2 (no cross-attention)")
        if config.activation_function not in ("gelu_new", "gelu_pytorch_tanh", "gelu"):
            raise ValueError(f"unsupported activation {config.activation_function!r}")
        self.vocab_size = int(config.vocab_size)
        self.heads = int(config.n_head)
        self.width = int(config.n_embd)
        self.head_dim = self.width // self.heads
        self.max_positions = int(config.n_positions)
        self.eps = float(config.layer_norm_epsilon)
        self.approximate = "none" if config.activation_function == "gelu" else "tanh"
        body = model.transformer

        def weights(module):
            return module.weight.detach(), module.bias.detach()

        self.wte = body.wte.weight.detach()
        self.wpe = body.wpe.weight.detach()
        self.lm_head = model.lm_head.weight.detach()
        self.ln_f = weights(body.ln_f)
        self.blocks = []
        for index, block in enumerate(body.h):
            scaling = self.head_dim**-0.5 if config.scale_attn_weights else 1.0
            if config.scale_attn_by_inverse_layer_idx:
                scaling /= float(index + 1)
            self.blocks.append(
                {
                    "ln_1": weights(block.ln_1),
                    "c_attn": weights(block.attn.c_attn),  # Conv1D: x @ W + b, W [in, out]
                    "c_proj": weights(block.attn.c_proj),
                    "ln_2": weights(block.ln_2),
                    "c_fc": weights(block.mlp.c_fc),
                    "mlp_proj": weights(block.mlp.c_proj),
                    "scaling": scaling,
                }
            )

    def _heads(self, x):  # [N, S, width] → [N, H, S, d]
        N, S, _ = x.shape
        return x.view(N, S, self.heads, self.head_dim).transpose(1, 2)

    def _forward(self, tokens: torch.Tensor, state: KVState) -> tuple[torch.Tensor, KVState]:
        N, S = tokens.shape
        start = state.length
        if start + S > self.max_positions:
            raise ValueError(f"GPT-2 has {self.max_positions} positions; asked for {start + S}")
        kv = state.kv
        if start + S > kv.shape[4]:  # grow the buffer, doubling
            size = min(self.max_positions, max(2 * kv.shape[4], start + S))
            grown = kv.new_zeros(*kv.shape[:4], size, self.head_dim)
            grown[:, :, :, :, :start] = kv[:, :, :, :, :start]
            kv = grown
        if state.pads is None:
            x = self.wte[tokens] + self.wpe[start : start + S]
            visible = None
        else:
            x = self.wte[tokens] + self.wpe[self._positions(state.pads, start, S)]
            visible = self._visible(state.pads, start, S)
        for layer, w in enumerate(self.blocks):
            h = F.layer_norm(x, (self.width,), *w["ln_1"], self.eps)
            qkv = torch.addmm(w["c_attn"][1], h.view(-1, self.width), w["c_attn"][0])
            q, k, v = qkv.view(N, S, 3 * self.width).split(self.width, dim=2)
            kv[layer, 0, :, :, start : start + S] = self._heads(k)
            kv[layer, 1, :, :, start : start + S] = self._heads(v)
            keys = kv[layer, 0, :, :, : start + S]
            values = kv[layer, 1, :, :, : start + S]
            attn = F.scaled_dot_product_attention(
                self._heads(q), keys, values, attn_mask=visible,
                is_causal=S > 1 and visible is None, scale=w["scaling"],
            )  # fmt: skip
            attn = attn.transpose(1, 2).reshape(N * S, self.width)
            x = x + torch.addmm(w["c_proj"][1], attn, w["c_proj"][0]).view(N, S, self.width)
            h = F.layer_norm(x, (self.width,), *w["ln_2"], self.eps)
            h = torch.addmm(w["c_fc"][1], h.view(N * S, self.width), w["c_fc"][0])
            h = F.gelu(h, approximate=self.approximate)
            x = x + torch.addmm(w["mlp_proj"][1], h, w["mlp_proj"][0]).view(N, S, self.width)
        last = F.layer_norm(x[:, -1], (self.width,), *self.ln_f, self.eps)
        logits = last @ self.lm_head.T
        spare = state.spare if state.spare is not None and kv is state.kv else None
        return F.log_softmax(logits.float(), dim=-1), KVState(kv, start + S, spare, state.pads)

    @staticmethod
    def _positions(pads: torch.Tensor, start: int, S: int) -> torch.Tensor:
        """[N, S] positions of the new tokens, counting real tokens only (pads: 0)."""
        return (torch.arange(start, start + S, device=pads.device) - pads[:, None]).clamp(min=0)

    @staticmethod
    def _visible(pads: torch.Tensor, start: int, S: int) -> torch.Tensor:
        """[N, 1, S, start + S] which keys each new token attends to: no pad, nothing later.
        A pad attends to itself alone, so that its (unused) output is not NaN."""
        keys = torch.arange(start + S, device=pads.device)
        queries = torch.arange(start, start + S, device=pads.device)
        real = keys[None, None, :] >= pads[:, None, None]
        causal = keys[None, :] <= queries[:, None]
        itself = keys[None, :] == queries[:, None]
        return ((real & causal) | itself)[:, None]

    def start(self, prompts):
        batch = prompt_batch(prompts)
        N, P = batch.ids.shape
        size = min(self.max_positions, max(P + 32, 2 * P))
        kv = self.wte.new_zeros(len(self.blocks), 2, N, self.heads, size, self.head_dim)
        return self._forward(batch.ids, KVState(kv, 0, pads=batch.pads))

    def step(self, tokens, state):
        return self._forward(tokens[:, None], state)

    def reorder(self, state, index):
        kv = state.kv
        shape = (*kv.shape[:2], index.shape[0], *kv.shape[3:])
        spare = state.spare
        if spare is None or spare.shape != shape:
            spare = kv.new_empty(shape)
        # Rows are contiguous blocks once the layer and key/value axes are merged.
        flat = kv.view(shape[0] * shape[1], kv.shape[2], -1)
        torch.index_select(flat, 1, index, out=spare.view(shape[0] * shape[1], index.shape[0], -1))
        pads = None if state.pads is None else state.pads[index]
        return KVState(spare, state.length, kv if kv.shape == shape else None, pads)


def tiny_gpt2(vocab_size=50, width=32, layers=2, heads=2, positions=128, seed=0, eos_token_id=1):
    """A randomly initialized GPT-2 built from a local config (nothing is downloaded)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=positions,
        n_embd=width,
        n_layer=layers,
        n_head=heads,
        bos_token_id=0,
        eos_token_id=eos_token_id,
        pad_token_id=eos_token_id,
    )
    model = GPT2LMHeadModel(config).eval()
    # A random init gives near-uniform next-token distributions; sharpen them so that beams
    # disagree with greedy and an end-of-sequence token can win.
    with torch.no_grad():
        model.transformer.wte.weight.mul_(math.sqrt(width))
    return model
