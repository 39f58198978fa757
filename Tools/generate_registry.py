#!/usr/bin/env python3
"""Writes envs/tasks.json, the D4RL task registry as data, from D4RL's reference scores.

Sources: d4rl/infos.py (REF_MIN_SCORE / REF_MAX_SCORE, copied to Tools/d4rl_reference_scores.json),
d4rl/gym_mujoco/__init__.py (locomotion registrations: max_episode_steps=1000),
d4rl/locomotion/__init__.py (antmaze registrations, see docs/environments.md §6.1).
Run from the repository root: python3 Tools/generate_registry.py
"""
import json, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCORES = os.path.join(ROOT, "Tools", "d4rl_reference_scores.json")

ROBOTS = {"hopper": "hopper", "walker2d": "walker2d", "halfcheetah": "halfcheetah"}
DATASETS = ["random", "medium", "medium-replay", "medium-expert", "expert", "full-replay"]
# D4RL registers full-replay only for v1 and v2 (d4rl/gym_mujoco/__init__.py).
VERSIONS = {"full-replay": ["v1", "v2"]}

# docs/environments.md §6.1: maze map (a key of envs/mazes.json), episode limit; v2 re-draws the goal
# at every reset (D4RL v2_resets=True); v0 and v1 draw one goal per environment instance.
ANTMAZE = {
    "umaze": ("U_MAZE_TEST", 700), "umaze-diverse": ("U_MAZE_TEST", 700),
    "medium-play": ("BIG_MAZE_TEST", 1000), "medium-diverse": ("BIG_MAZE_TEST", 1000),
    "large-play": ("HARDEST_MAZE_TEST", 1000), "large-diverse": ("HARDEST_MAZE_TEST", 1000),
}

def main():
    scores = json.load(open(SCORES))
    tasks = []
    for prefix, robot in ROBOTS.items():
        for dataset in DATASETS:
            for version in VERSIONS.get(dataset, ["v0", "v1", "v2"]):
                task_id = f"{prefix}-{dataset}-{version}"
                ref = scores[task_id]
                tasks.append({"id": task_id, "robot": robot, "dataset": dataset, "version": version,
                              "max_episode_steps": 1000,
                              "ref_min_score": ref["ref_min_score"], "ref_max_score": ref["ref_max_score"]})
    for dataset, (maze, limit) in ANTMAZE.items():
        for version in ["v0", "v1", "v2"]:
            task_id = f"antmaze-{dataset}-{version}"
            # v1 is registered with ref scores passed as kwargs (0, 1), absent from infos.py.
            ref = scores.get(task_id, {"ref_min_score": 0.0, "ref_max_score": 1.0})
            tasks.append({"id": task_id, "robot": "antmaze", "dataset": dataset, "version": version,
                          "max_episode_steps": limit, "maze": maze,
                          "goal_resampled_each_reset": version == "v2",
                          "ref_min_score": ref["ref_min_score"], "ref_max_score": ref["ref_max_score"]})
    out = {"source": "D4RL 89141a6: d4rl/infos.py, d4rl/gym_mujoco/__init__.py, d4rl/locomotion/__init__.py",
           "semantics_version": 1, "tasks": tasks}
    with open(os.path.join(ROOT, "envs", "tasks.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(tasks)} tasks")

main()
