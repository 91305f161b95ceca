// `npm run lint`: the recommended rules of ESLint and of typescript-eslint (with type information:
// the whole run takes about 13 s here), then eslint-config-prettier, so that no rule argues with
// the formatter (`npm run format`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Node's globals, for the plain JavaScript files (TypeScript files take them from @types/node).
const node = Object.fromEntries(
  ['process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/', '.build-test-*/', '.rhythm/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Handlers, doors and their test fakes implement promise-returning interfaces; an async
      // function without an await is how they say so (and a throw in it still becomes a rejection).
      '@typescript-eslint/require-await': 'off',
    },
  },
  // bin/, scripts/, the SQLite worker and this file are in no tsconfig: no type-aware rules there.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: node },
  },
  prettier,
);
