"""A tiny GRU language model, trained in seconds on a corpus the project generates.

    h_t = GRU(E[y_{t−1}], h_{t−1}),   log p(y_t | y_{<t}) = log_softmax(W h_t + b)

The corpus comes from a small probabilistic grammar (below) with "garden
paths": a first word that is likely on its own but spreads its probability
over many continuations, against a less likely one followed by a near-certain
continuation — the situation of HW6 Figure 2, where the greedy choice loses.
Sentences start with <bos> and end with <eos>; batches are padded with <pad>,
which the loss ignores.

Shapes: B sentences, L tokens, V = len(VOCAB), E embedding, H hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

# Next-word distributions of the grammar, by context (the previous one or two words).
GRAMMAR: dict[str, dict[str, float]] = {
    "<bos>": {"the": 0.4, "a": 0.3, "my": 0.3},
    "the": {"big": 0.2, "cat": 0.2, "dog": 0.2, "bird": 0.2, "net": 0.2},
    "a": {"net": 0.7, "big": 0.3},
    "my": {"dog": 0.55, "bird": 0.45},
    "big": {"cat": 0.5, "dog": 0.3, "net": 0.2},
    "subject": {"runs": 0.3, "sees": 0.3, "sleeps": 0.2, "that": 0.2},  # after a subject noun
    "that": {"sees": 0.6, "likes": 0.4},  # a relative clause: that sees/likes NP, then the verb
    "relative": {"runs": 0.5, "sleeps": 0.5},  # after the relative clause's object noun
    "runs": {"<eos>": 0.4, "fast": 0.35, "home": 0.25},
    "sleeps": {"<eos>": 0.6, "now": 0.4},
    "sees": {"the": 0.45, "a": 0.3, "my": 0.25},
    "likes": {"the": 0.3, "a": 0.4, "my": 0.3},
    "object": {"<eos>": 0.75, "now": 0.25},  # after a main clause's object noun
    "fast": {"<eos>": 1.0},
    "home": {"<eos>": 1.0},
    "now": {"<eos>": 1.0},
}
NOUNS = ("cat", "dog", "bird", "net")
VERBS = ("runs", "sees", "sleeps")
VOCAB = (
    "<pad>", "<bos>", "<eos>", "the", "a", "my", "big", "cat", "dog", "bird", "net",
    "runs", "sees", "sleeps", "likes", "that", "fast", "home", "now",
)  # fmt: skip
PAD, BOS, EOS = 0, 1, 2
TOKEN = {word: i for i, word in enumerate(VOCAB)}


def _context(last: str, clause: str) -> str:
    """The grammar's context for the next word: after a noun it is the clause the noun ends."""
    return clause if last in NOUNS else last


def _advance(clause: str, word: str) -> str:
    """'subject' until the main verb, 'that' then 'relative' through a relative clause
    ("the cat that sees a net runs"), 'object' after the main verb."""
    if word == "that":
        return "that"
    if clause == "that":  # the relative clause's own verb
        return "relative"
    if word in VERBS and clause in ("subject", "relative"):
        return "object"
    return clause


def generate_corpus(sentences: int, seed: int = 0) -> list[list[int]]:
    """Token ids of `sentences` sentences, each <bos> … <eos>, sampled from GRAMMAR."""
    generator = torch.Generator().manual_seed(seed)
    corpus = []
    for _ in range(sentences):
        words, clause = ["<bos>"], "subject"
        while words[-1] != "<eos>":
            options = GRAMMAR[_context(words[-1], clause)]
            probs = torch.tensor(list(options.values()))
            choice = list(options)[int(torch.multinomial(probs, 1, generator=generator))]
            clause = _advance(clause, choice)
            words.append(choice)
        corpus.append([TOKEN[w] for w in words])
    return corpus


class RNNLanguageModel(nn.Module):
    def __init__(self, vocab: int = len(VOCAB), embedding: int = 16, hidden: int = 48):
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        self.gru = nn.GRU(embedding, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens: torch.Tensor, hidden: torch.Tensor | None = None):
        """tokens [B, L] → log-probs [B, L, V] of the next token, and the last hidden [1, B, H]."""
        states, hidden = self.gru(self.embed(tokens), hidden)
        return torch.log_softmax(self.out(states), dim=-1), hidden


@dataclass
class TrainingResult:
    model: RNNLanguageModel
    losses: list[float]
    corpus_entropy: float  # nats per token of the grammar itself, the loss floor


def _batch(sentences: list[list[int]]) -> torch.Tensor:
    width = max(len(s) for s in sentences)
    return torch.tensor([s + [PAD] * (width - len(s)) for s in sentences])


def train(
    sentences: int = 2000, steps: int = 300, batch: int = 64, seed: int = 0
) -> TrainingResult:
    """Fit the model to a generated corpus with Adam; a few seconds on a CPU."""
    corpus = generate_corpus(sentences, seed)
    torch.manual_seed(seed)
    model = RNNLanguageModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.NLLLoss(ignore_index=PAD)
    generator = torch.Generator().manual_seed(seed + 1)
    losses = []
    for _ in range(steps):
        pick = torch.randint(len(corpus), (batch,), generator=generator)
        tokens = _batch([corpus[int(i)] for i in pick])
        log_probs, _ = model(tokens[:, :-1])
        loss = loss_fn(log_probs.reshape(-1, log_probs.shape[-1]), tokens[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return TrainingResult(model.eval(), losses, grammar_entropy())


def grammar_entropy() -> float:
    """Expected next-token entropy (nats) per predicted token of the grammar, by exact recursion."""
    import math

    def entropy(dist):
        return -sum(p * math.log(p) for p in dist.values())

    # Enumerate sentences exactly (the grammar is finite): total entropy / expected length.
    total_h, total_len = 0.0, 0.0
    stack = [("<bos>", "subject", 1.0)]
    while stack:
        last, clause, prob = stack.pop()
        dist = GRAMMAR[_context(last, clause)]
        total_h += prob * entropy(dist)
        total_len += prob
        for word, p in dist.items():
            if word != "<eos>":
                stack.append((word, _advance(clause, word), prob * p))
    return total_h / total_len


class RNNScorer:
    """The GRU language model as a beam-search scorer; the state is the hidden state [1, N, H]."""

    def __init__(self, model: RNNLanguageModel):
        self.model = model.eval()
        self.vocab_size = model.out.out_features

    @torch.no_grad()
    def start(self, prompts: torch.Tensor):
        if not isinstance(prompts, torch.Tensor) or prompts.dim() != 2 or prompts.shape[1] < 1:
            raise ValueError("prompts must be a LongTensor of shape (batch, prompt_length ≥ 1)")
        log_probs, hidden = self.model(prompts)
        return self._renormalize(log_probs[:, -1]), hidden

    @torch.no_grad()
    def step(self, tokens: torch.Tensor, hidden: torch.Tensor):
        log_probs, hidden = self.model(tokens[:, None], hidden)
        return self._renormalize(log_probs[:, -1]), hidden

    @staticmethod
    def _renormalize(log_probs: torch.Tensor) -> torch.Tensor:
        """<pad> and <bos> never follow a word: log-prob −inf, the rest renormalized."""
        log_probs = log_probs.clone()
        log_probs[:, [PAD, BOS]] = -torch.inf
        return torch.log_softmax(log_probs, dim=-1)

    def reorder(self, hidden: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        return hidden.index_select(1, index)


def words(tokens) -> str:
    return " ".join(VOCAB[int(t)] for t in tokens)


def encode(text: str) -> list[int]:
    return [TOKEN[w] for w in text.split()]
