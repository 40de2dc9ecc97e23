/*
 * Who the HTTP API trusts, and which browser origins may call it, decided once from the stage's params
 * at variable-resolution time (`${file(./serverless/auth.js):<name>}`), so that the authorizer, the
 * Cognito resources and the CORS rules can never disagree:
 *
 * - stage `local`: the params as they are (the local stack's own issuer, serverless.yml params.local);
 * - `--param jwtIssuer=https://… --param jwtAudience=a[,b]`: that OIDC issuer, and no Cognito resource;
 * - both empty (the default): this stack's own Cognito user pool (serverless/auth-resources.yml), whose
 *   issuer is `https://cognito-idp.<region>.amazonaws.com/<pool id>` and whose audience is its app clients
 *   (Cognito access tokens carry `client_id`, which API Gateway matches against the audience).
 * - only one of the two set: packaging fails.
 *
 * CORS (`corsAllowedOrigins`, comma-separated): `*` only for stage `local`; elsewhere explicit origins,
 * and none (no CORS at all) by default. The pure functions take plain values, for the unit tests.
 */
const { configError } = require('./config-error');

const USER_POOL = 'UserPool';
const COGNITO_CLIENTS = ['UserPoolWebClient', 'UserPoolMachineClient'];
const COGNITO_ISSUER = {
  'Fn::Sub': `https://cognito-idp.\${AWS::Region}.amazonaws.com/\${${USER_POOL}}`,
};
const RESERVED_DOMAIN_WORDS = ['aws', 'amazon', 'cognito'];

