/**
 * A Go module's source at one version, from the Go module proxy (`https://proxy.golang.org`, a
 * registry CI reaches): `<proxy>/<escaped module>/@v/<version>.zip`, verified against the go.sum
 * hash the table records (`h1:`), cached under `~/.cache/homelab-observability/go-modules/`.
 *
 * The facts this follows, read in the Go toolchain's own vendored golang.org/x/mod (golang/go
 * go1.26.8, src/cmd/vendor/golang.org/x/mod/):
 * - module/module.go `EscapePath`/`escapeString`: an upper-case letter is written `!` + lower case.
 * - sumdb/dirhash/hash.go `Hash1`/`HashZip`: `h1:` is base64(sha256(for each zip entry, sorted by
 *   name: `%x  %s\n` of sha256(content) and the name)), the names as the zip holds them
 *   (`<module>@<version>/<path>`).
 * - zip/zip.go: the zip leaves out `vendor/` folders and nested modules, so a vendored module is
 *   read as its own module at the version the parent's go.mod pins.
 *
 * The hash in the table is go.sum's: recorded once from the checksum database (`go mod download
 * -json`, which checks sum.golang.org, or its lookup through the proxy,
 * `<proxy>/sumdb/sum.golang.org/lookup/<module>@<version>`), then every download is held to it.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inflateRawSync } from "zlib";

/** One module of a source: where its files appear in the tree the readers see. */
export interface GoModule {
  module: string;
  version: string;
  /** go.sum's `h1:` hash of the zip; empty until recorded. */
  sum: string;
  /** The folder of the repository the module's root is (`` for the root, `server/` for etcd's). */
  mount: string;
}

/**
 * The modules a go.mod requires, with their versions: the `require` lines and the lines of
 * `require ( ... )` blocks (no other block's lines, so a `replace` or `exclude` is none).
 */
export function goModRequirements(gomod: string): { module: string; version: string }[] {
  const lines = [
    ...[...gomod.matchAll(/^require\s*\(([\s\S]*?)^\)/gm)].flatMap((b) => b[1].split("\n")),
    ...[...gomod.matchAll(/^require\s+([^(\s].*)$/gm)].map((m) => m[1]),
  ];
  return lines.flatMap((line) => {
    const m = /^\s*(\S+)\s+(v\S+)/.exec(line);
    return m ? [{ module: m[1], version: m[2] }] : [];
  });
}

/** `module@version h1:... [mount/]`, comma-separated; an error names what it expected. */
export function parseGoModules(text: string, where: string): GoModule[] {
  return text
    .split(",")
    .filter(Boolean)
    .map((part) => {
      const [ref, sum = "", mount = "", ...extra] = part.trim().split(/\s+/);
      const at = ref.lastIndexOf("@");
      if (
        at < 1 ||
        extra.length ||
        (sum && !/^h1:[A-Za-z0-9+/]{43}=$/.test(sum)) ||
        (mount && !mount.endsWith("/"))
      )
        throw new Error(
          `${where}: go_module: expected "<module>@<version> h1:<base64 sha256> [<folder>/]", found "${part}"`,
        );
      return { module: ref.slice(0, at), version: ref.slice(at + 1), sum, mount };
    });
}

/** golang.org/x/mod module.EscapePath: `!` + lower case for each upper-case letter. */
export const escapePath = (s: string) => s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/** The proxy: `HOMELAB_GOPROXY` (a test's local server, a mirror), else proxy.golang.org. */
export function proxyBase(): string {
  return (process.env.HOMELAB_GOPROXY || "https://proxy.golang.org").replace(/\/$/, "");
}

/** The cache folder: `HOMELAB_GO_MODULE_CACHE`, else `~/.cache/homelab-observability/go-modules`. */
export function cacheDir(): string {
  return (
    process.env.HOMELAB_GO_MODULE_CACHE ||
    path.join(os.homedir(), ".cache", "homelab-observability", "go-modules")
  );
}

export const zipUrl = (m: Pick<GoModule, "module" | "version">) =>
  `${proxyBase()}/${escapePath(m.module)}/@v/${escapePath(m.version)}.zip`;

const cachedZip = (m: Pick<GoModule, "module" | "version">) =>
  path.join(cacheDir(), `${escapePath(m.module).replace(/\//g, "+")}@${m.version}.zip`);

/** One entry of a zip: its name and a way to read its bytes. */
interface ZipEntry {
  name: string;
  read(): Buffer;
}

/** The entries of a zip (the central directory; stored or deflated, no zip64: module zips are < 500 MB). */
export function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error("not a zip file: no end-of-central-directory record");
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error("a zip64 archive: not supported");
  const out: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(at + 10);
    const csize = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString("utf8");
    at += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith("/")) continue;
    out.push({
      name,
      read: () => {
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const data = buf.subarray(start, start + csize);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`zip: ${name}: compression method ${method} not supported`);
      },
    });
  }
  return out;
}

