//! CDK cloud assemblies: `manifest.json` with its stacks, nested assemblies and nested stacks.
