import * as fs from "fs";

/*
 * Reading a file the user hands the program (a stack file, a policy pack config, a stack export):
 * one wording for a file that cannot be read, wherever it is read, so the same mistake reads the
 * same. The reason is said in words with what to do, never as the system's errno text.
 */

/** A file that cannot be read as UTF-8 text; `message` is {@link readFailure}'s. */
export class FileReadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = "FileReadError";
  }
}

/** Why, in words, and what to do, by the system's error code. */
const REASONS: Record<string, [why: string, todo: string]> = {
  ENOENT: ["no such file", "check the path"],
  ENOTDIR: ["a folder on its path is a file", "check the path"],
  EISDIR: ["it is a folder, not a file", "name the file itself"],
  EACCES: [
    "permission denied",
    "give this user read access to it (chmod u+r, or to each folder on its path u+x)",
  ],
  EPERM: ["permission denied", "give this user read access to it"],
  ELOOP: ["its symbolic links go round in a loop", "point the link at the file itself"],
};

/** `cannot read <file>: <why>; <what to do>` for an error `fs` threw reading it. */
export function readFailure(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code ?? "";
  const [why, todo] = REASONS[code] ?? [
    // The system's message without its `CODE: ` prefix and the `, open '<file>'` it repeats.
    String((e as Error)?.message ?? e)
      .replace(/^[A-Z]+: /, "")
      .replace(/, \w+ '[^']*'$/, ""),
    "check the file and its path",
  ];
  return `cannot read ${file}: ${why}; ${todo}`;
}

/**
 * The text of `file`, read as UTF-8; throws {@link FileReadError} when it cannot be read or is not
 * UTF-8 (Node's own decoding would put U+FFFD in place of each bad byte without a word).
 */
export function readUtf8(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new FileReadError(file, readFailure(file, e));
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FileReadError(file, `cannot read ${file}: not UTF-8 text; save it as UTF-8`);
  }
}
