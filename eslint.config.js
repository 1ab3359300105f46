import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the seeded Rand: the embedded mode must be deterministic.' },
      ],
    },
  },
  {
    // The pure cores: no clock, no I/O.
    files: ['packages/controllers/src/**/*.ts', 'packages/api/src/**/*.ts', 'packages/state/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the seeded Rand.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Time arrives as an argument in a pure core.' },
        { selector: "MemberExpression[object.name='console']", message: 'No console in a pure core.' },
        { selector: "MemberExpression[object.name='process']", message: 'No process in a pure core.' },
      ],
    },
  },
);
