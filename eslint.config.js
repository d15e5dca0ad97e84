// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = '^(fs|net|tls|os|path|crypto|stream|events|buffer|util|http|url)(/.*)?$';
const RUNS_ANYWHERE =
  'msrp-core runs in browsers too: Node-only code (sockets, files, node:crypto) lives in src/node/.';

const SDP_ANYWHERE = 'sdp-msrp is pure functions over strings, run in browsers too.';

/** The rules of a runtime-neutral part of msrp-core, plus the layers it must not import. */
function neutralRules(below, layerMessage) {
  return {
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(below.length > 0 ? [{ group: below, message: layerMessage }] : []),
            { group: ['../node/*', './node/*', '../browser/*'], message: RUNS_ANYWHERE },
            { regex: '^node:', message: RUNS_ANYWHERE },
            { regex: NODE_BUILTINS, message: RUNS_ANYWHERE },
            { group: ['mime-types'], message: `${RUNS_ANYWHERE} (mime-types needs node:path)` },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', 'setImmediate', 'clearImmediate', 'require', '__dirname'].map(
          (name) => ({
            name,
            message: `${RUNS_ANYWHERE} Use Uint8Array, TextEncoder, setTimeout.`,
          }),
        ),
      ],
      '@typescript-eslint/no-restricted-types': [
        'error',
        {
          types: {
            Buffer: `${RUNS_ANYWHERE} Use Uint8Array.`,
            'NodeJS.Timeout': 'Use Timer from events/timers.ts.',
          },
        },
      ],
    },
  };
}

/** The config of one runtime-neutral folder of msrp-core/src. */
function neutral(folder, below, layerMessage) {
  return [{ files: [`packages/msrp-core/src/${folder}/**`], ...neutralRules(below, layerMessage) }];
}

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(fs|net|tls|os|path|crypto|stream|events|buffer|util|http|url)(/.*)?$',
              message: 'Use the node: protocol.',
            },
          ],
        },
      ],
    },
  },
  // msrp-core runs in a browser unchanged, all of it but src/node/ (ARCHITECTURE.md): the
  // runtime-neutral folders import no Node module, use no Node global, and never reach into
  // node/ or browser/. Layers point down: wire/ is pure, transport/ sits below session/, and
  // session/ below endpoint/.
  ...neutral(
    'wire',
    ['../transport/*', '../session/*', '../endpoint/*', '../events/*'],
    'wire/ is pure: bytes in, frames out.',
  ),
  ...neutral(
    'transport',
    ['../session/*', '../endpoint/*'],
    'transport/ sits below session/ and endpoint/.',
  ),
  ...neutral('session', ['../endpoint/*'], 'session/ sits below endpoint/.'),
  ...neutral('endpoint', [], ''),
  ...neutral('chat', ['../endpoint/*'], 'chat/ sits on session/, below endpoint/.'),
  ...neutral('events', ['../*/*'], 'events/ is a leaf: it imports nothing of the core.'),
  ...neutral('browser', [], ''),
  {
    // The browser entry and errors.ts are runtime-neutral too.
    files: ['packages/msrp-core/src/browser.ts', 'packages/msrp-core/src/errors.ts'],
    ...neutralRules([], ''),
  },
  {
    // sdp-msrp is pure and runs in browsers too (bundled with a web page's SIP stack): no Node
    // module or global, and from msrp-core only the pure URI codec.
    files: ['packages/sdp-msrp/src/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', 'setImmediate', 'clearImmediate', 'require', '__dirname'].map(
          (name) => ({ name, message: `${SDP_ANYWHERE} Use Uint8Array, TextEncoder.` }),
        ),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@msrp-ts/msrp-core',
              message: 'Import @msrp-ts/msrp-core/uri: the package root brings sockets in.',
            },
            {
              name: '@msrp-ts/msrp-core/internal',
              message: 'Import @msrp-ts/msrp-core/uri: ./internal brings sockets in.',
            },
          ],
          patterns: [
            { regex: '^node:', message: SDP_ANYWHERE },
            { regex: NODE_BUILTINS, message: SDP_ANYWHERE },
          ],
        },
      ],
    },
  },
  {
    // The msrp command is an app on msrp-core's public API, like any other user of it.
    files: ['packages/msrp-cli/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '**/msrp-core/src/**', '**/msrp-core/dist/**', '**/sdp-msrp/src/**'],
              message: "Import '@msrp-ts/msrp-core' (or '@msrp-ts/sdp-msrp'), not their files.",
            },
            {
              group: ['@msrp-ts/msrp-core/internal'],
              message: 'The msrp command uses the public API only; ./internal is for the relay.',
            },
            {
              regex: '^(fs|net|tls|os|path|crypto|stream|events|buffer|util|http|url)(/.*)?$',
              message: 'Use the node: protocol.',
            },
          ],
        },
      ],
    },
  },
  {
    // The examples show what applications use: the package roots, never ./internal.
    files: ['examples/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@msrp-ts/msrp-core/internal',
              message: 'Examples use the public API (the package root).',
            },
          ],
          patterns: [
            {
              regex: '^(fs|net|tls|os|path|crypto|stream|events|buffer|util|http|url)(/.*)?$',
              message: 'Use the node: protocol.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
