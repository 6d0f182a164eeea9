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


def same_sequences(a, b, pad=1) -> bool:
    """Equal token for token once both are padded to one length (generate pads to its
    longest hypothesis, the search to its longest returned one)."""
    width = max(a.shape[-1], b.shape[-1])
    a, b = (torch.nn.functional.pad(t, (0, width - t.shape[-1]), value=pad) for t in (a, b))
    return torch.equal(a, b)


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
    assert same_sequences(ours.sequences, expected)
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


# --- prompts of different lengths -----------------------------------------------------------

RAGGED = [[7, 8, 9], [10, 11, 12, 13, 14, 15, 16], [17], [18, 19, 20, 21, 22]]


def left_padded(prompts, pad=1):
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad, dtype=torch.long)
    mask = torch.zeros(len(prompts), width, dtype=torch.long)
    for b, p in enumerate(prompts):
        ids[b, width - len(p) :], mask[b, width - len(p) :] = torch.tensor(p), 1
    return ids, mask


@pytest.mark.parametrize("adapter", [GPT2Scorer, HFCausalLMScorer])
@pytest.mark.parametrize("name", ["canonical", "penalty, early stop"])
def test_prompts_of_different_lengths_match_generate(model, adapter, name):
    settings = SETTINGS[name]
    ids, mask = left_padded(RAGGED)
    with torch.no_grad():
        out = model.generate(
            ids, attention_mask=mask, num_beams=BEAMS, max_new_tokens=NEW, do_sample=False,
            pad_token_id=1, num_return_sequences=2, return_dict_in_generate=True,
            output_scores=True, **settings,
        )  # fmt: skip
    expected = out.sequences[:, ids.shape[1] :].reshape(len(RAGGED), 2, -1)
    for prompts in (RAGGED, (ids, mask)):  # a list of sequences, or a tokenizer's pair
        ours = beam_search(adapter(model), prompts, num_beams=BEAMS, max_new_tokens=NEW,
                           pad_token_id=1, num_return_sequences=2, **settings)  # fmt: skip
        assert same_sequences(ours.sequences, expected)
        assert torch.allclose(ours.scores, out.sequences_scores.reshape(-1, 2), atol=1e-5, rtol=0)


@pytest.mark.parametrize("adapter", [GPT2Scorer, HFCausalLMScorer])
def test_a_padded_prompt_continues_as_it_would_alone(model, adapter):
    settings = dict(
        num_beams=BEAMS, max_new_tokens=NEW, num_return_sequences=2, **SETTINGS["canonical"]
    )
    batched = beam_search(adapter(model), RAGGED, **settings)
    for b, prompt in enumerate(RAGGED):
        alone = beam_search(adapter(model), torch.tensor([prompt]), **settings)
        assert torch.equal(batched.sequences[b], alone.sequences[0])
        assert torch.allclose(batched.scores[b], alone.scores[0], atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    "prompts, message",
    [
        (torch.zeros(2, 3), "LongTensor"),
        ([[1, 2], []], "at least one token"),
        ([], "no prompts"),
        ([[1.5, 2.0]], "integer token ids"),
        ((torch.ones(2, 3, dtype=torch.long), torch.tensor([[1, 0, 1], [1, 1, 1]])), "left-padded"),
        ((torch.ones(2, 3, dtype=torch.long), torch.ones(2, 2, dtype=torch.long)), "shape"),
        ((torch.ones(1, 2, dtype=torch.long), torch.tensor([[0, 0]])), "at least one token"),
        ("neural network", "prompts must be"),
    ],
)  # fmt: skip
def test_bad_prompts_are_refused(model, prompts, message):
    for adapter in (GPT2Scorer, HFCausalLMScorer):
        with pytest.raises(ValueError, match=message):
            adapter(model).start(prompts)
