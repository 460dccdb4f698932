import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", "coverage/**", "data/**", "test-artifacts/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node's globals, in everything but the browser chat.
    ignores: ["src/adapters/chat/web/static/**"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        __dirname: "readonly",
        require: "readonly",
        module: "writable",
        fetch: "readonly",
      },
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
      // Configuration is read once in src/config; everything else receives it.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration in src/config and pass it in." },
      ],
    },
  },
  {
    // The browser chat: ES modules that run in the page, with the browser's globals and none of Node's.
    files: ["src/adapters/chat/web/static/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser } },
  },
  {
    files: ["src/config/**", "scripts/**", "bin/**", "test/**", "bench/**"],
    rules: { "no-restricted-properties": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
