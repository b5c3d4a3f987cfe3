/**
 * The subcommands and flags of the tools the README tells you to run, as their sources define them.
 * A flag is "--long|-s" (a switch) or "--long|-s=" (takes a value, as `--long v` or `--long=v`).
 * `persistent` flags reach every subcommand (cobra PersistentFlags, kingpin's app flags, urfave/cli
 * global flags); `flags` only the command itself. Only the subcommands the runbooks use (and their
 * close neighbours) are listed: a README command outside the table fails the test until its entry
 * is added from the tool's source.
 */
export interface CommandSpec {
  flags?: string[];
  persistent?: string[];
  aliases?: string[];
  sub?: Record<string, CommandSpec>;
  /** Runs without a subcommand although it has some (implied by own `flags`). */
  runnable?: boolean;
}

export interface ToolSpec {
  /** Where the table was read: repository, path and version or commit. */
  source: string;
  root: CommandSpec;
  /** `<tool> <path> --help` can run here; the test checks the table and the README against it. */
  helpBinary?: string;
}

// pulumi/pulumi pkg/cmd/pulumi at commit 1b5949891b (pkg/v3.259.0+14): the root's persistent flags
// (pulumi.go), then one entry per command file.
const pulumiOps = [
  "--stack|-s=",
  "--config-file=",
  "--config|-c=",
  "--config-path",
  "--debug|-d",
  "--message|-m=",
  "--target|-t=",
  "--exclude|-x=",
  "--target-dependents",
  "--exclude-dependents",
  "--diff",
  "--json|-j",
  "--parallel|-p=",
  "--refresh|-r=",
  "--run-program",
  "--skip-config-validation",
  "--show-config",
  "--show-replacement-steps",
  "--show-sames",
  "--show-reads",
  "--urns",
  "--suppress-outputs",
  "--suppress-progress",
  "--suppress-permalink=",
  "--show-full-output",
  "--skip-plugin-pre-install",
  "--event-log=",
  "--neo",
];
// operations/preview.go and up.go also take policy packs, replacements and the expectation switch.
const pulumiPreviewUp = [
  ...pulumiOps,
  "--expect-no-changes",
  "--policy-pack=",
  "--policy-pack-config=",
  "--replace=",
  "--target-replace=",
  "--show-policy-remediations",
  "--show-secrets",
  "--ignore-protect",
  "--attach-debugger=",
];

