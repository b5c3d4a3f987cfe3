/**
 * Keys of Loki's config that Loki 3.0 removed, by block, each with the key that does its work now
 * (grafana/loki #10840 "Remove shared_store and shared_store_key_prefix from shipper and
 * compactor"; the delete requests' store is `delete_request_store`, its prefix
 * `delete_request_store_key_prefix`, default "index/" as the old prefix's). Loki 3 parses its config
 * file strictly (pkg/util/cfg/dynamic.go ConfigFileLoader, strict) and its compactor Config
 * (pkg/compactor/config.go) has no such field, so a leftover stops it at start. The pack
 * (`loki-shared-store-removed`, on a release's values and the rendered config) and the stack
 * config's check of `chartValues.loki.loki` (config/lokiValueCheck.ts) both say so, with the key
 * that replaces it rather than a closest match.
 */
export const LOKI_REMOVED_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  compactor: {
    shared_store: "delete_request_store",
    shared_store_key_prefix: "delete_request_store_key_prefix",
  },
};
