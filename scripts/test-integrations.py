#!/usr/bin/env python3
"""Executes the snippets of docs/integrations.md that can run without the editor itself.

Each snippet is taken from the page as written (found by a line it contains), never retyped here:
- the `.sandtrap.yaml` example is the configuration of a scratch project;
- the VS Code (glspc) settings and the Helix `languages.toml`: their command, arguments and
  initialization options start the real `sandtrap lsp`, which must publish ST101 for the open
  template at the exact UTF-16 position of a line with non-ASCII text;
- the standard-input command runs through `sh` with `$FILE` set;
- the nvim-lint linter runs in headless Neovim (with a stand-in for the `lint` module's table,
  which only stores the definition): its `cmd`/`args` are run and its parser must give the byte
  columns;
- the VS Code task's problem-matcher pattern must match every line of real `concise` output.

Usage: scripts/test-integrations.py SANDTRAP_BINARY. Exit status 0 when every snippet works.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "integrations.md"

# One user pool mailing through SES in us-west-2 (in the sandbox per the page's configuration),
# on a line where characters, UTF-16 units and bytes all differ before the finding.
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  sandtrap:
    region: us-west-2
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      AutoVerifiedAttributes: [email]
      EmailConfiguration: {From: "🚀 Équipe <noreply@example.com>", EmailSendingAccount: DEVELOPER, SourceArn: "arn:aws:ses:us-west-2:123456789012:identity/example.com"}
"""
LINE = 9  # 0-based line of the finding, which starts at the SourceArn value
PREFIX = TEMPLATE.splitlines()[LINE][: TEMPLATE.splitlines()[LINE].index('"arn:')]
UTF16_COLUMN = len(PREFIX.encode("utf-16-le")) // 2
BYTE_COLUMN = len(PREFIX.encode("utf-8"))

failures = []


def step(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def snippet(lang, marker):
    """The one fenced block of `lang` on the page containing `marker`."""
    blocks = re.findall(r"^```(\w+)\n(.*?)^```", PAGE.read_text(), re.S | re.M)
    found = [body for fence, body in blocks if fence == lang and marker in body]
    if len(found) != 1:
        raise SystemExit(f"{PAGE}: expected one ```{lang} block with {marker!r}, found {len(found)}")
    return found[0]


def resolve(command, binary):
    """The snippet's command (`sandtrap`) as the binary under test."""
    return binary if command == "sandtrap" else command


class Lsp:
    """A minimal LSP client over the server's standard input and output."""

    def __init__(self, argv, cwd):
        self.proc = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.proc.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def lsp_publishes_st101(name, argv, init_options, project):
    uri = (project / "pool.yaml").as_uri()
    server = Lsp(argv, project)
    try:
        server.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": project.as_uri(),
                "workspaceFolders": [{"uri": project.as_uri(), "name": "project"}],
                "capabilities": {},
                "initializationOptions": init_options,
            },
        )
        server.notify("initialized", {})
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": TEMPLATE}},
        )
        while True:
            message = server.read()
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            if message["params"]["uri"] != uri or not message["params"]["diagnostics"]:
                continue
            found = [d for d in message["params"]["diagnostics"] if d.get("code") == "ST101"]
            start = found[0]["range"]["start"] if found else None
            step(
                f"{name}: sandtrap lsp publishes ST101 at the UTF-16 position",
                start == {"line": LINE, "character": UTF16_COLUMN},
                f"{message['params']['diagnostics']}",
            )
            return
    finally:
        server.close()


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    binary = str(Path(sys.argv[1]).resolve())
    work = Path(tempfile.mkdtemp())
    try:
        project = work / "project"
        project.mkdir()
        (project / ".sandtrap.yaml").write_text(snippet("yaml", "# .sandtrap.yaml"))
        (project / "pool.yaml").write_text(TEMPLATE)

        # The configuration: the pool's region is in the sandbox, so ST101 (exit status 1).
        run = subprocess.run(
            [binary, "check", "--format", "concise", "."], cwd=project, capture_output=True, text=True
        )
        step(
            ".sandtrap.yaml: check reports ST101",
            run.returncode == 1 and "error[ST101]" in run.stdout,
            run.stdout + run.stderr,
        )
        concise = run.stdout

        # VS Code: Generic LSP Client settings.
        vscode = json.loads(snippet("json", "glspc.server.command"))
        lsp_publishes_st101(
            "VS Code (glspc)",
            [resolve(vscode["glspc.server.command"], binary)] + vscode["glspc.server.commandArguments"],
            vscode.get("glspc.server.initializationOptions"),
            project,
        )
        step(
            "VS Code (glspc): YAML and JSON",
            vscode["glspc.server.languageId"] == ["yaml", "json"],
        )

        # Helix: languages.toml.
        helix = tomllib.loads(snippet("toml", "[language-server.sandtrap]"))
        server = helix["language-server"]["sandtrap"]
        lsp_publishes_st101(
            "Helix",
            [resolve(server["command"], binary)] + server["args"],
            server.get("config"),
            project,
        )
        step(
            "Helix: the server is attached to YAML and JSON",
            sorted(l["name"] for l in helix["language"] if "sandtrap" in l["language-servers"])
            == ["json", "yaml"],
        )

        # The standard-input command, through a shell, with `sandtrap` on the PATH.
        bindir = work / "bin"
        bindir.mkdir()
        os.symlink(binary, bindir / "sandtrap")
        env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", FILE="pool.yaml")
        command = snippet("sh", '--stdin-filename="$FILE"').strip()
        run = subprocess.run(
            ["sh", "-c", command], cwd=project, env=env, input=TEMPLATE, capture_output=True, text=True
        )
        report = json.loads(run.stdout)
        st101 = [d for d in report["diagnostics"] if d["code"] == "ST101" and d["file"] == "pool.yaml"]
        line_start = len("".join(TEMPLATE.splitlines(keepends=True)[:LINE]).encode())
        step(
            "standard input: JSON with ST101 at the byte offset",
            run.returncode == 1
            and len(st101) == 1
            and st101[0]["range"]["start"]["offset"] - line_start == BYTE_COLUMN,
            run.stdout + run.stderr,
        )

        # The VS Code task's problem matcher on real concise output.
        tasks = snippet("jsonc", '"problemMatcher"')
        tasks = "\n".join(l for l in tasks.splitlines() if not l.lstrip().startswith("//"))
        pattern = json.loads(tasks)["tasks"][0]["problemMatcher"]["pattern"]
        regexp = re.compile(pattern["regexp"])
        matches = [regexp.match(l) for l in concise.splitlines() if l]
        step(
            "VS Code task: the pattern matches every concise line",
            bool(matches) and all(matches) and matches[0].group(pattern["code"]) == "ST101",
            concise,
        )

        # nvim-lint: the linter definition and parser in headless Neovim.
        if shutil.which("nvim"):
            nvim_lint(binary, env, project, work)
        else:
            step("nvim-lint (Neovim is not installed)", False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} snippet check(s) failed", file=sys.stderr)
        return 1
    print("every snippet ran")
    return 0


