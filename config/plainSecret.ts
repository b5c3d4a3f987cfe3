/**
 * A secret key's value written in plain text, in one wording for both ways in: the offline tools
 * read it in the stack file (stackFile.ts), the program learns it from the Pulumi runtime
 * (load.ts). `where` is the key (or a leaf of it, `receiverCredentials.ops`), `command` the
 * `pulumi config set --secret` that encrypts it in place; the value is never shown.
 */
export const plainSecretProblem = (where: string, command: string): string =>
  `${where}: expected a secret (\`${command}\`), got a plain value in the stack file (not shown; anyone who reads the file has it)`;
