#!/usr/bin/env python3
"""Compares what two builds of edp-eval wrote for the same example command lines.

Each build runs the documented examples through `ExampleCommandLineTests` with
`EDP_EVAL_KEEP_EXAMPLES=DIR`, which keeps every example's folder, command line and printed output
under `DIR/<hash of the line>/`. The baseline build runs twice: whatever differs between its two
runs (wall-clock times, steps per second, dates, process ids) is volatile and is not compared;
everything else must be identical in the candidate's run:

- JSON and JSON-lines files are compared value by value (a leaf is volatile when the two baseline
  runs disagree on it);
- other text files token by token, numbers being tokens (the same rule), with runs of spaces and
  of table-rule dashes counted as one (a printed table's column widths follow its widest value);
- measured times and speeds (JSON fields named like `timing`, `seconds`, `sps`; numbers on printed
  lines with SPS, seconds, GFLOP/s, ETA) are volatile even when the baseline runs agree by chance;
- binary files (PNG, MP4, PDF) byte for byte (a PDF without its creation date); one whose two
  baseline runs differ is reported as volatile and not compared.

The example's own folder and the repository root appear in outputs as absolute paths, and
wall-clock timestamps (ISO 8601) in some; all are replaced by placeholders before comparing.

Usage: compare_example_outputs.py BASELINE_RUN_1 BASELINE_RUN_2 CANDIDATE_RUN
Exit status 0 when every example of the baseline has identical non-volatile outputs in the
candidate, 1 otherwise.
"""
import json
import os
import re
import sys

BINARY_SUFFIXES = {".png", ".mp4", ".pdf", ".hdf5", ".npz", ".pkl", ".pth", ".zip", ".safetensors"}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
# JSON fields and printed lines that hold measured times and speeds (their numbers are volatile).
TIMING_KEY = re.compile(r"(?i)timing|seconds|sps|gflop|elapsed|wall|started|finished|date")
TIMING_LINE = re.compile(r"SPS|seconds|GFLOP/s|steps/s|ETA| s\b|ms\b")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
TOKEN = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[^\d-]+|-")


def run_record(folder):
    """The example's line and the absolute paths to replace, from example-command.txt."""
    fields = {}
    with open(os.path.join(folder, "example-command.txt"), encoding="utf-8") as handle:
        for line in handle:
            key, _, value = line.rstrip("\n").partition(": ")
            fields[key] = value
    return fields


def normalize(text, record):
    for key, placeholder in (("folder", "<FOLDER>"), ("root", "<ROOT>")):
        if record.get(key):
            text = text.replace(record[key], placeholder)
    # Wall-clock timestamps (ISO 8601, e.g. the HTML report's "Generated 2026-12-05T00:36:47Z"):
    # two baseline runs in the same hour agree on most of their digits by chance.
    return ISO_TIMESTAMP.sub("<TIMESTAMP>", text)


def undated(raw):
    """The bytes without a PDF's creation and modification dates (cairo writes the wall clock)."""
    return re.sub(rb"/(CreationDate|ModDate) \(D:[0-9Z+'-]+\)", rb"/\1 (D:<TIMESTAMP>)", raw)