NVIM_DRIVER = r"""
-- The `lint` module only stores the linter: a table with the fields the snippet writes.
package.loaded['lint'] = { linters = {}, linters_by_ft = {}, try_lint = function() end }
local ok, err = pcall(dofile, vim.env.SNIPPET)
local out = io.open(vim.env.RESULT, 'w')
local function finish(result) out:write(vim.json.encode(result)); out:close(); vim.cmd('qa!') end
if not ok then return finish({ error = tostring(err) }) end
local linter = require('lint').linters.sandtrap
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.POOL))
local bufnr = vim.api.nvim_get_current_buf()
local args = {}
for _, a in ipairs(linter.args) do
  table.insert(args, type(a) == 'function' and a() or a)
end
local output = vim.fn.system(vim.list_extend({ linter.cmd }, args), vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
local diagnostics = linter.parser(output, bufnr)
finish({ diagnostics = diagnostics, ft = require('lint').linters_by_ft.yaml })
"""


def nvim_lint(binary, env, project, work):
    lua = work / "snippet.lua"
    lua.write_text(snippet("lua", "lint.linters.sandtrap"))
    driver = work / "driver.lua"
    driver.write_text(NVIM_DRIVER)
    result = work / "nvim-result.json"
    nvim_env = dict(
        env,
        SNIPPET=str(lua),
        RESULT=str(result),
        POOL=str(project / "pool.yaml"),
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_DATA_HOME=str(work / "data"),
        XDG_STATE_HOME=str(work / "state"),
        XDG_CACHE_HOME=str(work / "cache"),
    )
    subprocess.run(
        ["nvim", "--headless", "--clean", "-n", "-i", "NONE", "-c", f"luafile {driver}"],
        cwd=project,
        env=nvim_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    data = json.loads(result.read_text()) if result.exists() else {"error": "no result"}
    found = [d for d in data.get("diagnostics", []) if d.get("code") == "ST101"]
    step(
        "nvim-lint: ST101 at the byte column",
        len(found) == 1 and found[0]["lnum"] == LINE and found[0]["col"] == BYTE_COLUMN,
        json.dumps(data),
    )


if __name__ == "__main__":
    sys.exit(main())
