"""Steps per second of D4RL's own kitchen environment (for the speed comparison in docs/bench.md "Performance").

Runs `kitchen-complete-v0` from D4RL's source (adept_envs on dm_control 1.0.14, official mujoco
2.3.7 bindings, gym 0.23.1) with uniform random actions in [-1, 1], single thread, resetting on
done, and prints environment steps per second (best of ROUNDS rounds of STEPS steps, reset time
included). Compare with `edp-bench environments --robot kitchen` (ours) run on the same machine.

Usage: python Tools/bench/d4rl_kitchen_speed.py D4RL_SRC [STEPS] [ROUNDS]
  D4RL_SRC: a D4RL 1.1 source tree (e.g. the unpacked wheel; on Python >= 3.10 its kitchen code
  needs `collections.Mapping` replaced by `collections.abc.Mapping`).
"""
import os
import sys
import time

os.environ.setdefault("MUJOCO_GL", "disable")
os.environ["D4RL_SUPPRESS_IMPORT_ERROR"] = "1"
sys.path.insert(0, sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3

import gym
import numpy as np
import d4rl.kitchen  # noqa: F401  (registers kitchen-*-v0)

env = gym.make("kitchen-complete-v0")
env.unwrapped.seed(0)
rng = np.random.default_rng(0)
best = 0.0
for _ in range(rounds):
    env.reset()
    start = time.perf_counter()
    for _ in range(steps):
        _, _, done, _ = env.step(rng.uniform(-1, 1, 9))
        if done:
            env.reset()
    best = max(best, steps / (time.perf_counter() - start))
print(f"D4RL kitchen-complete-v0: {best:.1f} steps/s (best of {rounds} x {steps} steps)")
