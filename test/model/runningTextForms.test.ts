import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readRunningDir, RunningStateError } from "../../model/running";
import { tmpDir } from "../support/helpers";

/*
 * The folder of what runs as Windows writes it (model/running.ts readRunningDir): Windows
 * PowerShell 5.1's `>` saves `helm list -o yaml` as UTF-16 LE behind its byte-order mark, with CRLF
 * line ends, and Notepad's "UTF-8 with BOM" puts EF BB BF first. Such a report is read as the text it
 * holds; bytes that are no text are refused naming the file and what they are, never shown.
 */

const LIST = "- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0\n  status: deployed\n";
const EMPTY = "apiVersion: v1\nkind: List\nitems: []\n";

/** `text` in the form `form`: as Windows tools save it. */
function saved(text: string, form: "utf16le-bom" | "utf16be-bom" | "utf8-bom" | "utf16le"): Buffer {
  const crlf = text.replace(/\n/g, "\r\n");
  const le = Buffer.from(crlf, "utf16le");
  if (form === "utf16le-bom") return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  if (form === "utf16le") return le;
  if (form === "utf8-bom") return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf)]);
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
}

function folder(files: Record<string, string | Buffer>): string {
  const dir = tmpDir("running-forms");
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), t);
  return dir;
}

/** What readRunningDir refuses the folder with (a RunningStateError, else the test fails). */
function refusal(dir: string): string {
  const e: unknown = (() => {
    try {
      return readRunningDir(dir);
    } catch (thrown) {
      return thrown;
    }
  })();
  assert.ok(e instanceof RunningStateError, `not refused as the running state's: ${String(e)}`);
  return e.message;
}

describe("model/running: reports saved as Windows saves them", () => {
  for (const form of ["utf16le-bom", "utf16be-bom", "utf8-bom"] as const)
    it(`reads helm-list.yaml and a values file saved as ${form}`, () => {
      const dir = folder({
        "helm-list.yaml": saved(LIST, form),
        "monitoring.loki.values.yaml": saved(
          "deploymentMode: SimpleScalable\nloki:\n  auth_enabled: false\n",
          form,
        ),
        "statefulsets.yaml": saved(EMPTY, form),
        "pvcs.yaml": EMPTY,
      });
      const state = readRunningDir(dir);
      assert.deepEqual(
        state.releases.map((r) => [r.namespace, r.name, r.chart, r.version, r.status?.value]),
        [["monitoring", "loki", "loki", "6.49.0", "deployed"]],
      );
      assert.deepEqual(state.releases[0].values, {
        deploymentMode: "SimpleScalable",
        loki: { auth_enabled: false },
      });
      // The line of its status is the text's line, as in the UTF-8 file.
      assert.equal(state.releases[0].status?.at, `${path.join(dir, "helm-list.yaml")}:4`);
    });

  it("refuses UTF-16 without its byte-order mark naming the file and what it holds, without the bytes", () => {
    const dir = folder({
      "helm-list.yaml": saved(LIST, "utf16le"),
      "statefulsets.yaml": EMPTY,
      "pvcs.yaml": EMPTY,
    });
    const text = refusal(dir);
    assert.equal(
      text,
      `${path.join(dir, "helm-list.yaml")}: expected the list \`helm list -o yaml\` prints (entries with name, namespace, chart), found bytes that are no UTF-8 text: NUL bytes, as UTF-16 text without its byte-order mark holds; save it as UTF-8, or as UTF-16 with its byte-order mark (what Windows PowerShell's > writes); collect it with: helm list -n NAMESPACE -o yaml > ${dir}/helm-list.yaml (NAMESPACE: the one the running releases are in)`,
    );
    assert.doesNotMatch(text, /\u0000|\uFFFD|n a m e/);
  });

  it("refuses bytes that are not UTF-8 (Latin-1) naming the file, never printing them", () => {
    const dir = folder({
      "helm-list.yaml": LIST,
      "monitoring.loki.values.yaml": Buffer.from("loki:\n  note: caf\xe9\n", "latin1"),
      "statefulsets.yaml": EMPTY,
      "pvcs.yaml": EMPTY,
    });
    const text = refusal(dir);
    assert.match(
      text,
      /monitoring\.loki\.values\.yaml: expected the values `helm get values --all -o yaml` prints \(a map of the chart's values\), found bytes that are no UTF-8 text; save it as UTF-8, /,
    );
    assert.doesNotMatch(text, /caf|\uFFFD/);
  });
});
