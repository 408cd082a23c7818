#!/usr/bin/env node
'use strict'
/*
 * `npm start`: build if needed, then open the desktop app; where the Electron binary cannot be had,
 * say so in one line and start browser mode, as `npm run web` does. No shell anywhere.
 */
const path = require('node:path')
const { spawn } = require('node:child_process')
const { ensureBuild } = require('./ensure-build.cjs')
const { planStart } = require('./start-plan.cjs')

const root = path.resolve(__dirname, '..', '..')

try {
  ensureBuild()
} catch (err) {
  console.error(`npm start: the build failed: ${err.message}`)
  process.exit(1)
}

const plan = planStart(root, { args: process.argv.slice(2) })
if (plan.notice) console.log(plan.notice)
runToCompletion(plan)

/** Runs the plan's command and ends this process the way the child ended (exit code or signal). */
function runToCompletion({ command, args, env }) {
  const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' })
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP']
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
  for (const signal of forwarded) process.on(signal, forward)

  child.on('error', (err) => {
    console.error(`Could not start ${command}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const s of forwarded) process.removeListener(s, forward)
      process.kill(process.pid, signal)
      return
    }
    process.exit(code ?? 1)
  })
}
