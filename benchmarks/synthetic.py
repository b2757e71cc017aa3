"""Synthetic classes for the benchmark: folders of submissions, deterministic from a seed.

    python benchmarks/synthetic.py MIX COUNT OUT_DIR [--seed N]

Mixes:
``correct``  every submission right, in the forms a class writes (numpy or lists,
             tuples or lists for shapes, a dict or an OrderedDict for (f));
``class``    a class as it hands in: each function loops forever with probability 1%,
             5% of submissions fail to import (a syntax error, a missing package, an
             exception at import), the rest right or wrong in the usual ways (each
             function wrong with probability 15%, in one of the mistakes below);
``slow``     every submission right, (b) and (d) spending about 0.1 s of CPU per call in
             pure-Python loops of 10**6 iterations: honest slow code, which must keep
             full marks.

The folder written is laid out as Gradescope's "Export Submissions" unzipped:
``submission_metadata.yml`` naming each submission's student, and one folder
``submission_<id>`` per submission holding ``we_recur.py``. A submission of the
``correct`` and ``slow`` mixes must score :data:`FULL_MARKS`.
"""

import argparse
import random
from pathlib import Path

#: The score of a submission with every part right.
FULL_MARKS = 12.0
#: The file each submission holds (the rubric's ``module``).
MODULE = "we_recur.py"
#: Gradescope's submission ids of a synthetic class start here.
FIRST_ID = 100001

CORRECT = {
    "rnn_a_shapes": (
        'def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):\n'
        '    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}\n',
        'def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):\n'
        '    return dict(W_ss=[s_dim, s_dim], W_sx=[s_dim, x_dim], W_o=[p_dim, s_dim])\n',
    ),
    "rnn_a_dloss_dx": (
        "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    return W_sx.T @ W_o.T @ dloss_dz2\n",
        "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n"
        "    return np.dot(np.transpose(W_sx), np.dot(np.transpose(W_o), dloss_dz2))\n",
    ),
    "rnn_b_shapes": (
        'def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):\n'
        '    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}\n',
    ),
    "rnn_b_f2": (
        "def rnn_b_f2(z):\n    e = np.exp(z - np.max(z, axis=0, keepdims=True))\n"
        "    return e / np.sum(e, axis=0, keepdims=True)\n",
        "def rnn_b_f2(z):\n    return np.exp(z) / np.exp(z).sum(axis=0)\n",
    ),
    "rnn_b_next_input": (
        "def rnn_b_next_input(p_t):\n    return p_t\n",
        "def rnn_b_next_input(p_t):\n    return np.array(p_t, dtype=float)\n",
    ),
    "rnn_b_dloss_dx_depends_on": (
        'def rnn_b_dloss_dx_depends_on():\n'
        '    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}\n',
        'def rnn_b_dloss_dx_depends_on():\n'
        '    return collections.OrderedDict(W_ox=1, all_W_ox=1, W_ssx=1, all_W_ssx=0)\n',
    ),
}
WRONG = {
    "rnn_a_shapes": (
        'def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):\n'
        '    return {"W_ss": (s_dim, s_dim), "W_sx": (x_dim, s_dim), "W_o": (s_dim, p_dim)}\n',
    ),
    "rnn_a_dloss_dx": (
        "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    return W_sx @ W_o @ dloss_dz2\n",
        "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    return W_o.T @ W_sx.T @ dloss_dz2\n",
    ),
    "rnn_b_shapes": (
        'def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):\n    return {"W_ssx": (s_dim, s_dim), "W_ox": (p_dim, s_dim)}\n',
    ),
    "rnn_b_f2": (
        "def rnn_b_f2(z):\n    return 1 / (1 + np.exp(-z))\n",
        "def rnn_b_f2(z):\n    return z\n",
    ),
    "rnn_b_next_input": (
        "def rnn_b_next_input(p_t):\n    return np.zeros_like(p_t)\n",
        "def rnn_b_next_input(p_t):\n    x = np.zeros_like(p_t)\n    x[np.argmax(p_t)] = 1\n    return x\n",
    ),
    "rnn_b_dloss_dx_depends_on": (
        'def rnn_b_dloss_dx_depends_on():\n'
        '    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": True}\n',
    ),
}
IMPORT_FAILURES = (
    "import tensorflow as tf  # not on Gradescope's image\n",
    "raise RuntimeError('work in progress')\n",
    "def broken(:\n    pass\n",
)
SLOW = {
    "rnn_a_dloss_dx": (
        "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    return W_sx.T @ W_o.T @ dloss_dz2 * _settle(1.0)\n"
    ),
    "rnn_b_f2": (
        "def rnn_b_f2(z):\n    e = np.exp(z - np.max(z, axis=0, keepdims=True))\n"
        "    return e / np.sum(e, axis=0, keepdims=True) * _settle(1.0)\n"
    ),
}
SETTLE = (
    "def _settle(value):\n    x = value\n    for _ in range(10**6):  # a fixed point, reached slowly\n"
    "        x = 0.5 * (x + value)\n    return x\n"
)
HEADER = "import collections\n\nimport numpy as np\n\n\n"


def loop(function):
    """``function`` as one that never returns."""
    signature = CORRECT[function][0].split("\n", 1)[0]
    return f"{signature}\n    while True:\n        pass\n"


def submission(mix, rng):
    """One submission's source for ``mix``, drawn with the ``random.Random`` ``rng``."""
    if mix == "class" and rng.random() < 0.05:
        return HEADER + rng.choice(IMPORT_FAILURES) + "\n\n" + "\n\n".join(CORRECT[name][0] for name in CORRECT)
    functions = []
    for name, forms in CORRECT.items():
        source = rng.choice(forms)
        if mix == "class":
            if rng.random() < 0.01:
                source = loop(name)
            elif rng.random() < 0.15:
                source = rng.choice(WRONG[name])
        elif mix == "slow":
            source = SLOW.get(name, forms[0])
        functions.append(source)
    extra = [SETTLE] if mix == "slow" else []
    return HEADER + "\n\n".join(extra + functions)


def metadata_entry(key, index):
    """``submission_metadata.yml``'s entry for one submission, with Ruby-symbol keys as
    Gradescope writes them."""
    return (f"{key}:\n  :submitters:\n  - :name: Student {index:05d}\n    :sid: '{index:05d}'\n"
            f"    :email: student{index:05d}@example.edu\n")


def write(mix, count, out, seed=2019):
    """An export of ``count`` submissions of ``mix`` in the new folder ``out``; returns ``out``."""
    if mix not in ("correct", "class", "slow"):
        raise ValueError(f"unknown mix {mix!r}")
    rng = random.Random(f"{mix}-{seed}")
    out = Path(out)
    out.mkdir(parents=True)
    entries = []
    for index in range(count):
        key = f"submission_{FIRST_ID + index}"
        (out / key).mkdir()
        (out / key / MODULE).write_text(submission(mix, rng))
        entries.append(metadata_entry(key, index))
    (out / "submission_metadata.yml").write_text("".join(entries))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mix", choices=("correct", "class", "slow"))
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    write(args.mix, args.count, args.out, args.seed)
    print(f"wrote {args.count} submissions of the {args.mix} mix to {args.out}")


if __name__ == "__main__":
    main()
