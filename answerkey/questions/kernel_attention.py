"""Q3: kernelized linear attention."""

from answerkey.parts import Part, Question

QUESTION = Question(
    number=3,
    title="Kernelized Linear Attention",
    intro=(
        r"Input $x \in \mathbb{R}^{N \times F}$; $Q = x W_Q$, $K = x W_K$, $V = x W_V$ with "
        r"$W_Q, W_K \in \mathbb{R}^{F \times D}$ and $W_V \in \mathbb{R}^{F \times M}$. Softmax "
        r"attention is $V' = \operatorname{softmax}(Q K^\top / \sqrt{D})\, V$, row-wise. For a "
        r"similarity function sim, generalized attention is "
        r"$V'_i = \sum_j \mathrm{sim}(Q_i, K_j) V_j \,/\, \sum_j \mathrm{sim}(Q_i, K_j)$ (eq. 3); "
        r"softmax attention is the case $\mathrm{sim}(q, k) = \exp(q^\top k / \sqrt{D})$."
    ),
    parts=[
        Part("q3.a", "What conditions on the denominator of eq. 3 keep V'_i from blowing up?"),
        Part(
            "q3.b.i",
            '"Quadratic kernel attention": the polynomial kernel of degree 2, with every constant '
            "factor set to 1. Derive sim(q, k).",
        ),
        Part(
            "q3.b.ii",
            "Derive the feature map φ(·) of that quadratic kernel, so that K(q, k) = φ(q)ᵀφ(k).",
        ),
        Part("q3.b.iii", "For a general kernel with feature map φ, rewrite eq. 3 using φ."),
        Part(
            "q3.c.i",
            "Softmax attention: the computational cost and memory requirement of computing all "
            "V'_i, in terms of N, D, M (memory includes everything stored for backpropagation).",
        ),
        Part(
            "q3.c.ii",
            "Linearized degree-2 polynomial kernel attention, using associativity "
            "(V'_i = φ(Q_i)ᵀ Σ_j φ(K_j)V_jᵀ / φ(Q_i)ᵀ Σ_j φ(K_j), eq. 5): its computational cost "
            "and memory requirement.",
        ),
    ],
)