/** dirhash.HashZip: go.sum's `h1:` of a module zip. */
export function hashZip(entries: ZipEntry[]): string {
  const h = createHash("sha256");
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    h.update(`${createHash("sha256").update(e.read()).digest("hex")}  ${e.name}\n`);
  return `h1:${h.digest("base64")}`;
}

/** What one download cost, for the report of `--check`. */
export interface Fetched {
  module: GoModule;
  bytes: number;
  cached: boolean;
}

/**
 * The module's zip in the cache, downloaded from the proxy when missing and held to the table's
 * hash (a zip that does not match is removed, never read). Without a recorded hash, the checksum
 * database's line (through the proxy) is printed for the table and the download is refused.
 */
export async function ensureModule(m: GoModule, where: string): Promise<Fetched> {
  const file = cachedZip(m);
  const ref = `${m.module}@${m.version}`;
  if (!m.sum) {
    const lookup = `${proxyBase()}/sumdb/sum.golang.org/lookup/${escapePath(m.module)}@${escapePath(m.version)}`;
    const res = await fetch(lookup);
    const text = await res.text();
    const line = text.split("\n").find((l) => l.startsWith(`${m.module} ${m.version} h1:`));
    throw new Error(
      `${where}: ${ref} has no h1: hash in the table; ${
        line
          ? `the checksum database (${lookup}) says "${line}": record ${line.split(" ")[2]} after checking it with \`go mod download -json ${ref}\``
          : `the checksum database answered ${res.status} "${text.trim().slice(0, 200)}"`
      }`,
    );
  }
  if (fs.existsSync(file)) {
    const have = hashZip(readZip(fs.readFileSync(file)));
    if (have === m.sum) return { module: m, bytes: 0, cached: true };
    fs.rmSync(file);
  }
  const url = zipUrl(m);
  const res = await fetch(url);
  if (!res.ok)
    throw new Error(
      `${where}: ${ref}: the proxy answered ${res.status} "${(await res.text()).trim().slice(0, 200)}" (${url})`,
    );
  const buf = Buffer.from(await res.arrayBuffer());
  const have = hashZip(readZip(buf));
  if (have !== m.sum)
    throw new Error(`${where}: ${ref}: the zip from ${url} hashes to ${have}, the table records ${m.sum}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, buf);
  fs.renameSync(`${file}.tmp`, file);
  return { module: m, bytes: buf.length, cached: false };
}

/**
 * The files of cached modules as one tree: each module's entries under its mount, the
 * `<module>@<version>/` prefix taken off. The zips must be in the cache (ensureModule).
 */
export function moduleFiles(mods: GoModule[]): Map<string, () => Buffer> {
  const out = new Map<string, () => Buffer>();
  for (const m of mods) {
    const prefix = `${m.module}@${m.version}/`;
    for (const e of readZip(fs.readFileSync(cachedZip(m))))
      if (e.name.startsWith(prefix)) out.set(m.mount + e.name.slice(prefix.length), () => e.read());
  }
  return out;
}
