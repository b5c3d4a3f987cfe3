import { PROJECT } from "../model/names";
import { setSecretCommand } from "./tree";
import { undecryptableFact, type SecureProblem } from "./stackFile";

/**
 * The 1Password provider's own config keys (`onepassword:url`, `onepassword:token`, …), which its
 * README documents and a new user writes into the stack file. The program never reads them: it
 * creates its own provider from the stack's keys (components/secrets/secrets.ts), and an explicit
 * provider takes only the arguments it is given, with the environment filling the rest
 * (@1password/pulumi-onepassword 1.1.3 provider.js: `args.url ?? OP_CONNECT_HOST`, and so on);
 * only the package's default provider reads `onepassword:*` (config/vars.js, `new
 * pulumi.Config("onepassword")`). So such a key is ignored without a word: a Connect URL there
 * leaves the stack in service-account mode, and a token there is a credential in the stack file
 * that does nothing. Each gets one problem naming the key the program reads instead.
 */
/** The command that sets the token the program reads (config/tree.ts: it prompts for the value). */
const setToken = (project: string) => `\`${setSecretCommand("onepasswordToken", [], project)}\``;

const INSTEAD: Record<string, (project: string) => string> = {
  url: (p) => `set ${p}:secrets.connectUrl to the Connect server's URL`,
  token: (p) =>
    `set the Connect token with ${setToken(p)} (or export OP_CONNECT_TOKEN), with ${p}:secrets.connectUrl set`,
  serviceAccountToken: (p) =>
    `set the service account token with ${setToken(p)} (or export OP_SERVICE_ACCOUNT_TOKEN), with no ${p}:secrets.connectUrl`,
  // The program refuses OP_ACCOUNT in both modes (resolve.ts ONEPASSWORD_CONFLICTS): it signs in
  // with a Connect token or a service account token only.
  account: (p) =>
    `the program signs in to 1Password with a Connect token or a service account token only (${p}:onepasswordToken); remove it`,
  opCliPath: () => "put `op` on PATH, or export OP_CLI_PATH (the provider reads it from the environment)",
};

/** Keys whose value is a credential: said when it is written in plain text. */
const CREDENTIALS = new Set(["token", "serviceAccountToken"]);

/**
 * One problem per `onepassword:` key of `keys` (full keys, `namespace:name`), naming what the
 * program reads instead and the command that removes it; never the value. `isSecure` says whether
 * the file holds a key's value as `secure:` ciphertext: a token in plain text is also said to be
 * readable by whoever reads the file. A `secure:` value the CLI cannot decrypt (`unreadable`) is
 * said in the same line, whose removal mends both (config/stackCheck.ts saidOnce drops its own).
 */
export function onepasswordKeyProblems(
  keys: Iterable<string>,
  isSecure: (key: string) => boolean,
  project = PROJECT,
  unreadable: readonly SecureProblem[] = [],
): string[] {
  const out: string[] = [];
  for (const key of keys) {
    if (!key.startsWith("onepassword:")) continue;
    const name = key.slice("onepassword:".length);
    const instead = INSTEAD[name];
    const plain =
      CREDENTIALS.has(name) && !isSecure(key)
        ? " It is written in plain text (not shown): anyone who reads the stack file has it, so rotate it."
        : "";
    const broken = unreadable.filter((p) => p.key === key);
    const facts = broken.length > 0 ? ` (${broken.map(undecryptableFact).join("; ")})` : "";
    out.push(
      `${key}: expected no 1Password provider setting in the stack file, got ${key}${facts}, which this program never reads (it configures its own 1Password provider from ${project}:secrets and ${project}:onepasswordToken); ${
        instead ? `${instead(project)}, then` : "the provider has no such setting either:"
      } remove it with \`pulumi config rm ${key}\`.${plain}`,
    );
  }
  return out;
}
