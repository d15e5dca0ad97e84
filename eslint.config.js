// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

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
  {
    // The codec is pure and runs in a browser unchanged (ARCHITECTURE.md): nothing in wire/
    // reaches up to sockets, timers or sessions, and nothing in it needs Node.
    files: ['packages/msrp-core/src/wire/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../transport/*', '../session/*', '../endpoint/*'],
              message: 'wire/ is pure: bytes in, frames out.',
            },
            {
              regex: '^node:',
              message:
                'wire/ runs in a browser: no Node modules (use Uint8Array, TextEncoder, crypto).',
            },
            {
              regex: '^(fs|net|tls|os|path|crypto|stream|events|buffer|util|http|url)(/.*)?$',
              message: 'wire/ runs in a browser: no Node modules (and always the node: protocol).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'Buffer',
          message:
            'wire/ runs in a browser: use Uint8Array and the helpers of wire/bytes.ts (TextEncoder, TextDecoder).',
        },
      ],
      '@typescript-eslint/no-restricted-types': [
        'error',
        { types: { Buffer: 'wire/ runs in a browser: use Uint8Array.' } },
      ],
    },
  },
  {
    // Layers point down: transport/ never reaches up to sessions or the endpoint.
    files: ['packages/msrp-core/src/transport/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../session/*', '../endpoint/*'],
              message: 'transport/ sits below session/ and endpoint/ (ARCHITECTURE.md).',
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
    // Layers point down: session/ never reaches up to the endpoint.
    files: ['packages/msrp-core/src/session/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../endpoint/*'],
              message: 'session/ sits below endpoint/ (ARCHITECTURE.md).',
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
    // sdp-msrp is pure: no sockets, and from msrp-core only the pure URI codec.
    files: ['packages/sdp-msrp/src/**'],
    rules: {
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
            {
              group: ['node:net', 'node:tls', 'node:dgram', 'node:http', 'node:https', 'node:fs*'],
              message: 'sdp-msrp is pure functions over strings; it never opens a socket.',
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
