/**
 * What Garage's error answers say beyond their status, turned into the words the program adds to
 * them: on its admin API (components/objectstore/garage.ts `garageCall`) and on its S3 API (the
 * move check, verify/objectMove.ts). Pure: an answer's text in, words out. Garage v2.0.0 is
 * Deuxfleurs/garage tag v2.0.0, commit 44587d295a98841abd0ea48477e3837869ec8c74 (read through its
 * mirror deuxfleurs-org/garage).
 */

/**
 * A quorum error of no node asked: Garage's `Error::Quorum(quorum, sets, succeeded, asked, errors)`
 * prints "Could not reach quorum of {} (sets={:?}). {} of {} request succeeded" (v2.0.0
 * src/util/error.rs), where `asked` is the number of nodes the layout gives the data
 * (src/rpc/rpc_helper.rs `try_call_many`'s `to.len()`, `quorum_error`'s `nodes.len()`). "0 of 0"
 * means the layout names no storage node: none was ever applied, or it has gateway nodes only.
 * Both forms were seen on a real 2.0.0 with no layout: "quorum of 1 (sets=None)" from CreateBucket,
 * ListBuckets and GetBucketInfo, "quorum of 0 (sets=Some(1))" from CreateKey; both answered 503
 * ServiceUnavailable (src/api/common/common_error.rs maps Quorum to it).
 */
const NO_STORAGE_NODE = /Could not reach quorum of \d+ \(sets=[^)]*\)\. 0 of 0 request/;

/**
 * The hint for an answer of a Garage that has no storage node in its layout, else "". The commands
 * are Garage's own (v2.0.0 doc/book/quick-start/_index.md, "Creating a cluster layout";
 * src/garage/cli/structs.rs `AssignRoleOpt`, `ApplyLayoutOpt`: `--version` must be the current
 * layout version + 1, which `garage layout show` prints). Its /health still says "Garage is fully
 * operational" then (seen on the real 2.0.0), so nothing else warns.
 */
export function garageNoLayoutHint(status: number, text: string): string {
  if (status !== 503 || !NO_STORAGE_NODE.test(text)) return "";
  return (
    " (Garage asked no node: its cluster layout gives no node a storage role, as before any layout is applied." +
    " Give each node one and apply the layout: `garage status` lists the node IDs," +
    " `garage layout assign -z <zone> -c <capacity> <node id>` for each, then" +
    " `garage layout apply --version <N>` with the N that `garage layout show` prints (1 on a new cluster))"
  );
}

/**
 * The region Garage serves, as its error answers name it: every error body carries its
 * `s3_api.s3_region`, the admin API's as JSON `"region"`, the S3 API's as `<Region>` (v2.0.0
 * src/api/common/generic_server.rs `http_body(&self.region, ...)`, src/api/common/helpers.rs
 * `ErrorBody`, src/api/admin/api_server.rs `run`). Undefined when the answer names none.
 */
export function answeredRegion(text: string): string | undefined {
  const xml = /<Region>([^<]+)<\/Region>/.exec(text)?.[1];
  if (xml !== undefined) return xml;
  try {
    const j = JSON.parse(text) as { region?: unknown };
    return typeof j?.region === "string" && j.region !== "" ? j.region : undefined;
  } catch {
    return undefined;
  }
}
