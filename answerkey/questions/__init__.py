"""One module per homework question: it assembles the question's parts from
the derivations, numeric checks and models that answer them."""
