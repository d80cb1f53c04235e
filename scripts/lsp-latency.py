#!/usr/bin/env python3
"""Time from didChange to publishDiagnostics of `sandtrap lsp` on a 200-resource template.

Usage: scripts/lsp-latency.py BINARY [RESOURCES]. Drives the real binary over stdio; edits the
template 30 times and reports the median and maximum latency. The server's 200 ms debounce is
included (that is what an editor sees while typing); the server also logs the analysis time of
each run, reported here as "analysis".
"""
import json, os, re, subprocess, sys, tempfile, threading, time, queue, statistics

binary = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200

def template(n, edit):
    out = ['AWSTemplateFormatVersion: "2010-09-09"', "Metadata:", "  sandtrap:", "    region: us-west-2",
           "Resources:", "  UserPool:", "    Type: AWS::Cognito::UserPool", "    Properties:",
           "      UsernameAttributes: [email]", "      AutoVerifiedAttributes: [email]",
           "      EmailConfiguration:", "        EmailSendingAccount: DEVELOPER",
           "        SourceArn: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com",
           "        From: noreply@example.com"]
    for i in range(1, n):
        out += [f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
                f"      QueueName: !Sub ${{AWS::StackName}}-queue-{i}", "      VisibilityTimeout: 30"]
    out.append(f"# edit {edit}")
    return "\n".join(out) + "\n"

work = tempfile.mkdtemp()
with open(os.path.join(work, ".sandtrap.yaml"), "w") as f:
    f.write("ses:\n  sandbox:\n    - regions: [us-west-2]\n")
path = os.path.join(work, "big.yaml")
with open(path, "w") as f:
    f.write(template(count, 0))
uri = "file://" + path

proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
messages, logs = queue.Queue(), queue.Queue()

def reader():
    while True:
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            c = proc.stdout.read(1)
            if not c:
                return
            header += c
        n = int(re.search(rb"Content-Length: (\d+)", header).group(1))
        messages.put((time.perf_counter(), json.loads(proc.stdout.read(n))))

def log_reader():
    for line in proc.stderr:
        m = re.search(rb"analyzed .* in ([\d.]+) ms", line)
        if m:
            logs.put(float(m.group(1)))

threading.Thread(target=reader, daemon=True).start()
threading.Thread(target=log_reader, daemon=True).start()

def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()

def wait_publish():
    while True:
        at, msg = messages.get(timeout=30)
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
            return at, msg["params"]["diagnostics"]

send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": "file://" + work, "capabilities": {}}})
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
    "uri": uri, "languageId": "yaml", "version": 1, "text": template(count, 0)}}})
wait_publish()
while not logs.empty():
    logs.get()
samples, analysis = [], []
for version in range(2, 32):
    text = template(count, version)
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
    at, diagnostics = wait_publish()
    samples.append((at - start) * 1000)
    analysis.append(logs.get(timeout=5))
codes = sorted(d["code"] for d in diagnostics)
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
send({"jsonrpc": "2.0", "method": "exit"})
proc.wait(timeout=10)
print(f"{count} resources, {len(template(count, 0))} bytes, diagnostics {codes}")
print(f"didChange -> publishDiagnostics (incl. 200 ms debounce): median {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms")
print(f"of which analysis (server log):                  median {statistics.median(analysis):.1f} ms, max {max(analysis):.1f} ms")
print(f"without the debounce:                            median {statistics.median(samples) - 200:.1f} ms")
