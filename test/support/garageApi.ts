/**
 * Garage's admin API v2 as its own OpenAPI document defines it (upstream/garage/data/), as a judge:
 * every request the program sends and every response it reads is validated against the document's
 * schemas with a JSON Schema validator (ajv, draft 2020-12, the dialect of OpenAPI 3.1). A
 * recorder wraps `fetch` so the calls judged are the ones the program really made.
 */
import Ajv2020 from "ajv/dist/2020";
import type { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers";

/** The folder of the pinned release's document. */
export const GARAGE_DATA = path.join(ROOT, "upstream", "garage", "data");

/** The pinned release's folder (`garage-2.0.0`): the only one kept. */
export function garageDataFolder(): string {
  const folders = fs.readdirSync(GARAGE_DATA).filter((f) => /^garage-\d+\.\d+\.\d+$/.test(f));
  if (folders.length !== 1)
    throw new Error(`expected one garage-<version> folder in ${GARAGE_DATA}, got ${folders.join(", ")}`);
  return folders[0];
}

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: object }[];
  requestBody?: { content: Record<string, { schema: object }>; required?: boolean };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

export interface ApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
}

export function garageDocument(): ApiDocument {
  return JSON.parse(
    fs.readFileSync(path.join(GARAGE_DATA, garageDataFolder(), "garage-admin-v2.json"), "utf8"),
  );
}

/** One admin API exchange as the recorder saw it. */
export interface Exchange {
  method: string;
  operation: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  response?: unknown;
  /** It carried an Authorization header (a token Garage hashes with Argon2). */
  authorized?: boolean;
}

export class GarageApiJudge {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly doc: ApiDocument;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(doc: ApiDocument = garageDocument()) {
    this.doc = doc;
    this.ajv.addSchema(doc, "garage");
  }

  private validator(pointer: string, schema: object): ValidateFunction {
    if (!this.cache.has(pointer)) {
      // Each schema compiled where it sits in the document, so its $refs resolve there.
      const ref = (schema as { $ref?: string }).$ref;
      this.cache.set(
        pointer,
        this.ajv.compile(ref ? { $ref: `garage${ref}` } : { $ref: `garage#${pointer}` }),
      );
    }
    return this.cache.get(pointer)!;
  }

  /** What is wrong with one exchange in the document's terms (empty: nothing). */
  problems(x: Exchange): string[] {
    const p = `/v2/${x.operation}`;
    const op = this.doc.paths[p]?.[x.method.toLowerCase()];
    const at = `${x.method} ${p}`;
    if (!op) return [`${at}: the document has no such operation`];
    const out: string[] = [];
    // Garage 2.x's document declares its query parameters `in: path`; they are matched by name.
    const names = new Set((op.parameters ?? []).map((q) => q.name));
    for (const k of Object.keys(x.query))
      if (!names.has(k)) out.push(`${at}: query parameter "${k}" is not in the document`);
    if (x.body !== undefined) {
      const schema = op.requestBody?.content["application/json"]?.schema;
      if (!schema) out.push(`${at}: sends a body the operation does not take`);
      else {
        const ptr = `/paths/${p.replace(/\//g, "~1")}/${x.method.toLowerCase()}/requestBody/content/application~1json/schema`;
        const v = this.validator(ptr, schema);
        if (!v(x.body))
          out.push(`${at}: request body ${JSON.stringify(x.body)}: ${this.ajv.errorsText(v.errors)}`);
      }
    } else if (op.requestBody?.required) out.push(`${at}: sends no body, the operation requires one`);
    const declared = op.responses[String(x.status)];
    if (x.status >= 200 && x.status < 300) {
      if (!declared) out.push(`${at}: answered ${x.status}, which the document does not declare`);
      const schema = declared?.content?.["application/json"]?.schema;
      if (schema && x.response !== undefined) {
        const ptr = `/paths/${p.replace(/\//g, "~1")}/${x.method.toLowerCase()}/responses/${x.status}/content/application~1json/schema`;
        const v = this.validator(ptr, schema);
        if (!v(x.response))
          out.push(
            `${at}: response ${JSON.stringify(x.response).slice(0, 300)}: ${this.ajv.errorsText(v.errors)}`,
          );
      }
    }
    return out;
  }
}

/**
 * Records every admin API call made through the global `fetch` to `adminUrl` while installed
 * (the program's provider calls `fetch` itself). `restore()` puts the original back.
 */
export function recordAdminCalls(adminUrl: () => string | undefined): {
  calls: Exchange[];
  restore: () => void;
} {
  const original = globalThis.fetch;
  const calls: Exchange[] = [];
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await original(input, init);
    const base = adminUrl();
    const u = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (!base || !u.href.startsWith(`${base}/v2/`)) return res;
    const text = await res.clone().text();
    let response: unknown;
    try {
      response = text === "" ? undefined : JSON.parse(text);
    } catch {
      response = text;
    }
    calls.push({
      method: init?.method ?? "GET",
      operation: u.pathname.slice("/v2/".length),
      query: Object.fromEntries(u.searchParams.entries()),
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
      status: res.status,
      response,
      authorized: new Headers(init?.headers).has("authorization"),
    });
    return res;
  };
  return { calls, restore: () => (globalThis.fetch = original) };
}
