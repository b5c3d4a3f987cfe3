/*
 * Helm's chart hooks, as far as the pools' share counts their pods: the pack's budget
 * (policy/lib/budget.ts) and, once it counts them, the program's config check of the pools' share
 * (config/sizing.ts) read the one rule.
 */

/** The annotation that makes an object a hook (helm v3.17.3 pkg/release/hook.go:54 HookAnnotation). */
export const HELM_HOOK_ANNOTATION = "helm.sh/hook";

/**
 * The hook events of an uninstall (helm v3.17.3 pkg/release/hook.go:30-31): Helm runs their
 * hooks only from its uninstall action, `pre-delete` before it deletes the release's resources and
 * `post-delete` after (pkg/action/uninstall.go:108-112 and :141-145, execHook; pkg/action/hooks.go
 * :31-40 runs a hook only for an event it lists). Install and upgrade never create them: the
 * manifest sorter puts an object with the annotation among the hooks, not the manifests applied
 * (pkg/releaseutil/manifest_sorter.go:156-194).
 */
const UNINSTALL_EVENTS: ReadonlySet<string> = new Set(["pre-delete", "post-delete"]);

/**
 * Whether an object whose `helm.sh/hook` annotation is `hook` runs only while its release is
 * uninstalled: it is a hook, and each event it lists is an uninstall's. Read as Helm reads it:
 * events split at commas, trimmed and lowercased (manifest_sorter.go:178-186); an unknown event makes
 * Helm skip the object (:188-191), which then runs at no time either, but is not judged here.
 */
export function runsOnlyAtUninstall(hook: unknown): boolean {
  if (typeof hook !== "string") return false;
  const events = hook.split(",").map((e) => e.trim().toLowerCase());
  return events.every((e) => UNINSTALL_EVENTS.has(e));
}