def leaves(value, prefix=""):
    if isinstance(value, dict):
        out = {prefix + "{}": len(value)}
        for key, item in value.items():
            out.update(leaves(item, f"{prefix}.{key}"))
        return out
    if isinstance(value, list):
        out = {prefix + "[]": len(value)}
        for index, item in enumerate(value):
            out.update(leaves(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def json_leaves(text):
    stripped = text.strip()
    try:
        return leaves(json.loads(stripped))
    except json.JSONDecodeError:
        out = {}
        for number, line in enumerate(stripped.splitlines()):
            out.update(leaves(json.loads(line), f"line{number}"))
        return out


def text_tokens(text):
    out = {}
    for number, line in enumerate(text.splitlines()):
        # Column widths of printed tables follow the widest value (a volatile SPS can widen one):
        # runs of spaces and of rule dashes count as one.
        tokens = TOKEN.findall(re.sub(r"-{3,}", "---", re.sub(r" {2,}", "  ", line)))
        out[f"line{number}#"] = len(tokens)
        timing = "timing" if TIMING_LINE.search(line) else ""
        for index, token in enumerate(tokens):
            number_token = NUMBER.fullmatch(token) is not None
            out[f"line{number}:{index}{timing if number_token else ''}"] = token
    out["lines"] = len(text.splitlines())
    return out


def compare_maps(a1, a2, b):
    """(compared, volatile keys, mismatching keys) for three leaf maps."""
    volatile = {key for key in set(a1) | set(a2) if a1.get(key, None) != a2.get(key, None)}
    # Measured speeds and durations may agree by chance in the two baseline runs ("0.2 s"): the
    # numbers of a timing field or line are volatile whatever the runs say.
    volatile |= {key for key in set(a1) | set(b) if TIMING_KEY.search(key)}
    # A line whose token count differs between the baseline runs is volatile as a whole.
    volatile_lines = {key.split("#")[0] for key in volatile if key.endswith("#")}
    volatile |= {key for key in set(a1) | set(b) if key.split(":")[0] in volatile_lines}
    mismatches = sorted(key for key in set(a1) | set(b) if key not in volatile and a1.get(key, None) != b.get(key, None))
    return len(set(a1) - volatile), volatile, mismatches


def files_below(folder):
    out = []
    for base, _, names in os.walk(folder):
        for name in names:
            path = os.path.relpath(os.path.join(base, name), folder)
            if not name.endswith(".lock"):
                out.append(path)
    return sorted(out)


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[-4], file=sys.stderr)
        print("usage: compare_example_outputs.py BASELINE_RUN_1 BASELINE_RUN_2 CANDIDATE_RUN", file=sys.stderr)
        return 2
    base1, base2, candidate = argv[1:]
    examples = sorted(os.listdir(base1))
    problems, compared_files, compared_values, volatile_names, volatile_binaries = [], 0, 0, set(), set()
    for example in examples:
        d1, d2, db = (os.path.join(root, example) for root in (base1, base2, candidate))
        r1 = run_record(d1)
        line = r1.get("line", example)
        if not os.path.isdir(db):
            problems.append(f"{line}: the candidate did not run this example")
            continue
        r2, rb = run_record(d2), run_record(db)
        files1, filesb = files_below(d1), files_below(db)
        if files1 != filesb:
            problems.append(f"{line}: files differ: only baseline {sorted(set(files1) - set(filesb))}, "
                            f"only candidate {sorted(set(filesb) - set(files1))}")
        for relative in sorted(set(files1) & set(filesb)):
            p1, p2, pb = (os.path.join(d, relative) for d in (d1, d2, db))
            compared_files += 1
            suffix = os.path.splitext(relative)[1].lower()
            raw1, rawb = undated(open(p1, "rb").read()), undated(open(pb, "rb").read())
            raw2 = undated(open(p2, "rb").read()) if os.path.exists(p2) else None
            if suffix in BINARY_SUFFIXES:
                if raw2 is not None and raw1 != raw2:
                    volatile_binaries.add(relative)
                elif raw1 != rawb:
                    problems.append(f"{line}: {relative}: bytes differ ({len(raw1)} vs {len(rawb)} bytes)")
                continue
            t1, tb = normalize(raw1.decode("utf-8", "replace"), r1), normalize(rawb.decode("utf-8", "replace"), rb)
            t2 = normalize(raw2.decode("utf-8", "replace"), r2) if raw2 is not None else t1
            if relative == "example-command.txt":
                t1, t2, tb = (re.sub(r"(?m)^(folder|root): .*$", "", t) for t in (t1, t2, tb))
            parse = json_leaves if suffix in (".json", ".jsonl") else text_tokens
            try:
                m1, m2, mb = parse(t1), parse(t2), parse(tb)
            except (json.JSONDecodeError, ValueError):
                m1, m2, mb = text_tokens(t1), text_tokens(t2), text_tokens(tb)
            count, volatile, mismatches = compare_maps(m1, m2, mb)
            compared_values += count
            volatile_names |= {f"{os.path.basename(relative)} {key}" for key in volatile}
            for key in mismatches[:5]:
                problems.append(f"{line}: {relative} {key}: baseline {m1.get(key)!r}, candidate {mb.get(key)!r}")
            if len(mismatches) > 5:
                problems.append(f"{line}: {relative}: {len(mismatches) - 5} more differences")
    extra = sorted(set(os.listdir(candidate)) - set(examples))
    print(f"examples: {len(examples)} compared; files: {compared_files}; values and tokens compared: {compared_values}; "
          f"volatile (differ between the baseline's two runs, or times and speeds; not compared): {len(volatile_names)} values, "
          f"{len(volatile_binaries)} binary files {sorted(volatile_binaries)}; candidate-only examples: {len(extra)}")
    for problem in problems:
        print("DIFFERENT:", problem)
    print("identical" if not problems else f"{len(problems)} differences")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