const pulumi: ToolSpec = {
  source: "pulumi/pulumi pkg/cmd/pulumi (commit 1b5949891b, pkg/v3.259.0+14)",
  root: {
    persistent: [
      "--cwd|-C=",
      "--emoji|-e",
      "--fully-qualify-stack-names|-Q",
      "--disable-integrity-checking",
      "--logflow",
      "--logtostderr",
      "--non-interactive",
      "--tracing=",
      "--otel-traces=",
      "--profiling=",
      "--memprofilerate=",
      "--verbose|-v=",
      "--color=",
      "--help|-h",
    ],
    sub: {
      // auth/login.go
      login: {
        flags: [
          "--cloud-url|-c=",
          "--default-org=",
          "--local|-l",
          "--insecure",
          "--interactive",
          "--oidc-token=",
          "--oidc-org=",
          "--oidc-team=",
          "--oidc-user=",
          "--oidc-expiration=",
        ],
      },
      // whoami/whoami.go (--output and its --json alias: pkg/util/outputflag VarWithJSONAlias)
      whoami: { persistent: ["--verbose|-v", "--output=", "--json|-j"] },
      // version/version.go
      version: {},
      // operations/preview.go (alias pre), up.go (alias update), destroy.go (down, dn), refresh.go
      preview: {
        aliases: ["pre"],
        flags: [...pulumiPreviewUp, "--save-plan=", "--import-file=", "--client="],
      },
      up: {
        aliases: ["update"],
        flags: [
          ...pulumiPreviewUp,
          "--secrets-provider=",
          "--skip-preview|-f",
          "--yes|-y",
          "--continue-on-error",
          "--plan=",
          "--strict",
          "--client=",
        ],
      },
      destroy: {
        aliases: ["down", "dn"],
        flags: [
          ...pulumiOps,
          "--remove",
          "--exclude-protected",
          "--ignore-protect",
          "--preview-only",
          "--skip-preview|-f",
          "--continue-on-error",
          "--yes|-y",
          "--client=",
        ],
      },
      refresh: {
        flags: [
          ...pulumiOps,
          "--expect-no-changes",
          "--preview-only",
          "--skip-preview|-f",
          "--yes|-y",
          "--skip-pending-creates",
          "--clear-pending-creates",
          "--import-pending-creates=",
          "--client=",
        ],
      },
      // stack/stack.go and one file per subcommand
      stack: {
        persistent: ["--stack|-s="],
        flags: ["--show-ids|-i", "--show-urns|-u", "--show-secrets", "--show-name"],
        sub: {
          // stack_new.go: Use "new", aliases init, create, setup
          new: {
            aliases: ["init", "create", "setup"],
            flags: [
              "--secrets-provider=",
              "--copy-config-from=",
              "--no-select",
              "--teams=",
              "--remote-config",
              "--yes|-y",
            ],
          },
          select: { flags: ["--create|-c", "--secrets-provider="] },
          export: { flags: ["--file=", "--version=", "--show-secrets"] },
          // stack_import.go
          import: { flags: ["--force|-f", "--file="] },
          // stack_remove.go: Use "remove", aliases rm, delete
          remove: {
            aliases: ["rm", "delete"],
            flags: ["--force|-f", "--yes|-y", "--preserve-config", "--remove-backups"],
          },
          list: {
            aliases: ["ls"],
            flags: ["--all|-a", "--organization|-o=", "--project|-p=", "--tag|-t="],
          },
          output: { flags: ["--json|-j", "--shell", "--show-secrets"] },
          // stack_history.go: alias hist
          history: {
            aliases: ["hist"],
            flags: ["--full-dates", "--page-size=", "--page=", "--show-secrets"],
          },
        },
      },
      // config/config.go
      config: {
        persistent: ["--stack|-s=", "--config-file="],
        flags: ["--show-secrets", "--open", "--json|-j"],
        sub: {
          set: { flags: ["--path", "--plaintext", "--secret", "--type=", "--raw"] },
          get: { flags: ["--json|-j", "--open", "--path"] },
          remove: { aliases: ["rm", "delete"], flags: ["--path"] },
        },
      },
      // state/state.go; state_delete.go (Use "remove", aliases rm, delete), state_protect.go,
      // state_unprotect.go
      state: {
        sub: {
          remove: {
            aliases: ["rm", "delete"],
            flags: ["--stack|-s=", "--force", "--yes|-y", "--all", "--target-dependents"],
          },
          protect: { flags: ["--stack|-s=", "--all", "--yes|-y"] },
          unprotect: { flags: ["--stack|-s=", "--all", "--yes|-y"] },
        },
      },
      // policy/policy.go; policy_publish.go (optional org name), policy_enable.go (two arguments),
      // policy_list.go
      policy: {
        sub: {
          publish: {},
          enable: { flags: ["--policy-group=", "--config="] },
          disable: { flags: ["--policy-group=", "--version="] },
          list: { aliases: ["ls"], persistent: ["--output=", "--json|-j"] },
        },
      },
    },
  },
};

