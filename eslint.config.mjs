// typescript-eslint's type-aware recommended rules plus Pulumi's plugin, whose rules need type information:
// they catch an Output<T> interpolated into a plain template literal, which tsc accepts.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "contract/dist/**",
      "policy/contract/**",
      "out/**",
      "node_modules/**",
      "eslint.config.mjs",
      ".mocharc.cjs",
      // Loaded by .mocharc.cjs before tsx is registered: plain CommonJS, outside the TS project.
      "test/support/specOrder.cjs",
      "test/support/runTmp.cjs",
      "test/support/tiering.cjs",
      // Imported by a node the tests start, beside tsx (an ES module for its top-level await).
      "test/support/tsxChild.mjs",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-explicit-any": "off",
      // Type-aware rules (recommendedTypeChecked) minus no-unsafe-*: chart values, Helm output and
      // stack exports are untyped JSON by nature, and the builders' `Record<string, any>` is
      // deliberate (about 1,500 findings, all of that kind, when counted).
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "prefer-const": "error",
    },
  },
);