/** `a, b,,c` → ['a', 'b', 'c']. */
function splitList(value) {
  return String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * The authorizer's issuer and audience for `stage` from the jwtIssuer / jwtAudience params, and whether
 * the stack creates its own Cognito user pool. Issuer and audience items may be CloudFormation intrinsics.
 */
function authorizerSettings(stage, params) {
  const issuer = String(params.jwtIssuer ?? '').trim();
  const audience = splitList(params.jwtAudience);
  if (stage === 'local') {
    if (!issuer || audience.length === 0)
      throw configError(
        'stage local needs the jwtIssuer and jwtAudience params (serverless.yml params.local)',
      );
    return { useCognito: false, issuerUrl: issuer, audience };
  }
  if (!issuer && audience.length === 0) {
    return {
      useCognito: true,
      issuerUrl: COGNITO_ISSUER,
      audience: COGNITO_CLIENTS.map((client) => ({ Ref: client })),
    };
  }
  if (!issuer || audience.length === 0) {
    throw configError(
      `stage ${stage}: set both jwtIssuer and jwtAudience (an external OIDC issuer) or neither ` +
        `(this stack's own Cognito user pool); only ${issuer ? 'jwtIssuer' : 'jwtAudience'} is set`,
    );
  }
  let url;
  try {
    url = new URL(issuer);
  } catch {
    throw configError(`stage ${stage}: jwtIssuer "${issuer}" is not a URL`);
  }
  if (url.protocol !== 'https:')
    throw configError(`stage ${stage}: jwtIssuer must be an https:// URL (API Gateway fetches its JWKS)`);
  return { useCognito: false, issuerUrl: issuer, audience };
}

/** The allowed origins of `stage`: `*` only locally; anything else must be a scheme://host[:port] origin. */
function corsOrigins(stage, value) {
  const origins = splitList(value);
  for (const origin of origins) {
    if (origin.includes('*')) {
      if (stage === 'local' && origin === '*') continue;
      throw configError(
        `stage ${stage}: corsAllowedOrigins may not contain "*" outside stage local; ` +
          'list the origins, comma-separated (--param="corsAllowedOrigins=https://app.example.com")',
      );
    }
    if (!/^https?:\/\/[^/\s?#]+$/.test(origin))
      throw configError(
        `stage ${stage}: corsAllowedOrigins entry "${origin}" is not an origin (scheme://host[:port])`,
      );
  }
  return origins;
}

/** provider.httpApi.cors: what a browser page may send and read; false (no CORS) without origins. */
function httpApiCorsOf(stage, value) {
  const origins = corsOrigins(stage, value);
  if (origins.length === 0) return false;
  return {
    allowedOrigins: origins,
    allowedHeaders: ['authorization', 'content-type'],
    allowedMethods: ['GET', 'POST', 'DELETE'],
    exposedResponseHeaders: ['x-request-id'],
    maxAge: 600,
  };
}

/**
 * The hosted-domain prefix (`<prefix>-<account id>.auth.<region>.amazoncognito.com`): lowercase letters,
 * digits and hyphens, and never aws, amazon or cognito (Cognito refuses those).
 */
function domainPrefixOf(service, stage) {
  const prefix = `${service}-${stage}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  const reserved = RESERVED_DOMAIN_WORDS.find((word) => prefix.includes(word));
  if (reserved)
    throw configError(
      `Cognito domain prefix "${prefix}" contains "${reserved}", which Cognito refuses: rename the stage`,
    );
  // 63 characters at most, with "-" and the 12-digit account id appended.
  if (prefix.length > 50) throw configError(`Cognito domain prefix "${prefix}" is longer than 50 characters`);
  return prefix;
}

/** Callback or logout URLs of the web client: https, or http only on localhost; at least one. */
function redirectUrls(stage, name, value) {
  const urls = splitList(value);
  if (urls.length === 0) {
    throw configError(
      `stage ${stage} creates a Cognito web client: set --param="${name}=https://app.example.com/…" ` +
        '(comma-separated), or trust another issuer with jwtIssuer and jwtAudience',
    );
  }
  for (const url of urls) {
    if (!/^https:\/\/\S+$/.test(url) && !/^http:\/\/localhost(:\d+)?(\/\S*)?$/.test(url))
      throw configError(
        `stage ${stage}: ${name} entry "${url}" must be https:// (http:// only for localhost)`,
      );
  }
  return urls;
}

const param = (resolveVariable, name) => resolveVariable(`param:${name}`);

async function settings(resolveVariable) {
  const stage = await resolveVariable('sls:stage');
  const jwtIssuer = await param(resolveVariable, 'jwtIssuer');
  const jwtAudience = await param(resolveVariable, 'jwtAudience');
  return { stage, ...authorizerSettings(stage, { jwtIssuer, jwtAudience }) };
}

module.exports = {
  authorizerSettings,
  corsOrigins,
  httpApiCorsOf,
  domainPrefixOf,
  redirectUrls,

  // Resolvers used by serverless.yml and serverless/*.yml.
  issuerUrl: async ({ resolveVariable }) => (await settings(resolveVariable)).issuerUrl,
  audience: async ({ resolveVariable }) => (await settings(resolveVariable)).audience,
  useCognito: async ({ resolveVariable }) => String((await settings(resolveVariable)).useCognito),
  /** The Cognito resources and outputs when the stack has its own user pool, nothing otherwise. */
  cognitoResources: async ({ resolveVariable }) =>
    (await settings(resolveVariable)).useCognito
      ? resolveVariable('file(./serverless/auth-resources.yml)')
      : {},
  cognitoDomainPrefix: async ({ resolveVariable }) =>
    domainPrefixOf(await resolveVariable('self:service'), await resolveVariable('sls:stage')),
  webCallbackUrls: async ({ resolveVariable }) =>
    redirectUrls(
      await resolveVariable('sls:stage'),
      'cognitoCallbackUrls',
      await param(resolveVariable, 'cognitoCallbackUrls'),
    ),
  webLogoutUrls: async ({ resolveVariable }) =>
    redirectUrls(
      await resolveVariable('sls:stage'),
      'cognitoLogoutUrls',
      await param(resolveVariable, 'cognitoLogoutUrls'),
    ),
  /** ACTIVE when the stage's deletionProtection param (a boolean, or 'true' from --param) is on. */
  userPoolDeletionProtection: async ({ resolveVariable }) =>
    String(await param(resolveVariable, 'deletionProtection')) === 'true' ? 'ACTIVE' : 'INACTIVE',
  httpApiCors: async ({ resolveVariable }) =>
    httpApiCorsOf(await resolveVariable('sls:stage'), await param(resolveVariable, 'corsAllowedOrigins')),
  /** The bucket's allowed origins, comma-joined ('' = no CORS rule on the bucket). */
  bucketCorsOrigins: async ({ resolveVariable }) =>
    corsOrigins(await resolveVariable('sls:stage'), await param(resolveVariable, 'corsAllowedOrigins')).join(
      ',',
    ),
};