// helm/helm v3.17.3: pkg/cli/environment.go AddFlags (persistent), cmd/helm/*.go per command, the
// output flag from cmd/helm/flags.go bindOutputFlag.
const helm: ToolSpec = {
  source: "helm/helm v3.17.3 cmd/helm, pkg/cli/environment.go",
  helpBinary: "helm",
  root: {
    persistent: [
      "--namespace|-n=",
      "--kube-context=",
      "--kubeconfig=",
      "--debug",
      "--registry-config=",
      "--repository-config=",
      "--repository-cache=",
      "--burst-limit=",
      "--qps=",
      "--kube-apiserver=",
      "--kube-as-user=",
      "--kube-as-group=",
      "--kube-token=",
      "--kube-ca-file=",
      "--kube-insecure-skip-tls-verify",
      "--kube-tls-server-name=",
      "--help|-h",
    ],
    sub: {
      version: { flags: ["--short", "--template="] },
      list: {
        aliases: ["ls"],
        flags: [
          "--short|-q",
          "--no-headers",
          "--time-format=",
          "--date|-d",
          "--reverse|-r",
          "--all|-a",
          "--uninstalled",
          "--superseded",
          "--uninstalling",
          "--deployed",
          "--failed",
          "--pending",
          "--all-namespaces|-A",
          "--max|-m=",
          "--offset=",
          "--filter|-f=",
          "--selector|-l=",
          "--output|-o=",
        ],
      },
      get: {
        sub: {
          values: { flags: ["--revision=", "--all|-a", "--output|-o="] },
          manifest: { flags: ["--revision="] },
        },
      },
      history: { aliases: ["hist"], flags: ["--max=", "--output|-o="] },
      status: { flags: ["--revision=", "--show-desc", "--show-resources", "--output|-o="] },
      repo: {
        sub: {
          add: {
            flags: [
              "--username=",
              "--password=",
              "--password-stdin",
              "--force-update",
              "--no-update",
              "--cert-file=",
              "--key-file=",
              "--ca-file=",
              "--insecure-skip-tls-verify",
              "--allow-deprecated-repos",
              "--pass-credentials",
            ],
          },
          update: { aliases: ["up"], flags: ["--fail-on-repo-update-fail"] },
        },
      },
      pull: {
        flags: [
          "--repo=",
          "--version=",
          "--destination|-d=",
          "--untar",
          "--untardir=",
          "--devel",
          "--prov",
          "--verify",
          "--keyring=",
        ],
      },
    },
  },
};

// kubernetes/kubectl tag kubernetes-1.32.13 pkg/cmd (port-forward, label, annotate, get, config,
// version); the persistent flags are k8s.io/cli-runtime genericclioptions ConfigFlags.AddFlags.
const kubectl: ToolSpec = {
  source:
    "kubernetes/kubectl kubernetes-1.32.13 pkg/cmd; k8s.io/cli-runtime genericclioptions/config_flags.go",
  helpBinary: "kubectl",
  root: {
    persistent: [
      "--namespace|-n=",
      "--context=",
      "--kubeconfig=",
      "--cluster=",
      "--user=",
      "--server|-s=",
      "--token=",
      "--request-timeout=",
      "--as=",
      "--as-group=",
      "--insecure-skip-tls-verify",
      "--help|-h",
    ],
    sub: {
      version: { flags: ["--client", "--output|-o="] },
      "port-forward": { flags: ["--address=", "--pod-running-timeout="] },
      get: {
        flags: [
          "--output|-o=",
          "--no-headers",
          "--watch|-w",
          "--ignore-not-found",
          "--field-selector=",
          "--selector|-l=",
          "--all-namespaces|-A",
          "--raw=",
        ],
      },
      label: {
        flags: [
          "--overwrite",
          "--list",
          "--local",
          "--all",
          "--all-namespaces|-A",
          "--selector|-l=",
          "--field-selector=",
          "--resource-version=",
          "--dry-run=",
          "--filename|-f=",
        ],
      },
      annotate: {
        flags: [
          "--overwrite",
          "--list",
          "--local",
          "--all",
          "--all-namespaces|-A",
          "--selector|-l=",
          "--field-selector=",
          "--resource-version=",
          "--dry-run=",
          "--filename|-f=",
        ],
      },
      // cp/cp.go (--container from cmdutil.AddContainerVarFlags), scale/scale.go, run/run.go,
      // wait/wait.go, delete/delete.go + delete_flags.go
      cp: { flags: ["--container|-c=", "--no-preserve", "--retries="] },
      scale: {
        flags: [
          "--replicas=",
          "--current-replicas=",
          "--resource-version=",
          "--all",
          "--timeout=",
          "--selector|-l=",
          "--filename|-f=",
          "--dry-run=",
        ],
      },
      run: {
        flags: [
          "--image=",
          "--restart=",
          "--overrides=",
          "--env=",
          "--labels|-l=",
          "--command",
          "--rm",
          "--port=",
          "--stdin|-i",
          "--tty|-t",
          "--attach",
          "--quiet|-q",
          "--privileged",
          "--pod-running-timeout=",
          "--dry-run=",
        ],
      },
      wait: { flags: ["--for=", "--timeout=", "--all", "--selector|-l=", "--filename|-f="] },
      delete: {
        flags: [
          "--all",
          "--all-namespaces|-A",
          "--force",
          "--now",
          "--grace-period=",
          "--timeout=",
          "--ignore-not-found",
          "--wait",
          "--selector|-l=",
          "--field-selector=",
          "--filename|-f=",
          "--output|-o=",
          "--dry-run=",
        ],
      },
      config: {
        sub: {
          "get-contexts": { flags: ["--no-headers", "--output|-o="] },
          "current-context": {},
          "use-context": { aliases: ["use"] },
        },
      },
    },
  },
};

