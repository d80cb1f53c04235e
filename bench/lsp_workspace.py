#!/usr/bin/env python3
"""`sandtrap lsp` on a whole workspace: the first analysis, then edit -> diagnostics latency.

Usage: lsp_workspace.py BINARY DIR [--starts N] [--edits N] [--debounce-ms MS]
                        [--watcher client|server|off] [--json OUT] [--callgrind OUT]

Drives the real binary over stdio with DIR as the workspace (rootUri and workspaceFolders of
`initialize`), as an editor does when a repository is opened:

- first analysis: from `initialized` (which starts the workspace run) until the server logs
  "analyzed N files in X ms" for that run; also from process start, to set beside the wall
  time of `sandtrap check DIR`, which includes its own start; the median over N fresh
  servers with --starts N (default 1);
- edits: one template of the workspace that has diagnostics is opened, then changed N times
  (full text, a trailing comment that changes no finding); each sample is the time from
  `didChange` to the `publishDiagnostics` of that file carrying the edit's version. That
  includes the server's debounce (the delay that coalesces typing, 200 ms unless
  --debounce-ms says otherwise); the figure without it is reported beside.

The server's own analysis times (its log line, on standard error or as window/logMessage) are
reported too, with the CPU its threads used for each edit (from `didChange` to the edit's log
line, Linux's per-thread schedstat; the mean over all edits from the process's own counters
beside it), and its peak RSS (VmHWM) before it exits. Prints a short summary; --json writes
every figure for a report.
"""
import argparse
import json
import os
import pathlib
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ANALYZED = re.compile(r"analyzed (\d+) files in ([\d.]+) ms")
TIMEOUT = 600  # seconds: the first analysis of a large workspace on a loaded machine


