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
  // Besides the build and the runtime state: the npm cache the CI job keeps in the project
  // (.gitlab-ci.yml), and gitlab-ci-local's state, which holds a copy of the work tree while
  // test/ci runs the test job in a clone.
  globalIgnores(['dist/', 'node_modules/', 'coverage/', '.build-test-*/', '.rhythm/', '.npm/', '.gitlab-ci-local/']),
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
      // A leading _ names what is unused on purpose: an Express error handler's fourth argument
      // (the arity is how Express knows it), a key dropped by destructuring, a type that is only
      // a compile-time check.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
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