// fluxcd/flux2 cmd/flux at v2.9.0+36 (commit da2d22d3): main.go root flags plus cli-runtime's
// ConfigFlags without --server's short form and --request-timeout; suspend.go, resume.go,
// export.go, get.go and their helmrelease (hr) and kustomization (ks) files.
const fluxKinds = (flags: string[] = []): Record<string, CommandSpec> => ({
  helmrelease: { aliases: ["hr"], flags },
  kustomization: { aliases: ["ks"], flags },
});
const flux: ToolSpec = {
  source: "fluxcd/flux2 cmd/flux (commit da2d22d3, v2.9.0+36)",
  root: {
    persistent: [
      "--timeout=",
      "--verbose",
      "--ns-follows-kube-context",
      "--server=",
      "--namespace|-n=",
      "--context=",
      "--kubeconfig=",
      "--cluster=",
      "--user=",
      "--token=",
      "--help|-h",
    ],
    sub: {
      suspend: { persistent: ["--all"], sub: fluxKinds() },
      resume: { persistent: ["--all", "--wait"], sub: fluxKinds() },
      export: { persistent: ["--all"], sub: fluxKinds() },
      get: {
        persistent: [
          "--all-namespaces|-A",
          "--no-header",
          "--watch|-w",
          "--status-selector=",
          "--label-selector|-l=",
        ],
        sub: {
          helmreleases: { aliases: ["hr", "helmrelease"], flags: ["--show-source"] },
          kustomizations: { aliases: ["ks", "kustomization"], flags: ["--show-source"] },
        },
      },
    },
  },
};

// prometheus/alertmanager v0.25.0 cli/ (root.go app flags, silence*.go, routing.go,
// test_routing.go, check_config.go); the Debian amtool here is 0.25.0.
const amtool: ToolSpec = {
  source: "prometheus/alertmanager v0.25.0 cli/",
  helpBinary: "amtool",
  root: {
    persistent: [
      "--verbose|-v",
      "--alertmanager.url=",
      "--output|-o=",
      "--timeout=",
      "--http.config.file=",
      "--version-check",
      "--help|-h",
    ],
    sub: {
      silence: {
        sub: {
          query: { flags: ["--expired", "--quiet|-q", "--created-by=", "--within="] },
          import: { flags: ["--force|-f", "--worker|-w="] },
          add: {
            flags: [
              // --require-comment exists but is Hidden() (silence_add.go), absent from --help.
              "--author|-a=",
              "--duration|-d=",
              "--start=",
              "--end=",
              "--comment|-c=",
            ],
          },
        },
      },
      config: {
        sub: {
          show: {},
          routes: {
            persistent: ["--config.file="],
            sub: { show: {}, test: { flags: ["--verify.receivers=", "--tree"] } },
          },
        },
      },
      "check-config": {},
    },
  },
};

// minio/mc at RELEASE.2025-08-13T08-35-41Z+2 (commit 77f82e18): cmd/flags.go global flags,
// cmd/alias-set.go, cmd/mirror-main.go, cmd/ls-main.go.
const mc: ToolSpec = {
  source: "minio/mc cmd/ (commit 77f82e18, RELEASE.2025-08-13T08-35-41Z+2)",
  root: {
    persistent: [
      "--config-dir|-C=",
      "--quiet|-q",
      "--disable-pager",
      "--no-color",
      "--json",
      "--debug",
      "--resolve=",
      "--insecure",
      "--limit-upload=",
      "--limit-download=",
      "--custom-header|-H=",
      "--help|-h",
    ],
    sub: {
      alias: { sub: { set: { aliases: ["s"], flags: ["--path=", "--api="] } } },
      // cmd/mirror-main.go
      mirror: {
        flags: [
          "--force",
          "--overwrite",
          "--fake",
          "--dry-run",
          "--watch|-w",
          "--remove",
          "--region=",
          "--preserve|-a",
          "--md5",
          "--active-active",
          "--disable-multipart",
          "--exclude=",
          "--exclude-bucket=",
          "--exclude-storageclass=",
          "--older-than=",
          "--newer-than=",
          "--storage-class=",
          "--attr=",
          "--retry",
          "--summary",
          "--skip-errors",
          "--max-workers=",
        ],
      },
      ls: {
        flags: [
          "--rewind=",
          "--versions",
          "--recursive|-r",
          "--incomplete|-I",
          "--summarize",
          "--storage-class=",
          "--zip",
        ],
      },
    },
  },
};

