"""Q6: the homework-process question, which only the student can answer."""

from answerkey.parts import Answer, Part, Question

QUESTION = Question(
    number=6,
    title="Homework Process and Study Group",
    intro="Sources used, collaborators, and hours spent.",
    parts=[
        Part(
            "q6",
            "Which sources did you use, whom did you work with, and how many hours did you spend?",
            answer=lambda profile: Answer(
                text="Answers vary: name your sources, your collaborators (or none) and your hours."
            ),
            notes=(
                "Student-specific: there is no key answer. Full credit for any honest, complete "
                "response naming sources, collaborators (or none) and hours.",
            ),
        ),
    ],
)
