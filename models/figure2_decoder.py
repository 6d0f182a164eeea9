"""The decoder of HW6 Figure 2 as a scorer: a tree of log p(token | prefix).

Vocabulary {neural, network}; depth 3. The numbers live in `models.figure2_tree`
(torch-free, so the written answers can be read without torch).

The state is one node id per row; `step` moves each row to the child its token
names and returns that node's children's log-probabilities [N, 2].
"""

from __future__ import annotations

import torch

from models.figure2_tree import DEPTH, FIGURE2, VOCAB, sequence_log_prob


class TreeScorer:
    """A finite tree of next-token log-probabilities as a scorer (float64).

    `tree` maps each internal prefix (a tuple of tokens) to the log-probabilities
    of its children, one per vocabulary token. Stepping past a leaf is an error.
    """

    def __init__(self, tree=FIGURE2, vocab=VOCAB):
        if not vocab:
            raise ValueError("empty vocabulary")
        self.vocab = tuple(vocab)
        self.tree = dict(tree)
        self.vocab_size = len(self.vocab)
        self.prefixes = sorted(tree, key=lambda p: (len(p), [self.vocab.index(w) for w in p]))
        if () not in tree:
            raise ValueError("the tree has no root (the empty prefix)")
        self.node = {prefix: i for i, prefix in enumerate(self.prefixes)}
        for prefix, values in tree.items():
            if len(values) != self.vocab_size:
                raise ValueError(f"prefix {prefix} has {len(values)} log-probs, not {len(vocab)}")
        self.log_probs = torch.tensor([tree[p] for p in self.prefixes], dtype=torch.float64)
        # child[node, token] = node id of prefix + token, or −1 past the last level
        child = torch.full((len(self.prefixes), self.vocab_size), -1, dtype=torch.long)
        for prefix, i in self.node.items():
            for j, word in enumerate(self.vocab):
                child[i, j] = self.node.get(prefix + (word,), -1)
        self.child = child

    def start(self, prompts: int = 1):
        """`prompts` is how many copies of the tree to decode at once (the tree has no input)."""
        rows = torch.zeros(int(prompts), dtype=torch.long)
        return self.log_probs[rows], rows

    def step(self, tokens, state):
        nodes = self.child[state, tokens]
        if bool((nodes < 0).any()):
            raise ValueError(f"the tree ends after {DEPTH} tokens: no log-probs beyond its leaves")
        return self.log_probs[nodes], nodes

    def reorder(self, state, index):
        return state[index]

    def words(self, tokens) -> tuple[str, ...]:
        return tuple(self.vocab[int(t)] for t in tokens)

    def sequence_log_prob(self, words: tuple[str, ...]) -> float:
        return sequence_log_prob(words, self.tree, self.vocab)