// The 1Password CLI is closed source: its command reference (developer.1password.com/docs/cli/
// reference, "Global flags") is what can be read.
const op: ToolSpec = {
  source: "1Password CLI 2 command reference (developer.1password.com/docs/cli/reference; no public source)",
  root: {
    runnable: true,
    persistent: [
      "--account=",
      "--cache",
      "--config=",
      "--debug",
      "--encoding=",
      "--format=",
      "--iso-timestamps",
      "--no-color",
      "--session=",
      "--version",
      "--help|-h",
    ],
    sub: { whoami: {} },
  },
};

// siderolabs/talos cmd/talosctl (commit ad8823176, v1.14.0-beta.1+84): cmd/talos/root.go
// persistent flags, cmd/talos/patch.go (`patch <type>`; --mode from helpers.AddModeFlags).
const talosctl: ToolSpec = {
  source: "siderolabs/talos cmd/talosctl (commit ad8823176, v1.14.0-beta.1+84)",
  root: {
    persistent: [
      "--talosconfig=",
      "--nodes|-n=",
      "--endpoints|-e=",
      "--cluster|-c=",
      "--context=",
      "--help|-h",
    ],
    sub: {
      patch: {
        flags: ["--namespace=", "--patch-file=", "--patch|-p=", "--dry-run", "--timeout=", "--mode|-m="],
      },
    },
  },
};

// VictoriaMetrics/VictoriaMetrics (commit b7ef6cc3ed, v1.150.0+25): app/vmbackup/main.go and
// lib/backup/actions/util.go define these with Go's flag package (one dash, `-name=value`).
const vmbackup: ToolSpec = {
  source:
    "VictoriaMetrics/VictoriaMetrics app/vmbackup/main.go, lib/backup/actions/util.go (commit b7ef6cc3ed)",
  root: {
    runnable: true,
    persistent: [
      "-storageDataPath=",
      "-snapshotName=",
      "-snapshot.createURL=",
      "-dst=",
      "-origin=",
      "-customS3Endpoint=",
      "-credsFilePath=",
      "-configFilePath=",
      "-configProfile=",
      "-s3ForcePathStyle",
      "-help",
    ],
  },
};

// VictoriaMetrics vmctl (urfave/cli): the `vm-native` command's flags as the Debian vmctl here
// (1.79.5) lists them in `vmctl vm-native --help` (the source was not read).
const vmctl: ToolSpec = {
  source: "vmctl 1.79.5 (Debian) `vm-native --help`",
  helpBinary: "vmctl",
  root: {
    sub: {
      "vm-native": {
        flags: [
          "--vm-native-filter-match=",
          "--vm-native-filter-time-start=",
          "--vm-native-filter-time-end=",
          "--vm-native-src-addr=",
          "--vm-native-src-user=",
          "--vm-native-src-password=",
          "--vm-native-dst-addr=",
          "--vm-native-dst-user=",
          "--vm-native-dst-password=",
          "--vm-extra-label=",
          "--vm-rate-limit=",
          "--help|-h",
        ],
      },
    },
  },
};

export const TOOLS: Record<string, ToolSpec> = {
  pulumi,
  helm,
  kubectl,
  flux,
  amtool,
  mc,
  op,
  talosctl,
  vmbackup,
  vmctl,
};

/**
 * Commands of the README that are not checked against a table: shell built-ins and plain Unix
 * tools whose use there is ordinary (a program outside both lists fails the test).
 */
export const PLAIN_COMMANDS = [
  "cd",
  "exit",
  "export",
  "unset",
  "echo",
  "for",
  "kill",
  "mkdir",
  "cat",
  "jq",
  "grep",
  "sleep",
  "git",
  "node",
  "npx",
  "bash",
  "sudo",
  "ls",
  "wait",
  "printf",
  "tee",
  "sysctl",
  "date",
  "curl",
  "base64",
];
