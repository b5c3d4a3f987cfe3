// Flat config: typescript-eslint's recommended rules plus Pulumi's own plugin, which
// catches resource-lifecycle mistakes (e.g. awaiting outputs) that tsc cannot.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  { ignores: ["bin/**", "out/**", "node_modules/**"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "@pulumi": pulumi },
    rules: {
      ...(pulumi.configs?.recommended?.rules ?? {}),
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "prefer-const": "error",
    },
  },
);
