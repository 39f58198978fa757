#!/usr/bin/env python3
"""Steps per second of D4RL's own pen environment (`PenEnvV0`) on the official mujoco 2.3.7
bindings, for the comparison with edp-eval's pen in docs/tasks.md "Adroit pen" (`edp-bench environments --robots pen`).

The same workload as edp-bench: uniform random actions in [-1, 1) (NumPy default_rng(99)), seed 1,
a reset when the episode ends (drop) or reaches 100 steps; three repetitions, median reported.
D4RL is imported as in Tools/fixtures/generate_pen_model.py (same requirements and arguments).

  python Tools/d4rl_pen_speed.py D4RL_SRC MJRL_SRC [STEPS]
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
from generate_pen_model import import_pen_env  # noqa: E402
import numpy as np  # noqa: E402


def main():
    env = import_pen_env(sys.argv[1], sys.argv[2])()
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    actions = np.random.default_rng(99).uniform(-1, 1, (steps, env.model.nu))
    rates = []
    for _ in range(3):
        env.seed(1)
        env.reset()
        t = 0
        start = time.perf_counter()
        for action in actions:
            _, _, done, _ = env.step(action)
            t += 1
            if done or t >= 100:
                env.reset()
                t = 0
        rates.append(steps / (time.perf_counter() - start))
    print("D4RL PenEnvV0 steps/s:", [round(r) for r in rates], "median", round(sorted(rates)[1]))


if __name__ == "__main__":
    main()
