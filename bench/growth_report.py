#!/usr/bin/env python3
"""Turns growth.sh's measurements into its Markdown report.

Usage: growth_report.py RESULTS_DIR

RESULTS_DIR holds NAME.time (one "wall user sys maxrss_kib" line per run, from GNU time),
NAME.cmd (the command), NAME.status (its last exit status), machine.tsv and, when they ran,
lsp.json (lsp-nowatch.json, lsp-off.json), cache.md (bench/cache.sh) and instructions.md
(bench/instructions.sh). Each figure is the median over the runs of that figure alone.
"""
import json
import math
import pathlib
import statistics
import sys

MONO = [1000, 10000, 50000]
JOIN = [1000, 10000]
TERRAFORM = [1000]
TOOLS = [
    ("check", "sandtrap check"),
    ("parse", "parse-only (`debug parse`)"),
    ("tree", "load-only (`debug parse --tree`)"),
    ("guard", "cfn-guard, one rule"),
]
TARGET_JOIN_RATIO = 1.5
TARGET_JOIN_EXPONENT = 1.1
TARGET_MONO_RATIO = 1.3
TARGET_MONO_RSS_MB = 250
TARGET_EDIT_MS = 50
TARGET_EDIT_CPU_MS = 30
TARGET_NO_WATCHER = 1.2
TARGET_ON_SAVE_SHARE = 0.10
TARGET_TERRAFORM_RATIO = 1.5
TARGET_ONE_FILE_INSTRUCTIONS_M = 5
TARGET_ONE_FILE_RSS_MB = 8


def read(results, name):
    path = results / f"{name}.time"
    if not path.exists():
        return None
    runs = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:
            wall, user, system, rss = (float(p) for p in parts)
            runs.append((wall, user + system, rss / 1024))
    if not runs:
        return None
    cmd = results / f"{name}.cmd"
    status = results / f"{name}.status"
    return {
        "wall": statistics.median(r[0] for r in runs),
        "cpu": statistics.median(r[1] for r in runs),
        "rss": statistics.median(r[2] for r in runs),
        "runs": len(runs),
        "cmd": cmd.read_text().strip() if cmd.exists() else "",
        "status": status.read_text().strip() if status.exists() else "?",
    }


def seconds(s):
    return "—" if s is None else f"{s:.2f} s"


def mb(m):
    return "—" if m is None else f"{m:.0f} MB"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def times(r):
    return "—" if r is None else f"{r:.2f}×"


def exponent(v1, v2, n1, n2):
    if v1 is None or v2 is None or v1 <= 0 or v2 <= 0:
        return None
    return math.log(v2 / v1) / math.log(n2 / n1)


def num(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}"


def verdict(ok):
    return "not measured" if ok is None else ("met" if ok else "not met")


def get(m, key):
    return None if m is None else m[key]


