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

Prompts are a LongTensor [B, P] of equal-length prompts (no padding).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


def _prompts(prompts) -> torch.Tensor:
    if not isinstance(prompts, torch.Tensor) or prompts.dim() != 2 or prompts.dtype != torch.long:
        raise ValueError("prompts must be a LongTensor of shape (batch, prompt_length)")
    if prompts.shape[0] < 1 or prompts.shape[1] < 1:
        raise ValueError(f"prompts must be non-empty, got shape {tuple(prompts.shape)}")
    return prompts


class HFCausalLMScorer:
    """A transformers causal LM through its `forward`, with its cache as the state."""

    def __init__(self, model):
        self.model = model.eval()
        self.vocab_size = int(model.config.vocab_size)
        parameters = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in parameters else "past_key_values"

    def _log_probs(self, out):
        cache = getattr(out, "cache", None)
        if cache is None:
            cache = out.past_key_values
        return F.log_softmax(out.logits[:, -1, :].float(), dim=-1), cache

    @torch.no_grad()
    def start(self, prompts):
        return self._log_probs(self.model(input_ids=_prompts(prompts), use_cache=True))

    @torch.no_grad()
    def step(self, tokens, cache):
        kwargs = {self._cache_arg: cache}
        return self._log_probs(self.model(input_ids=tokens[:, None], use_cache=True, **kwargs))

    def reorder(self, cache, index):
        cache.reorder_cache(index)
        return cache


@dataclass
class KVState:
    """Keys and values of every layer, [L, 2, N, H, S, d], valid up to `length`.

    `spare` is a second buffer that `reorder` writes into (and hands the old one
    back as the next spare), so that a step allocates nothing: a state is consumed
    by `step` and `reorder`, as the searches use it.
    """

    kv: torch.Tensor
    length: int
    spare: torch.Tensor | None = None


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
        x = self.wte[tokens] + self.wpe[start : start + S]
        for layer, w in enumerate(self.blocks):
            h = F.layer_norm(x, (self.width,), *w["ln_1"], self.eps)
            qkv = torch.addmm(w["c_attn"][1], h.view(-1, self.width), w["c_attn"][0])
            q, k, v = qkv.view(N, S, 3 * self.width).split(self.width, dim=2)
            kv[layer, 0, :, :, start : start + S] = self._heads(k)
            kv[layer, 1, :, :, start : start + S] = self._heads(v)
            keys = kv[layer, 0, :, :, : start + S]
            values = kv[layer, 1, :, :, : start + S]
            attn = F.scaled_dot_product_attention(
                self._heads(q), keys, values, is_causal=S > 1, scale=w["scaling"]
            )
            attn = attn.transpose(1, 2).reshape(N * S, self.width)
            x = x + torch.addmm(w["c_proj"][1], attn, w["c_proj"][0]).view(N, S, self.width)
            h = F.layer_norm(x, (self.width,), *w["ln_2"], self.eps)
            h = torch.addmm(w["c_fc"][1], h.view(N * S, self.width), w["c_fc"][0])
            h = F.gelu(h, approximate=self.approximate)
            x = x + torch.addmm(w["mlp_proj"][1], h, w["mlp_proj"][0]).view(N, S, self.width)
        last = F.layer_norm(x[:, -1], (self.width,), *self.ln_f, self.eps)
        logits = last @ self.lm_head.T
        spare = state.spare if state.spare is not None and kv is state.kv else None
        return F.log_softmax(logits.float(), dim=-1), KVState(kv, start + S, spare)

    def start(self, prompts):
        prompts = _prompts(prompts)
        N, P = prompts.shape
        size = min(self.max_positions, max(P + 32, 2 * P))
        kv = self.wte.new_zeros(len(self.blocks), 2, N, self.heads, size, self.head_dim)
        return self._forward(prompts, KVState(kv, 0))

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
        return KVState(spare, state.length, kv if kv.shape == shape else None)


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
