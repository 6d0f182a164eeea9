"""Q1: Zachary's karate club, a GCN written by hand (notebook q_zkc.ipynb)."""

from answerkey.parts import Part, Question

QUESTION = Question(
    number=1,
    title="Zachary's Karate Club",
    intro=(
        "A social network of the 34 members of a university karate club, with a link between "
        "two members who interacted outside the club (78 edges). A conflict between the "
        'administrator "John A" and the instructor "Mr. Hi" split the club in two; from the '
        "network alone, Zachary assigned every member but one to the side they actually joined."
    ),
    parts=[
        Part("q1.1", "Implement all the TODOs in q_zkc.ipynb."),
        Part("q1.2", "Comment on what you have learned."),
    ],
)
