"""Q5: beam search on the decoder of Figure 2."""

from answerkey.parts import Part, Question

QUESTION = Question(
    number=5,
    title="Beam Search",
    intro=(
        "Decode a length-3 sequence with beam size k = 2 from the decoder of Figure 2. The "
        "vocabulary is {neural, network}; each node holds log p(token | prefix)."
    ),
    parts=[
        Part("q5.a", "Which sequences does beam search store at timestep 1?"),
        Part("q5.b", "Which sequences does beam search store at timestep 2?"),
        Part("q5.c", "Which sequences does beam search store at timestep 3?"),
        Part("q5.d", "Does beam search return the overall most likely sequence here? Why?"),
        Part(
            "q5.e",
            "What is the runtime complexity of generating a length-T sequence with beam size k "
            "with an RNN, in terms of T and k?",
        ),
    ],
)
