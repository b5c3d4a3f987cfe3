/**
 * Required right after tsx (.mocharc.cjs): stack traces mapped to the sources for the project's
 * files only. tsx turns source maps on for everything it registers (process.setSourceMapsEnabled),
 * and with them on Node reads and parses the `.js.map` file beside every node_modules module that
 * names one as it compiles it (the SDK names one per file), in every worker and every node a test
 * starts through tsx. A failing test's trace still points into the project's TypeScript; a frame
 * inside a dependency shows the dependency's JavaScript, as `npm run synth` shows it.
 * (Node 22.14+: module.setSourceMapsSupport; on an older Node, tsx's setting stays.)
 */
import Module from "module";

const support = (
  Module as unknown as {
    setSourceMapsSupport?: (on: boolean, o: { nodeModules: boolean; generatedCode: boolean }) => void;
  }
).setSourceMapsSupport;
support?.(true, { nodeModules: false, generatedCode: false });
