#!/usr/bin/env python3
"""Terraform itself as the oracle for sandtrap's Terraform evaluator.

For every Terraform fixture under testdata/ (a directory holding *.tf or *.tf.json files that is
a fixture of its own: testdata/rules/<CODE>/<fixture>/ and testdata/terraform/<fixture>/), in a
copy in a temporary directory:

1. `terraform init` from the machine's provider mirror (no network) and `terraform validate`:
   every fixture must be a valid configuration, except the few listed in NOT_VALID, each with
   the reason;
2. `terraform plan -refresh=false` with mock credentials (and the fixture's `--var` and
   `--region` arguments given as Terraform takes them), then `terraform show -json`: for every
   `aws_cognito_user_pool` instance, the values Terraform knows of `email_sending_account`,
   `source_arn` and `from_email_address`, and the region of the provider configuration it uses
   (read with an `aws_region` data source per provider configuration). A plan that cannot run
   offline (a data source that calls AWS, a variable nobody set) is recorded in SKIPPED.tsv with
   Terraform's first error line.

The oracles are written to testdata/terraform/oracles/; `tests/it/terraform.rs` compares
sandtrap's evaluation with them (`sandtrap debug terraform`), so `cargo test` needs no Terraform.
With --check, nothing is written: the run fails when an oracle differs from the committed one
(CI runs this where Terraform is installed).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORACLES = ROOT / "testdata" / "terraform" / "oracles"

NOT_VALID = {
    "testdata/rules/ST001/fail-terraform-syntax-error": "a syntax error on purpose",
    "testdata/rules/ST002/fail-terraform-registry-module-not-initialized":
        "a registry module before `terraform init`, which needs the network",
}

ATTRIBUTES = ["email_sending_account", "source_arn", "from_email_address"]


def fixtures():
    found = []
    for base in [ROOT / "testdata" / "rules", ROOT / "testdata" / "terraform"]:
        for path in sorted(base.rglob("*")):
            if not path.is_dir() or "oracles" in path.parts or ".terraform" in path.parts:
                continue
            if not any(p.suffix == ".tf" or p.name.endswith(".tf.json") for p in path.iterdir()):
                continue
            # A module of a fixture (modules/...) is part of its root's fixture.
            if "modules" in path.relative_to(base).parts:
                continue
            found.append(path)
    return found


def mirror():
    for candidate in ["/opt/tf-plugins", "/usr/share/terraform/plugins"]:
        if Path(candidate, "registry.terraform.io").is_dir():
            return candidate
    for path in Path("/").glob("*/tf-plugins"):
        return str(path)
    return None


def args_of(fixture):
    args_file = fixture / "args"
    return args_file.read_text().split() if args_file.exists() else []


def provider_keys(directory):
    """The provider configurations of a root, as `aws` and `aws.ALIAS`."""
    keys = []
    for path in list(directory.glob("*.tf")):
        text = path.read_text()
        for block in re.finditer(r'provider\s+"aws"\s*\{(.*?)\n\}', text, re.S):
            alias = re.search(r'alias\s*=\s*"([^"]+)"', block.group(1))
            keys.append("aws." + alias.group(1) if alias else "aws")
    for path in list(directory.glob("*.tf.json")):
        try:
            providers = json.loads(path.read_text()).get("provider", {}).get("aws", [])
        except ValueError:
            continue
        for block in providers if isinstance(providers, list) else [providers]:
            keys.append("aws." + block["alias"] if "alias" in block else "aws")
    return keys


def prepare(fixture, work, region):
    shutil.copytree(fixture, work, ignore=shutil.ignore_patterns("args", ".terraform*"))
    keys = provider_keys(work)
    mock = (
        '  skip_credentials_validation = true\n  skip_requesting_account_id = true\n'
        '  skip_metadata_api_check = true\n  access_key = "mock"\n  secret_key = "mock"\n'
    )
    overrides = []
    for key in keys:
        alias = f'  alias = "{key.split(".", 1)[1]}"\n' if "." in key else ""
        overrides.append(f'provider "aws" {{\n{alias}{mock}}}\n')
    if "aws" not in keys:
        # The default provider the fixture leaves implicit.
        extra = f'  region = "{region}"\n' if region else ""
        (work / "sandtrap_default_provider.tf").write_text(f'provider "aws" {{\n{extra}{mock}}}\n')
        keys.append("aws")
    if overrides:
        (work / "sandtrap_override.tf").write_text("".join(overrides))
    probes = []
    for key in keys:
        name = key.replace(".", "_")
        provider = f"  provider = {key}\n"
        probes.append(
            f'data "aws_region" "sandtrap_{name}" {{\n{provider}}}\n'
            f'output "sandtrap_region_{name}" {{\n  value = data.aws_region.sandtrap_{name}.name\n}}\n'
        )
    (work / "sandtrap_oracle.tf").write_text("".join(probes))
    return keys


def terraform(work, *args, env):
    return subprocess.run(
        ["terraform", *args], cwd=work, env=env, capture_output=True, text=True, check=False
    )


def first_error(result):
    text = result.stderr + result.stdout
    lines = [l.strip("│ ").strip() for l in text.splitlines()]
    errors = [l for l in lines if l.startswith("Error:")]
    return (errors[0] if errors else (lines[0] if lines else "failed"))[:200]


def oracle(fixture, plugin_dir):
    relative = str(fixture.relative_to(ROOT))
    args = args_of(fixture)
    variables = [args[i + 1] for i, a in enumerate(args) if a == "--var" and i + 1 < len(args)]
    region = next((args[i + 1] for i, a in enumerate(args) if a == "--region" and i + 1 < len(args)), None)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "root"
        keys = prepare(fixture, work, region)
        env = dict(os.environ)
        env.update({
            "TF_IN_AUTOMATION": "1",
            "TF_CLI_CONFIG_FILE": str(Path(tmp) / "cli.tfrc"),
            "CHECKPOINT_DISABLE": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        if region:
            env["AWS_REGION"] = region
        (Path(tmp) / "cli.tfrc").write_text("")
        init = terraform(work, "init", "-backend=false", "-input=false", f"-plugin-dir={plugin_dir}", env=env)
        if init.returncode != 0:
            if relative in NOT_VALID:
                return relative, None, f"not valid on purpose: {NOT_VALID[relative]}"
            return relative, None, f"INIT FAILED: {first_error(init)}"
        # A plan validates first; only when it fails is it asked whether the configuration is
        # invalid or the plan needs what it cannot have offline.
        plan_args = ["plan", "-refresh=false", "-input=false", "-no-color", "-out=plan.bin"]
        for variable in variables:
            plan_args += ["-var", variable]
        plan = terraform(work, *plan_args, env=env)
        if plan.returncode != 0:
            validate = terraform(work, "validate", "-no-color", env=env)
            if validate.returncode != 0:
                if relative in NOT_VALID:
                    return relative, None, f"not valid on purpose: {NOT_VALID[relative]}"
                return relative, None, f"VALIDATE FAILED: {first_error(validate)}"
            return relative, None, f"no plan offline: {first_error(plan)}"
        if relative in NOT_VALID:
            return relative, None, "FAILED: listed as not valid, but it plans"
        shown = terraform(work, "show", "-json", "plan.bin", env=env)
        return relative, instances(json.loads(shown.stdout), keys), None


def instances(plan, keys):
    regions = {}
    outputs = plan.get("planned_values", {}).get("outputs", {})
    for key in keys:
        value = outputs.get("sandtrap_region_" + key.replace(".", "_"), {}).get("value")
        if value:
            regions[key] = value
    config_keys = {}

    def config_walk(module, prefix):
        for resource in module.get("resources", []):
            config_keys[prefix + resource["address"]] = resource.get("provider_config_key")
        for name, call in module.get("module_calls", {}).items():
            config_walk(call.get("module", {}), prefix + f"module.{name}.")

    config_walk(plan.get("configuration", {}).get("root_module", {}), "")
    out = []
    for change in plan.get("resource_changes", []):
        if change.get("type") != "aws_cognito_user_pool" or change.get("mode") != "managed":
            continue
        after = change["change"].get("after") or {}
        unknown = change["change"].get("after_unknown") or {}
        email = (after.get("email_configuration") or [{}])
        email = email[0] if email else {}
        email_unknown = (unknown.get("email_configuration") or [{}])
        email_unknown = email_unknown[0] if isinstance(email_unknown, list) and email_unknown else {}
        values = {}
        for attribute in ATTRIBUTES:
            if isinstance(email_unknown, dict) and email_unknown.get(attribute):
                continue
            value = email.get(attribute)
            if attribute == "email_sending_account" and not email:
                value = None
            if value is not None:
                values[attribute] = value
        # The configuration address: instance keys dropped, the module path kept.
        configuration = re.sub(r'\[[^\]]*\]', "", change["address"])
        key = config_keys.get(configuration)
        record = {"address": change["address"], "values": values}
        if key in regions:
            record["region"] = regions[key]
        out.append(record)
    out.sort(key=lambda r: r["address"])
    return out


def main():
    check = "--check" in sys.argv[1:]
    if shutil.which("terraform") is None:
        print("terraform-oracles: skipped: `terraform` is not on PATH")
        return 0
    plugin_dir = mirror()
    if plugin_dir is None:
        print("terraform-oracles: skipped: no provider mirror (a tf-plugins directory) on this machine")
        return 0
    found = fixtures()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda f: oracle(f, plugin_dir), found))
    failures = [(f, why) for f, _, why in results if why and ("FAILED" in why)]
    skipped = sorted((f, why) for f, o, why in results if o is None)
    wanted = {}
    for fixture, result, _ in results:
        if result is not None:
            wanted[fixture.replace("/", "__") + ".json"] = json.dumps(
                {"fixture": fixture, "instances": result}, indent=2, sort_keys=True
            ) + "\n"
    wanted["SKIPPED.tsv"] = "".join(f"{f}\t{why}\n" for f, why in skipped)
    different = []
    if check:
        present = {p.name for p in ORACLES.glob("*")} if ORACLES.exists() else set()
        for name, text in wanted.items():
            path = ORACLES / name
            if not path.exists() or path.read_text() != text:
                different.append(name)
        different.extend(sorted(present - set(wanted) - {"README.md"}))
    else:
        ORACLES.mkdir(parents=True, exist_ok=True)
        for stale in ORACLES.glob("*.json"):
            if stale.name not in wanted:
                stale.unlink()
        for name, text in wanted.items():
            (ORACLES / name).write_text(text)
    print(f"terraform-oracles: {len(found)} fixtures, {len(found) - len(skipped)} planned, "
          f"{len(skipped)} without a plan (SKIPPED.tsv)")
    for fixture, why in failures:
        print(f"  {fixture}: {why}")
    for name in different:
        print(f"  oracle {name} differs from the committed one: run scripts/terraform-oracles.py")
    return 1 if failures or different else 0


if __name__ == "__main__":
    sys.exit(main())
