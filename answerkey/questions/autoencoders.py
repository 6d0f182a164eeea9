"""Q4: autoencoders, linear probes, and the linear autoencoder's link to PCA."""

from answerkey.parts import Part, Question

QUESTION = Question(
    number=4,
    title="Autoencoders: Learning without Labels",
    intro=(
        r"An encoder $f_\theta: \mathbb{R}^m \to \mathbb{R}^k$ and a decoder "
        r"$g_\phi: \mathbb{R}^k \to \mathbb{R}^m$ are trained to minimize the mean squared "
        r"reconstruction error $\|x - g(f(x))\|^2$. The representation is judged by a linear "
        r"probe: the encoder is frozen and a linear classifier is trained on $z = f(x)$."
    ),
    parts=[
        Part(
            "q4.a",
            "Notebook q_ae.ipynb: implement the vanilla, denoising and masked autoencoders, "
            "pretrain them on a synthetic data set and on MNIST, and evaluate each with a linear "
            "probe, for (i) linear autoencoders and (ii) ReLU autoencoders, with bottleneck "
            "k ∈ {5, 10, 100, 1000}.",
        ),
        Part(
            "q4.b.i",
            "PCA and linear autoencoders: write the first-order optimality conditions of "
            "L(W₁, W₂; X) = (1/n)‖X − W₂W₁X‖²_F.",
        ),
        Part("q4.b.ii", "Show that W₁ = U_kᵀ, W₂ = U_k satisfy them."),
    ],
)
