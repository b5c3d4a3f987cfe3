/*
 * The image reference grammar, read by the chartValues image check (config/imageValueCheck.ts)
 * and the registry mirrors' prefixes (config/imageMirrors.ts).
 *
 * It is github.com/distribution/reference regexp.go (the reference parser of Docker and
 * containerd): `referencePat` = name [":" tag] ["@" digest], the name being an optional
 * `domainAndPort` "/" then `/`-separated `pathComponent`s of lowercase letters and digits joined
 * by one '.', one or two '_' or any number of '-'; a `tag` is `[\w][\w.-]{0,127}`; a `digestPat`
 * an algorithm, ':' and at least 32 hex digits. reference.go adds NameTotalLengthMax (255
 * characters for the name). A sha256 digest is 64 lowercase hex digits (model/versions.ts
 * DIGEST_FORM, the form the pins take).
 */
const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_AND_PORT = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
export const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
export const TAG = "[\\w][\\w.-]{0,127}";
export const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
export const anchored = (pat: string) => new RegExp(`^(?:${pat})$`);
export const NAME_MAX = 255;

const REGISTRY_PREFIX = anchored(`${DOMAIN_AND_PORT}(?:/${REMOTE_NAME})?`);

/**
 * Whether `v` is a registry as a reference's name begins with it: a host name or [IPv6] address,
 * an optional :port and an optional /path (a chart's `image.registry`, a mirror's prefix; a
 * registry may carry a path after its host, a mirror's project, `harbor.lan/dockerhub`).
 */
export const isRegistryPrefix = (v: string): boolean => REGISTRY_PREFIX.test(v) && v.length <= NAME_MAX;
