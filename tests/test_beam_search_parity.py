"""Parity with transformers' `generate(num_beams=k)` on a tiny randomly initialized GPT-2.

The model is built from a local GPT2Config (nothing is downloaded). The project's
search, through both adapters (the library's own forward, and the lean GPT-2 on the
same weights), must return the same sequences and scores as `generate`.
"""

import pytest
import torch

transformers = pytest.importorskip("transformers")

from models.beam_search import beam_search  # noqa: E402
from models.causal_lm_scorer import GPT2Scorer, HFCausalLMScorer, tiny_gpt2  # noqa: E402

BATCH, PROMPT, BEAMS, NEW = 4, 5, 4, 12
FIRING_EOS = 30  # a token this model generates often (checked below)


@pytest.fixture(scope="module")
def model():
    transformers.logging.set_verbosity_error()
    return tiny_gpt2()


@pytest.fixture(scope="module")
def prompts():
    return torch.randint(2, 50, (BATCH, PROMPT), generator=torch.Generator().manual_seed(0))


def reference(model, prompts, returned, **settings):
    with torch.no_grad():
        out = model.generate(
            prompts, attention_mask=torch.ones_like(prompts), num_beams=BEAMS,
            max_new_tokens=NEW, do_sample=False, pad_token_id=1, num_return_sequences=returned,
            return_dict_in_generate=True, output_scores=True, **settings,
        )  # fmt: skip
    sequences = out.sequences[:, PROMPT:].reshape(BATCH, returned, -1)
    return sequences, out.sequences_scores.reshape(BATCH, returned)


SETTINGS = {
    "canonical": dict(eos_token_id=None, length_penalty=0.0, early_stopping="never"),
    "eos fires": dict(eos_token_id=FIRING_EOS, length_penalty=0.0, early_stopping="never"),
    "penalty, early stop": dict(eos_token_id=FIRING_EOS, length_penalty=1.0, early_stopping=True),
    "default heuristic": dict(eos_token_id=FIRING_EOS, length_penalty=1.0, early_stopping=False),
    "length bonus": dict(eos_token_id=FIRING_EOS, length_penalty=2.0, early_stopping="never"),
}


@pytest.mark.parametrize("adapter", [GPT2Scorer, HFCausalLMScorer])
@pytest.mark.parametrize("name", list(SETTINGS))
def test_same_sequences_and_scores_as_generate(model, prompts, adapter, name):
    settings = SETTINGS[name]
    returned = 3
    expected, expected_scores = reference(model, prompts, returned, **settings)
    ours = beam_search(adapter(model), prompts, num_beams=BEAMS, max_new_tokens=NEW,
                       pad_token_id=1, num_return_sequences=returned, **settings)  # fmt: skip
    width = max(expected.shape[-1], ours.sequences.shape[-1])

    def pad(t):
        return torch.nn.functional.pad(t, (0, width - t.shape[-1]), value=1)

    assert torch.equal(pad(ours.sequences), pad(expected))
    assert torch.allclose(ours.scores, expected_scores, atol=1e-5, rtol=0)


def test_the_end_of_sequence_token_fires(model, prompts):
    out = beam_search(GPT2Scorer(model), prompts, num_beams=BEAMS, max_new_tokens=NEW,
                      num_return_sequences=3, **SETTINGS["eos fires"])  # fmt: skip
    assert int(out.lengths.min()) < NEW


def test_the_lean_gpt2_matches_the_library_forward(model, prompts):
    lean, library = GPT2Scorer(model), HFCausalLMScorer(model)
    a, state_a = lean.start(prompts)
    b, state_b = library.start(prompts)
    assert torch.allclose(a, b, atol=1e-5)
    index = torch.tensor([3, 3, 0, 1])
    state_a, state_b = lean.reorder(state_a, index), library.reorder(state_b, index)
    tokens = torch.tensor([5, 6, 7, 8])
    a, _ = lean.step(tokens, state_a)
    b, _ = library.step(tokens, state_b)
    assert torch.allclose(a, b, atol=1e-5)


def test_bad_prompts_are_refused(model):
    with pytest.raises(ValueError, match="LongTensor"):
        GPT2Scorer(model).start(torch.zeros(2, 3))
