import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { version } from './package.json'

const root = __dirname

// One build for every face: out/main (Electron main + the `poms` CLI/server), out/preload, out/renderer.
export default defineConfig({
  main: {
    define: { __POMS_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
      lib: {
        entry: {
          index: resolve(root, 'electron/main/index.ts'),
          cli: resolve(root, 'electron/server/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Bundled into one file so it runs under `sandbox: true`.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'electron/preload/index.ts') },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
    plugins: [vue()],
  },
})
