#!/usr/bin/python3
"""The straightforward pandas reference for the aggregate-speed benchmark.

Computes pyimport-aggregate's overall table (per configuration: runs, median,
mean, sd, min, max of the overall time, first release to last exit over the
nodes of a job step) from a directory tree of records, the way one would write
it by hand: json.load every file, one DataFrame, two groupbys.
usage: aggregate_pandas.py DIR  (prints the table as CSV)
"""
import json
import os
import sys

import pandas as pd


def main(root):
    rows = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or not name.endswith(".json"):
                continue
            path = os.path.join(dirpath, name)
            with open(path) as f:
                r = json.load(f)
            job, run, gaggle = r["job"], r["run"], r["gaggle"]
            rows.append({
                # job id 0: not run under Slurm, each file is its own run
                "run": f"{job['cluster']}/{job['id']}.{job['step']}" if job["id"] else path,
                "mode": run["mode"],
                "nodes": job["node_count"],
                "gaggle": run["gaggle_size"],
                "modules": ",".join(run["modules"]),
                "label": run["label"] or "",
                "release": gaggle["release_unix_ns"],
                "last_exit": gaggle["last_exit_unix_ns"],
            })
    df = pd.DataFrame(rows)
    config = ["mode", "nodes", "gaggle", "modules", "label"]
    runs = df.groupby(["run"] + config).agg(start=("release", "min"), end=("last_exit", "max")).reset_index()
    runs["overall_s"] = (runs["end"] - runs["start"]) / 1e9
    table = runs.groupby(config)["overall_s"].agg(["count", "median", "mean", "std", "min", "max"]).reset_index()
    table["interpreters"] = table["nodes"] * table["gaggle"]
    table = table.rename(columns={"count": "runs", "std": "sd"})
    table[["mode", "nodes", "gaggle", "interpreters", "runs", "median", "mean", "sd", "min", "max"]].to_csv(
        sys.stdout, index=False, float_format="%.3f")


if __name__ == "__main__":
    main(sys.argv[1])
