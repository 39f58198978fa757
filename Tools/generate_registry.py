#!/usr/bin/env python3
"""Writes envs/tasks.json, the D4RL task registry as data, from one file per robot.

Each robot's registry facts live in Tools/registry/<robot>.json (its Swift side is the robot's
RobotDescriptor in Sources/Environments/):
  robot                     the "robot" field of its tasks (= the descriptor's `robot`)
  order                     position of its tasks in tasks.json (ascending)
  registration              the D4RL file that registers its ids (cited in tasks.json "source")
  max_episode_steps         time limit of every dataset, unless a dataset gives its own
  datasets                  [{name, versions, max_episode_steps?, fields?, reference_scores?}]:
                            ids are "<robot>-<name>-<version>"; `fields` are copied into each task
  version_fields            {version: {field: value}} copied into each task of that version
  default_reference_scores  {ref_min_score, ref_max_score} for ids absent from the scores table
  gym_tasks                 [{id, version, max_episode_steps, registration, action_mapping, note?}]:
                            gym's own ids for the robot (e.g. Hopper-v3, registered in gym 0.23.1's
                            gym/envs/__init__.py), listed after its D4RL ids; no dataset and no
                            reference scores (no normalized score); action_mapping "raw" = no
                            NormalizedBoxEnv (Sources/Environments/TaskRegistry.swift, ActionMapping)
Reference scores: d4rl/infos.py (REF_MIN_SCORE / REF_MAX_SCORE), copied to
Tools/d4rl_reference_scores.json; a dataset's own `reference_scores` take precedence.
Run from anywhere: python3 Tools/generate_registry.py
"""
import glob, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCORES = os.path.join(ROOT, "Tools", "d4rl_reference_scores.json")
ROBOTS = os.path.join(ROOT, "Tools", "registry")
# EDP paper (Kang et al. 2023) Section 5.1 and Figure 2: sampling speed is measured on this task.
EDP_SPEED_PROTOCOL_TASK = "walker2d-medium-expert-v2"
# Environment semantics version (reports, logs and merges refuse to mix versions):
# 1 first release; 2 actions stepped in the policy's dtype through NormalizedBoxEnv's exact
# NumPy formula (docs/environments.md §1.3) and gym's -v3 ids.
SEMANTICS_VERSION = 2


def fail(path, field, expected):
    sys.exit(f"{path}: {field}: expected {expected}")


def tasks_of(path, robot, scores):
    for key in ("robot", "order", "registration", "datasets"):
        if key not in robot:
            fail(path, key, "a value (see the field list in Tools/generate_registry.py)")
    for dataset in robot["datasets"]:
        limit = dataset.get("max_episode_steps", robot.get("max_episode_steps"))
        if not isinstance(limit, int) or limit < 1:
            fail(path, f"datasets[{dataset.get('name')}].max_episode_steps", "a positive integer (here or robot-wide)")
        for version in dataset["versions"]:
            task_id = f"{robot['robot']}-{dataset['name']}-{version}"
            ref = dataset.get("reference_scores") or scores.get(task_id) or robot.get("default_reference_scores")
            if ref is None:
                fail(path, task_id, f"reference scores in {SCORES} or default_reference_scores")
            task = {"id": task_id, "robot": robot["robot"], "dataset": dataset["name"], "version": version,
                    "max_episode_steps": limit}
            task.update(dataset.get("fields", {}))
            task.update(robot.get("version_fields", {}).get(version, {}))
            task["ref_min_score"] = ref["ref_min_score"]
            task["ref_max_score"] = ref["ref_max_score"]
            yield task
    for i, entry in enumerate(robot.get("gym_tasks", [])):
        for key in ("id", "version", "max_episode_steps", "registration", "action_mapping"):
            if key not in entry:
                fail(path, f"gym_tasks[{i}].{key}", "a value (see the field list in Tools/generate_registry.py)")
        if entry["action_mapping"] not in ("raw", "normalized_box"):
            fail(path, f"gym_tasks[{i}].action_mapping", '"raw" or "normalized_box"')
        yield {"id": entry["id"], "robot": robot["robot"], "version": entry["version"],
               "max_episode_steps": entry["max_episode_steps"], "action_mapping": entry["action_mapping"]}


def main():
    scores = json.load(open(SCORES))
    robots = []
    for path in sorted(glob.glob(os.path.join(ROBOTS, "*.json"))):
        robots.append((path, json.load(open(path))))
    robots.sort(key=lambda item: (item[1].get("order", 0), item[1].get("robot", "")))
    tasks, registrations = [], []
    for path, robot in robots:
        tasks.extend(tasks_of(path, robot, scores))
        for registration in [robot["registration"]] + [t["registration"] for t in robot.get("gym_tasks", [])]:
            if registration not in registrations:
                registrations.append(registration)
    ids = [task["id"] for task in tasks]
    if len(set(ids)) != len(ids):
        sys.exit(f"{ROBOTS}: a task id is produced twice")
    if EDP_SPEED_PROTOCOL_TASK not in ids:
        sys.exit(f"{ROBOTS}: the EDP speed protocol task {EDP_SPEED_PROTOCOL_TASK} is not registered")
    out = {"source": "D4RL 89141a6: d4rl/infos.py, " + ", ".join(registrations),
           "semantics_version": SEMANTICS_VERSION, "edp_speed_protocol_task": EDP_SPEED_PROTOCOL_TASK, "tasks": tasks}
    with open(os.path.join(ROOT, "envs", "tasks.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(tasks)} tasks")


main()