class Server:
    def __init__(self, binary, wrapper=()):
        self.started = time.perf_counter()
        self.lock = threading.Lock()
        self.proc = subprocess.Popen([*wrapper, binary, "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.logs = queue.Queue()  # (time, files, ms)
        threading.Thread(target=self._read_messages, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _log_line(self, at, text):
        m = ANALYZED.search(text)
        if m:
            self.logs.put((at, int(m.group(1)), float(m.group(2))))

    def _read_messages(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = out.read(length)
            at = time.perf_counter()
            msg = json.loads(body)
            if msg.get("method") == "window/logMessage":
                self._log_line(at, msg.get("params", {}).get("message", ""))
            if msg.get("method") == "client/registerCapability" and "id" in msg:
                # As an editor does: accept the server's file watcher registration.
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            self.messages.put((at, msg))

    def _read_stderr(self):
        for line in self.proc.stderr:
            self._log_line(time.perf_counter(), line.decode("utf-8", "replace"))

    def send(self, msg):
        body = json.dumps(msg).encode()
        with self.lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def next_message(self, deadline):
        return self.messages.get(timeout=max(0.001, deadline - time.perf_counter()))

    def next_log(self, timeout=TIMEOUT):
        return self.logs.get(timeout=timeout)

    def cpu_ns(self):
        """CPU time the server's threads have used so far, in nanoseconds (the first field of
        each thread's schedstat), or None where /proc does not say."""
        total = 0
        try:
            for task in pathlib.Path(f"/proc/{self.proc.pid}/task").iterdir():
                try:
                    total += int((task / "schedstat").read_text().split()[0])
                except (OSError, IndexError, ValueError):
                    pass  # a thread that ended meanwhile
        except OSError:
            return None
        return total

    def cpu_ticks_s(self):
        """User + system CPU of the whole process so far, threads that ended included, in
        seconds (clock ticks: 10 ms steps), or None."""
        try:
            fields = pathlib.Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self):
        try:
            status = pathlib.Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        m = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(m.group(1)) if m else None

    def stop(self):
        self.send({"jsonrpc": "2.0", "id": 99, "method": "shutdown"})
        self.send({"jsonrpc": "2.0", "method": "exit"})
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("dir")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--starts", type=int, default=1)
    parser.add_argument("--debounce-ms", type=float, default=200.0)
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--callgrind", metavar="OUT",
                        help="run the server under valgrind's callgrind with instrumentation off, "
                             "on for the edits alone, its profile written to OUT; the "
                             "instructions per edit are reported (times are then valgrind's)")
    parser.add_argument("--watcher", choices=["client", "server", "off"], default="client",
                        help="who reports changes on disk: the client (it offers file "
                             "watching, as VS Code and neovim do; the default), the server's "
                             "own watcher (a client that offers none), or nobody "
                             "(`fileWatcher: off`: every run walks and looks at every file)")
    args = parser.parse_args()

    root = pathlib.Path(args.dir).resolve()
    root_uri = root.as_uri()

    def start_server():
        """A server with ROOT as its workspace, and the timing of its first analysis."""
        wrapper = () if not args.callgrind else (
            "valgrind", "--tool=callgrind", "--instr-atstart=no",
            f"--callgrind-out-file={args.callgrind}")
        server = Server(args.binary, wrapper)
        # Initialize and wait for the answer, so that the first analysis is also timed from
        # `initialized` alone.
        server.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": root_uri,
            "workspaceFolders": [{"uri": root_uri, "name": root.name}],
            "capabilities": {} if args.watcher != "client" else
                {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}},
            "initializationOptions":
                {"fileWatcher": "off"} if args.watcher == "off" else None}})
        deadline = time.perf_counter() + TIMEOUT
        while True:
            _, msg = server.next_message(deadline)
            if msg.get("id") == 1 and "method" not in msg:
                break
        initialized_at = time.perf_counter()
        server.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        logged_at, files, server_ms = server.next_log()
        return server, {
            "files": files,
            "from_initialized_ms": (logged_at - initialized_at) * 1000,
            "from_start_ms": (logged_at - server.started) * 1000,
            "server_ms": server_ms,
        }

    # The first analysis is timed over --starts fresh servers (median); the last one goes on
    # to the edits.
    starts = []
    for i in range(args.starts):
        server, timing = start_server()
        starts.append(timing)
        if i + 1 < args.starts:
            server.stop()
    first = {key: statistics.median(t[key] for t in starts) for key in starts[0]}
    first["files"] = starts[-1]["files"]
    first["starts"] = len(starts)
    first_ms = first["server_ms"]

    # Every publishDiagnostics of that run is sent before its log line is queued; those still
    # in the pipe arrive within moments.
    with_diagnostics = set()
    quiet_until = time.perf_counter() + 2.0
    while True:
        try:
            _, msg = server.next_message(quiet_until)
        except queue.Empty:
            break
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["diagnostics"]:
            with_diagnostics.add(msg["params"]["uri"])
            quiet_until = time.perf_counter() + 0.5
    # The server's own watcher asks for one more run once it watches the workspace; its log
    # line is no edit's.
    while True:
        try:
            server.logs.get_nowait()
        except queue.Empty:
            break
    target = next((u for u in sorted(with_diagnostics) if u.endswith((".yaml", ".yml"))),
                  None) or next(iter(sorted(with_diagnostics)), None)
    if target is None:
        server.stop()
        sys.exit("no template of the workspace has diagnostics: nothing to time edits against")
    path = pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(target).path))
    original = path.read_text()

    def wait_publish(version):
        deadline = time.perf_counter() + TIMEOUT
        while True:
            at, msg = server.next_message(deadline)
            if (msg.get("method") == "textDocument/publishDiagnostics"
                    and msg["params"]["uri"] == target
                    and msg["params"].get("version") == version):
                return at, msg["params"]["diagnostics"]

    server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": target, "languageId": "yaml", "version": 1, "text": original}}})
    wait_publish(1)
    open_ms = server.next_log()[2]

    def instrument(on):
        if args.callgrind:
            subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(server.proc.pid)],
                           check=True, stdout=subprocess.DEVNULL)

    samples, analysis, cpu, codes = [], [], [], None
    instrument(True)
    ticks_before = server.cpu_ticks_s()
    for version in range(2, args.edits + 2):
        text = original + f"# edit {version}\n"
        cpu_before = server.cpu_ns()
        start = time.perf_counter()
        server.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": target, "version": version},
            "contentChanges": [{"text": text}]}})
        at, diagnostics = wait_publish(version)
        samples.append((at - start) * 1000)
        analysis.append(server.next_log()[2])
        cpu_after = server.cpu_ns()
        if cpu_before is not None and cpu_after is not None:
            cpu.append((cpu_after - cpu_before) / 1e6)
        codes = sorted(str(d.get("code")) for d in diagnostics)
    ticks_after = server.cpu_ticks_s()
    instrument(False)
    rss = server.peak_rss_kib()
    server.stop()
    instructions = None
    if args.callgrind:
        profile = pathlib.Path(args.callgrind).read_text()
        totals = (re.search(r"^totals: (\d+)", profile, re.MULTILINE)
                  or re.search(r"^summary: (\d+)", profile, re.MULTILINE))
        instructions = int(totals.group(1)) / len(samples) if totals else None

    median = statistics.median(samples)
    result = {
        "workspace": str(root),
        "first": first,
        "first_each": starts,
        "edited": str(path.relative_to(root)),
        "diagnostics": codes,
        "open_analysis_ms": open_ms,
        "edits": len(samples),
        "debounce_ms": args.debounce_ms,
        "edit_ms": samples,
        "edit_median_ms": median,
        "edit_max_ms": max(samples),
        "edit_median_without_debounce_ms": median - args.debounce_ms,
        "edit_analysis_ms": analysis,
        "edit_analysis_median_ms": statistics.median(analysis),
        # The server's CPU (all threads) from each didChange to that edit's log line.
        "edit_cpu_ms": cpu,
        "edit_cpu_median_ms": statistics.median(cpu) if cpu else None,
        # The same over all edits from the process's own counters, in clock ticks.
        "edit_cpu_mean_ticks_ms": None if ticks_before is None or ticks_after is None
            else (ticks_after - ticks_before) * 1000 / len(samples),
        "peak_rss_kib": rss,
        # With --callgrind: the instructions of the edits (from the first didChange to the
        # last edit's log line, every thread), per edit.
        "edit_instructions": instructions,
    }
    if args.json_out:
        pathlib.Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"workspace {root}: {first['files']} files")
    print(f"first analysis (median of {len(starts)}): {first['from_initialized_ms']:.1f} ms from `initialized`, "
          f"{first['from_start_ms']:.1f} ms from process start (server log: {first_ms:.1f} ms)")
    print(f"edits of {result['edited']} (diagnostics {codes}): didChange -> publishDiagnostics "
          f"median {median:.1f} ms, max {max(samples):.1f} ms over {len(samples)}, "
          f"{result['edit_median_without_debounce_ms']:.1f} ms without the "
          f"{args.debounce_ms:g} ms debounce; server analysis median "
          f"{result['edit_analysis_median_ms']:.1f} ms")
    if cpu:
        print(f"server CPU per edit (all threads): median {result['edit_cpu_median_ms']:.1f} ms, "
              f"max {max(cpu):.1f} ms")
    if rss:
        print(f"server peak RSS {rss / 1024:.0f} MB")
    if instructions:
        print(f"instructions per edit (callgrind, every thread): {instructions / 1e6:.1f} M")


if __name__ == "__main__":
    main()
