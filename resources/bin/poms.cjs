#!/usr/bin/env node
'use strict'
// The `poms` command (package.json "bin", and what `npm run web` runs): build the app if its
// outputs are missing or stale, then run the compiled CLI, which parses argv and exits itself.
const { ensureBuild } = require('./ensure-build.cjs')

try {
  ensureBuild()
} catch (err) {
  process.stderr.write(`poms: the build failed: ${err && err.message ? err.message : err}\n`)
  process.exit(1)
}

require('../../out/main/cli.js')
