/** Filter names and '@type' URLs of the authentication and authorization filters, and Istio's fixed names around them. */
const PREFIX = 'type.googleapis.com/';

export const HTTP_RBAC_FILTER = 'envoy.filters.http.rbac';
export const HTTP_RBAC_TYPE = `${PREFIX}envoy.extensions.filters.http.rbac.v3.RBAC`;
export const NETWORK_RBAC_FILTER = 'envoy.filters.network.rbac';
export const NETWORK_RBAC_TYPE = `${PREFIX}envoy.extensions.filters.network.rbac.v3.RBAC`;
export const HTTP_EXT_AUTHZ_FILTER = 'envoy.filters.http.ext_authz';
export const HTTP_EXT_AUTHZ_TYPE = `${PREFIX}envoy.extensions.filters.http.ext_authz.v3.ExtAuthz`;
export const NETWORK_EXT_AUTHZ_FILTER = 'envoy.filters.network.ext_authz';
export const NETWORK_EXT_AUTHZ_TYPE = `${PREFIX}envoy.extensions.filters.network.ext_authz.v3.ExtAuthz`;
export const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';
export const JWT_AUTHN_TYPE = `${PREFIX}envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication`;
export const URI_TEMPLATE_MATCH_TYPE = `${PREFIX}envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig`;

/** Where jwt_authn puts a verified token's payload in its dynamic metadata (Istio's EnvoyJwtFilterPayload); RBAC reads claims from there. */
export const JWT_PAYLOAD_METADATA_KEY = 'payload';

/** Istio's authzmodel constants: stat prefixes of the TCP filter and of shadow (dry-run, CUSTOM) rules. */
export const RBAC_TCP_STAT_PREFIX = 'tcp.';
export const DRY_RUN_ALLOW_STAT_PREFIX = 'istio_dry_run_allow_';
export const DRY_RUN_DENY_STAT_PREFIX = 'istio_dry_run_deny_';
export const EXT_AUTHZ_SHADOW_STAT_PREFIX = 'istio_ext_authz_';
/** The dynamic metadata key Envoy's RBAC writes the matched shadow policy's name under (after the shadow stat prefix). */
export const SHADOW_EFFECTIVE_POLICY_ID = 'shadow_effective_policy_id';