def main():
    results = pathlib.Path(sys.argv[1])
    machine = dict(
        line.split("\t", 1) for line in (results / "machine.tsv").read_text().splitlines() if "\t" in line
    )
    inputs = [(f"mono{n}", f"monorepo, {n:,} templates", n) for n in MONO]
    inputs += [(f"join{n}", f"join, {n:,} stacks", n) for n in JOIN]
    inputs += [(f"tf{n}", f"Terraform, {n:,} roots", n) for n in TERRAFORM]
    data = {key: {tool: read(results, f"{key}.{tool}") for tool, _ in TOOLS} for key, _, _ in inputs}
    instructions_path = results / "instructions.md"
    instructions = instructions_path.read_text() if instructions_path.exists() else None
    lsp_path = results / "lsp.json"
    lsp = json.loads(lsp_path.read_text()) if lsp_path.exists() else None

    print("# sandtrap growth")
    print()
    print("```")
    print(f"{machine['uname']}; {machine['cores']} cores ({machine['cpu']}); {machine['memory']}")
    print(f"load average before {machine['load_before']}, after {machine['load_after']}")
    print(f"{machine['sandtrap']}; {machine['cfn_guard']}")
    print(f"$ {machine['command']}")
    print(f"settings: {machine['settings']}")
    print("```")
    print()
    print(f"GNU time (`/usr/bin/time -f '%e %U %S %M'`), median of {machine['runs']} runs of each "
          f"command (one run for a command whose first run took over {machine['slow_seconds']} s); "
          "CPU is user + system; peak RSS is the maximum resident set size, in MiB. Exit statuses "
          "are ignored (findings make them non-zero). Ratios are of CPU time. GNU time reports "
          "hundredths of a second, so figures under 0.1 s (and their ratios) are coarse.")
    print()

    for key, title, _ in inputs:
        d = data[key]
        if d["check"] is None:
            continue
        print(f"## {title}")
        print()
        print("| | " + " | ".join(label for tool, label in TOOLS if d[tool]) + " |")
        print("| --- |" + " ---: |" * sum(1 for tool, _ in TOOLS if d[tool]))
        shown = [tool for tool, _ in TOOLS if d[tool]]
        print("| wall | " + " | ".join(seconds(d[t]["wall"]) for t in shown) + " |")
        print("| CPU | " + " | ".join(seconds(d[t]["cpu"]) for t in shown) + " |")
        print("| CPU ÷ check | " + " | ".join(times(ratio(d[t]["cpu"], d["check"]["cpu"])) for t in shown) + " |")
        print("| peak RSS | " + " | ".join(mb(d[t]["rss"]) for t in shown) + " |")
        print("| runs | " + " | ".join(str(d[t]["runs"]) for t in shown) + " |")
        print()
        print(f"check ÷ parse-only (CPU) {times(ratio(get(d['check'], 'cpu'), get(d['parse'], 'cpu')))}, "
              f"check ÷ load-only {times(ratio(get(d['check'], 'cpu'), get(d['tree'], 'cpu')))}, "
              f"cfn-guard ÷ check {times(ratio(get(d['guard'], 'cpu'), get(d['check'], 'cpu')))}.")
        print()
        print("```")
        for t in shown:
            print(f"$ {d[t]['cmd']}    # exit status {d[t]['status']}")
        print("```")
        print()

    print("## Summary")
    print()
    print("| input | check wall | check CPU | parse-only CPU | load-only CPU | check ÷ parse-only | "
          "check ÷ load-only | cfn-guard CPU | cfn-guard ÷ check | peak RSS: check / parse / load / cfn-guard |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, title, _ in inputs:
        d = data[key]
        if d["check"] is None:
            continue
        c = d["check"]
        print(f"| {title} | {seconds(c['wall'])} | {seconds(c['cpu'])} | {seconds(get(d['parse'], 'cpu'))} | "
              f"{seconds(get(d['tree'], 'cpu'))} | {times(ratio(c['cpu'], get(d['parse'], 'cpu')))} | "
              f"{times(ratio(c['cpu'], get(d['tree'], 'cpu')))} | {seconds(get(d['guard'], 'cpu'))} | "
              f"{times(ratio(get(d['guard'], 'cpu'), c['cpu']))} | "
              + " / ".join(mb(get(d[t], "rss")) for t, _ in TOOLS) + " |")
    print()

    print("## Growth exponents")
    print()
    print("exponent = log(v₂ / v₁) / log(n₂ / n₁) for n templates: 1 is linear, 2 quadratic.")
    print()
    steps = [("mono", 1000, 10000), ("mono", 10000, 50000), ("join", 1000, 10000)]
    print("| step | " + " | ".join(f"{label.split(' (')[0]} CPU" for _, label in TOOLS)
          + " | " + " | ".join(f"{label.split(' (')[0]} RSS" for _, label in TOOLS) + " |")
    print("| --- |" + " ---: |" * (2 * len(TOOLS)))
    exponents = {}
    for kind, n1, n2 in steps:
        a, b = data[f"{kind}{n1}"], data[f"{kind}{n2}"]
        cpu = [exponent(get(a[t], "cpu"), get(b[t], "cpu"), n1, n2) for t, _ in TOOLS]
        rss = [exponent(get(a[t], "rss"), get(b[t], "rss"), n1, n2) for t, _ in TOOLS]
        exponents[(kind, n1, n2)] = cpu[0]
        name = "monorepo" if kind == "mono" else "join"
        print(f"| {name} {n1:,} → {n2:,} | " + " | ".join(num(e) for e in cpu) + " | "
              + " | ".join(num(e) for e in rss) + " |")
    print()

    if lsp:
        first = lsp["first"]
        check_wall = get(data["mono10000"]["check"], "wall")
        print("## Language server, 10,000-template workspace")
        print()
        print(f"`sandtrap lsp` over stdio with `{lsp['workspace']}` as the workspace (rootUri and "
              f"workspaceFolders), the client offering file watching as VS Code and neovim do "
              f"(the server then trusts it to report every change on disk); {first['files']:,} files analyzed. Edits: `{lsp['edited']}` opened, "
              f"then {lsp['edits']} full-text changes (a trailing comment), each timed from `didChange` "
              "to the `publishDiagnostics` of that file with the edit's version; the server's own "
              "figure is its log line \"analyzed N files in X ms\".")
        print()
        print("| | measured |")
        print("| --- | ---: |")
        of = f"median of {first.get('starts', 1)} server starts"
        print(f"| first analysis, process start → its log line ({of}) | {first['from_start_ms']:.0f} ms |")
        print(f"| first analysis, `initialized` → its log line ({of}) | {first['from_initialized_ms']:.0f} ms |")
        print(f"| first analysis, server log ({of}) | {first['server_ms']:.0f} ms |")
        print(f"| `sandtrap check --format json` wall on the same directory (median of "
              f"{get(data['mono10000']['check'], 'runs')}) | "
              f"{'—' if check_wall is None else f'{check_wall * 1000:.0f} ms'} |")
        print(f"| analysis after `didOpen`, server log | {lsp['open_analysis_ms']:.0f} ms |")
        print(f"| edit → diagnostics, median of {lsp['edits']} (debounce {lsp['debounce_ms']:g} ms included) | "
              f"{lsp['edit_median_ms']:.0f} ms |")
        print(f"| edit → diagnostics, max | {lsp['edit_max_ms']:.0f} ms |")
        print(f"| edit → diagnostics, median without the debounce | {lsp['edit_median_without_debounce_ms']:.0f} ms |")
        print(f"| analysis per edit, server log, median | {lsp['edit_analysis_median_ms']:.0f} ms |")
        if lsp.get("edit_cpu_median_ms") is not None:
            print(f"| server CPU per edit (all threads), median | {lsp['edit_cpu_median_ms']:.1f} ms |")
        if lsp.get("peak_rss_kib"):
            print(f"| server peak RSS (VmHWM) | {lsp['peak_rss_kib'] / 1024:.0f} MB |")
        for name, label in (
            ("lsp-nowatch.json", "a client without a file watcher (the server's own)"),
            ("lsp-off.json", "no watcher (`fileWatcher: off`: every file looked at on every run)"),
        ):
            if (results / name).exists():
                blind = json.loads((results / name).read_text())
                print(f"| {label}: edit → diagnostics, median | {blind['edit_median_ms']:.0f} ms |")
                print(f"| {label}: analysis per edit, server log, median | "
                      f"{blind['edit_analysis_median_ms']:.0f} ms |")
                if blind.get("edit_cpu_median_ms") is not None:
                    print(f"| {label}: server CPU per edit, median | {blind['edit_cpu_median_ms']:.1f} ms |")
        print()
        print("```")
        print(f"$ {(results / 'lsp.cmd').read_text().strip() if (results / 'lsp.cmd').exists() else ''}")
        print("```")
        print()

    cache_path = results / "cache.md"
    cache = cache_path.read_text() if cache_path.exists() else None
    if cache:
        print("## The analysis cache and the on-save run")
        print()
        print("`bench/cache.sh` on the 10,000-template monorepo: each run's CPU (user + system, GNU "
              "time) and instructions (callgrind) as a share of a full check without the cache.")
        print()
        print(cache.strip())
        print()

    if instructions:
        print("## Instructions")
        print()
        print("`bench/instructions.sh`: instructions executed under `valgrind --tool=callgrind` (all "
              "threads), independent of the machine's load; peak RSS from GNU time, outside valgrind.")
        print()
        print(instructions.strip())
        print()

    print("## Targets")
    print()
    j = data["join10000"]
    m = data["mono50000"]
    join_ratio = ratio(get(j["check"], "cpu"), get(j["parse"], "cpu"))
    join_load = ratio(get(j["check"], "cpu"), get(j["tree"], "cpu"))
    join_exp = exponents.get(("join", 1000, 10000))
    mono_ratio = ratio(get(m["check"], "cpu"), get(m["parse"], "cpu"))
    mono_load = ratio(get(m["check"], "cpu"), get(m["tree"], "cpu"))
    mono_rss = get(m["check"], "rss")
    rows = [
        (f"10,000 join stacks: check ÷ parse-only (CPU) ≤ {TARGET_JOIN_RATIO}",
         f"{times(join_ratio)} (check ÷ load-only {times(join_load)})",
         None if join_ratio is None else join_ratio <= TARGET_JOIN_RATIO),
        (f"join 1,000 → 10,000: CPU exponent ≤ {TARGET_JOIN_EXPONENT}", num(join_exp),
         None if join_exp is None else join_exp <= TARGET_JOIN_EXPONENT),
        (f"50,000-template monorepo: check ÷ parse-only (CPU) ≤ {TARGET_MONO_RATIO}",
         f"{times(mono_ratio)} (check ÷ load-only {times(mono_load)})",
         None if mono_ratio is None else mono_ratio <= TARGET_MONO_RATIO),
        (f"50,000-template monorepo: peak RSS ≤ {TARGET_MONO_RSS_MB} MB", mb(mono_rss),
         None if mono_rss is None else mono_rss <= TARGET_MONO_RSS_MB),
    ]
    t, m1 = data["tf1000"], data["mono1000"]
    tf_ratio = ratio(get(t["check"], "cpu"), get(m1["check"], "cpu"))
    rows.append((f"1,000 Terraform roots: check CPU ≤ {TARGET_TERRAFORM_RATIO}× that of 1,000 templates",
                 f"{times(tf_ratio)} ({seconds(get(t['check'], 'cpu'))} vs {seconds(get(m1['check'], 'cpu'))})",
                 None if tf_ratio is None else tf_ratio <= TARGET_TERRAFORM_RATIO))
    one = one_file(instructions)
    if one:
        ir_m, rss_mb = one
        rows += [
            (f"one-file check: ≤ {TARGET_ONE_FILE_INSTRUCTIONS_M} M instructions", f"{ir_m:.1f} M",
             ir_m <= TARGET_ONE_FILE_INSTRUCTIONS_M),
            (f"one-file check: peak RSS ≤ {TARGET_ONE_FILE_RSS_MB} MB", f"{rss_mb:.1f} MB",
             rss_mb <= TARGET_ONE_FILE_RSS_MB),
        ]
    on_save = cache_share(cache)
    if on_save:
        cpu_share, instruction_share = on_save
        rows.append((f"`--project-root`, one file changed: ≤ {TARGET_ON_SAVE_SHARE:.0%} of a full check's CPU",
                     f"{cpu_share:.1%} (instructions: {'—' if instruction_share is None else f'{instruction_share:.1%}'})",
                     cpu_share <= TARGET_ON_SAVE_SHARE))
    else:
        rows.append(("`--project-root`, one file changed", "not run (CACHE=0)", None))
    if lsp:
        budget = TARGET_EDIT_MS + lsp["debounce_ms"]
        cpu = lsp.get("edit_cpu_median_ms")
        rows.append((f"LSP server CPU per edit ≤ {TARGET_EDIT_CPU_MS} ms, median of {lsp['edits']}",
                     "—" if cpu is None else f"{cpu:.1f} ms", None if cpu is None else cpu <= TARGET_EDIT_CPU_MS))
        blind_path = results / "lsp-nowatch.json"
        if blind_path.exists():
            blind = json.loads(blind_path.read_text())
            blind_cpu = blind.get("edit_cpu_median_ms")
            rows += [
                (f"LSP without a client watcher: server CPU per edit ≤ {TARGET_NO_WATCHER}× "
                 f"{TARGET_EDIT_CPU_MS} ms", "—" if blind_cpu is None else f"{blind_cpu:.1f} ms",
                 None if blind_cpu is None else blind_cpu <= TARGET_NO_WATCHER * TARGET_EDIT_CPU_MS),
                (f"LSP without a client watcher: edit → diagnostics ≤ {TARGET_NO_WATCHER}× {budget:g} ms",
                 f"{blind['edit_median_ms']:.0f} ms", blind["edit_median_ms"] <= TARGET_NO_WATCHER * budget),
            ]
        check_wall = get(data["mono10000"]["check"], "wall")
        first_ms = lsp["first"]["from_start_ms"]
        rows += [
            (f"LSP edit → diagnostics < {TARGET_EDIT_MS} ms + debounce ({budget:g} ms), median of {lsp['edits']}",
             f"{lsp['edit_median_ms']:.0f} ms", lsp["edit_median_ms"] < budget),
            ("LSP first analysis of 10,000 templates (process start → its log line) ≤ check wall",
             f"{first_ms:.0f} ms vs {'—' if check_wall is None else f'{check_wall * 1000:.0f} ms'}",
             None if check_wall is None else first_ms <= check_wall * 1000),
        ]
    else:
        rows += [("LSP edit → diagnostics, first analysis", "not run (LSP=0)", None)]
    print("| target | measured | |")
    print("| --- | --- | --- |")
    for target, measured, ok in rows:
        print(f"| {target} | {measured} | {verdict(ok)} |")


def cache_share(cache):
    """(CPU share, instruction share or None) of the on-save run in cache.md, of a full check."""
    rows = {}
    for line in (cache or "").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in ("full", "on-save"):
            rows[cells[0]] = cells
    if "full" not in rows or "on-save" not in rows:
        return None
    try:
        cpu = float(rows["on-save"][1].split()[0]) / float(rows["full"][1].split()[0])
    except (ValueError, ZeroDivisionError, IndexError):
        return None
    try:
        instructions = float(rows["on-save"][4].split()[0]) / float(rows["full"][4].split()[0])
    except (ValueError, ZeroDivisionError, IndexError):
        instructions = None
    return cpu, instructions


def one_file(instructions):
    """(millions of instructions, peak RSS in MB) of the one-file check in instructions.md."""
    for line in (instructions or "").splitlines():
        if line.startswith("| one file"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            try:
                return float(cells[2].split()[0]), float(cells[5].split()[0])
            except (IndexError, ValueError):
                return None
    return None


if __name__ == "__main__":
    main()
