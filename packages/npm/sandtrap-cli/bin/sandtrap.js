#!/usr/bin/env node
// `npx sandtrap ...`: runs the platform package's binary with the same arguments, streams and
// exit status (a signal that ended it ends this process the same way).
'use strict';

const { spawnSync } = require('child_process');
const { binaryPath } = require('..');

let binary;
try {
  binary = binaryPath();
} catch (err) {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`error: cannot run ${binary}: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 2);
