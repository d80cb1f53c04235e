#!/usr/bin/env python3
"""Turns compare.sh's results (hyperfine JSON and peak RSS per measurement) into Markdown.

Usage: table.py RESULTS_DIR MACHINE_TXT
"""
import json
import pathlib
import sys

INPUTS = [
    ("corpus", "the whole corpus"),
    ("small", "one small template (process start included)"),
    ("mono1000", "synthetic monorepo, 1,000 templates"),
    ("mono10000", "synthetic monorepo, 10,000 templates"),
]
TOOLS = [
    ("sandtrap", "sandtrap check"),
    ("parse", "parse only (`debug parse`)"),
    ("tree", "load only (`debug parse --tree`)"),
    ("cfn-guard", "cfn-guard, one rule"),
    ("cfn-lint", "cfn-lint"),
]


def read(results, name):
    path = results / f"{name}.json"
    if not path.exists():
        return None
    r = json.loads(path.read_text())["results"][0]
    rss = results / f"{name}.rss"
    # GNU time may write "Command exited with non-zero status N" before the number.
    kb = rss.read_text().strip().splitlines()[-1] if rss.exists() else ""
    return {
        "median": r["median"],
        "min": r.get("min", r["median"]),
        "runs": len(r.get("times", [])),
        "rss_mb": int(kb) / 1024 if kb.isdigit() else None,
    }


def fmt_time(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    results = pathlib.Path(sys.argv[1])
    print("```")
    print(pathlib.Path(sys.argv[2]).read_text().strip())
    print("```")
    print()
    print("| input | tool | median wall | runs | ÷ sandtrap | peak RSS |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for key, label in INPUTS:
        base = read(results, f"{key}.sandtrap")
        for tool, tool_label in TOOLS:
            r = read(results, f"{key}.{tool}")
            if r is None:
                continue
            ratio = f"{r['median'] / base['median']:.2f}×" if base else ""
            rss = f"{r['rss_mb']:.0f} MB" if r["rss_mb"] is not None else ""
            print(f"| {label} | {tool_label} | {fmt_time(r['median'])} | {r['runs']} | {ratio} | {rss} |")
    a, b = read(results, "mono1000.sandtrap"), read(results, "mono10000.sandtrap")
    if a and b and a["rss_mb"] and b["rss_mb"]:
        print()
        print(
            f"Growth 1,000 → 10,000 templates: time ×{b['median'] / a['median']:.1f}, "
            f"peak RSS ×{b['rss_mb'] / a['rss_mb']:.2f} ({a['rss_mb']:.0f} → {b['rss_mb']:.0f} MB)."
        )
    for key in ("corpus", "mono10000"):
        s, p = read(results, f"{key}.sandtrap"), read(results, f"{key}.parse")
        if s and p:
            print(f"{key}: check ÷ parse-only = {s['median'] / p['median']:.2f}.")


if __name__ == "__main__":
    main()
