// One lint setup for every workspace: typescript-eslint's recommended rules (type-aware off for speed),
// plus the rules that keep the house tidy: braces on every block, no import cycles, and no reaching
// into another workspace's files by a relative path (import it by its package name instead).
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/** Relative paths into another workspace; each workspace imports the others by package name. */
const OTHER_WORKSPACES = [
  {
    regex: '^(\\.\\./)+(common|reference-api|bridge|keycloak-theme|tests)/',
    message:
      'import another workspace by its package name (@sms-mfa/<workspace>/…), not by a relative path into it',
  },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'tests/artifacts/**', '**/build/**'],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/resolver-next': [
        createNodeResolver({
          extensionAlias: { '.js': ['.ts', '.js'] },
          conditionNames: ['source', 'import', 'node', 'default'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
      curly: ['error', 'all'],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { patterns: OTHER_WORKSPACES }],
    },
  },
  {
    // Tests read arbitrary JSON answers and assert on them field by field.
    files: ['**/test/**/*.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
