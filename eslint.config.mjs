// Lint: correctness plus the layer rules of architecture.md §3 (imports only go down).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'

const electronBan = {
  paths: [{ name: 'electron', message: "Only electron/main and electron/preload may import 'electron' (architecture.md §3)." }],
  patterns: [{ group: ['electron/*'], message: "Only electron/main and electron/preload may import 'electron' (architecture.md §3)." }],
}

/** `no-restricted-imports` for one layer: electron banned, plus the folders that layer must not reach. */
const layer = (forbiddenGroups, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: electronBan.paths,
      patterns: [...electronBan.patterns, ...forbiddenGroups.map((group) => ({ group: [group], message }))],
    },
  ],
})

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'reports/**', 'resources/bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
    // TypeScript checks names in .vue scripts (vue-tsc); ESLint's no-undef does not know DOM types.
    rules: { 'no-undef': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-control-regex': 'off',
      'vue/multi-word-component-names': 'error',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  // shared/: pure — no Node built-ins, no DOM globals, nothing from the other layers.
  {
    files: ['shared/**/*.ts'],
    rules: {
      ...layer(['node:*', '**/electron/**', '**/renderer/**', 'fs', 'path', 'os', 'child_process'], 'shared/ is pure: zod and plain TypeScript only.'),
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'localStorage', 'sessionStorage'],
    },
  },
  // electron/core: plain Node; never electron, never the faces above it.
  {
    files: ['electron/core/**/*.ts'],
    rules: layer(['**/electron/main/**', '**/electron/preload/**', '**/electron/server/**', '**/renderer/**', '../main/*', '../server/*', '../preload/*'], 'electron/core is below every face.'),
  },
  // electron/server: shared + core only.
  {
    files: ['electron/server/**/*.ts'],
    rules: layer(['**/electron/main/**', '**/electron/preload/**', '**/renderer/**', '../main/*', '../preload/*'], 'electron/server imports only shared and electron/core.'),
  },
  // renderer: shared only; no Node, no electron, no core.
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: layer(['node:*', '**/electron/**', 'fs', 'path', 'os', 'child_process'], 'renderer/ imports only shared/ and its own code.'),
  },
  // electron/main may import electron; the preload may import electron and only the channel lists.
  {
    files: ['electron/main/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/renderer/**', '**/electron/server/**'], message: 'main composes core, never the server or renderer.' }] }] },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/electron/core/**', '**/renderer/**', 'zod', '**/shared/api/contract*', '**/shared/domain/**'], message: 'The sandboxed preload imports only shared/api/channels (names, no zod).' }] },
      ],
    },
  },
  // Plain Node scripts (launchers, the test runner).
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['test/**/*.ts', '*.config.*', 'electron.vite.config.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
