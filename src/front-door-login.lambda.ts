/**
 * The login function of `MwaaFrontDoor`: the load balancer has signed the user in (OIDC or Cognito)
 * and forwards the request with the user's claims in the `x-amzn-oidc-data` header. The function
 *
 * 1. verifies that header as AWS documents it: a JWT signed with ES256 by the load balancer, whose
 *    public key is fetched from the Region's key endpoint by the key id in the JWT header, whose
 *    `signer` must be this load balancer's ARN and whose `exp` must not have passed;
 * 2. maps the user's groups to one Airflow role (the most privileged that matches), or answers a
 *    plain 403;
 * 3. assumes the IAM role for that Airflow role (named after the user, so each person has their own
 *    Airflow user) and calls `airflow:CreateWebLoginToken`;
 * 4. redirects the browser to the web server's login path for the environment's Airflow version,
 *    on the front door's own host name, with the token in the fragment.
 *
 * Sources:
 * - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
 *   ("User claims encoding and signature verification": header `x-amzn-oidc-data`, ES256, the key
 *   endpoint `https://public-keys.auth.elb.<region>.amazonaws.com/<kid>`, the `signer` field)
 * - https://docs.aws.amazon.com/mwaa/latest/userguide/call-mwaa-apis-web.html (the Airflow 2 login URL
 *   `https://<host>/aws_mwaa/aws-console-sso?login=true#<token>`, tokens valid for 60 seconds)
 * - https://github.com/aws-samples/alb-sso-mwaa (the same flow behind a load balancer: one IAM role per
 *   Airflow role, assumed per login)
 */
import { createPublicKey, createVerify, KeyObject } from 'node:crypto';
import { CreateWebLoginTokenCommand, MWAAClient } from '@aws-sdk/client-mwaa';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** The Airflow roles, most privileged first: a user in several mapped groups gets the first. */
export const ROLE_PRECEDENCE = ['Admin', 'Op', 'User', 'Viewer'] as const;

/** What the function is configured with (from its environment variables). */
export interface Settings {
  /** The ARN of the load balancer that must have signed the claims. */
  readonly loadBalancerArn: string;
  /** The Region of the load balancer (and of the key endpoint). */
  readonly region: string;
  /** The issuer the claims must name (the identity provider's issuer URL). */
  readonly issuer: string;
  /** The environment's name. */
  readonly environmentName: string;
  /** The Airflow major version, 2 or 3. */
  readonly airflowMajorVersion: number;
  /** The front door's host name, where the browser is sent back to. */
  readonly hostName: string;
  /** The claim that holds the user's groups. */
  readonly groupsClaim: string;
  /** Group to Airflow role. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly role: string }>;
  /** Airflow role to the IAM role that may create a token for it. */
  readonly roleArns: { readonly [airflowRole: string]: string };
}

/** Reads the settings from the environment variables the construct sets. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Settings {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new Error(`Missing environment variable ${name}`);
    }
    return value;
  };
  return {
    loadBalancerArn: required('LOAD_BALANCER_ARN'),
    region: required('AWS_REGION'),
    issuer: required('ISSUER'),
    environmentName: required('ENVIRONMENT_NAME'),
    airflowMajorVersion: Number(required('AIRFLOW_MAJOR_VERSION')),
    hostName: required('HOST_NAME'),
    groupsClaim: required('GROUPS_CLAIM'),
    groups: JSON.parse(required('GROUPS')),
    roleArns: JSON.parse(required('ROLE_ARNS')),
  };
}

/** A request the load balancer forwards to a Lambda target (single-value headers). */
export interface AlbRequest {
  readonly path?: string;
  readonly httpMethod?: string;
  readonly headers?: { readonly [name: string]: string | undefined };
}

/** The response a Lambda target gives the load balancer. */
export interface AlbResponse {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly headers: { readonly [name: string]: string };
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** Why a request was refused; the message is logged, never shown. */
export class LoginRefused extends Error {
  constructor(public readonly statusCode: 401 | 403, message: string) {
    super(message);
  }
}

/** What the verification needs from outside: the public key of a key id, and the clock. */
export interface VerificationDeps {
  readonly publicKey: (kid: string) => Promise<string>;
  readonly nowSeconds: () => number;
}

/** The header and the claims of a verified `x-amzn-oidc-data` JWT. */
export interface VerifiedClaims {
  readonly header: { readonly [key: string]: unknown };
  readonly claims: { readonly [key: string]: unknown };
}

/** Key ids are opaque; only this shape is put into the key endpoint's URL. */
const KID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;

/**
 * The load balancer encodes the JWT parts with the URL-safe alphabet and, unlike RFC 7515, may keep
 * the `=` padding (AWS's page warns that standard libraries can reject it); both forms are accepted.
 */
function decodePart(part: string): Buffer {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(part)) {
    throw new LoginRefused(401, 'malformed JWT part');
  }
  return Buffer.from(part.replace(/=+$/, ''), 'base64url');
}

function parseJson(part: string, what: string): { [key: string]: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(decodePart(part).toString('utf8'));
  } catch (e) {
    if (e instanceof LoginRefused) {
      throw e;
    }
    throw new LoginRefused(401, `the JWT ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LoginRefused(401, `the JWT ${what} is not an object`);
  }
  return value as { [key: string]: unknown };
}

/**
 * Verifies the load balancer's signed claims: ES256 only, a well-formed key id, the signature with
 * the Region's public key for that id, `signer` equal to this load balancer's ARN, `iss` equal to
 * the configured issuer, and `exp` (in the JWT header, where the load balancer puts it, and in the
 * claims if present) not passed. Throws `LoginRefused(401)` otherwise.
 */
export async function verifyClaims(jwt: string | undefined, settings: Settings, deps: VerificationDeps): Promise<VerifiedClaims> {
  if (jwt === undefined || jwt === '') {
    throw new LoginRefused(401, 'no x-amzn-oidc-data header');
  }
  const parts = jwt.split('.');
  if (parts.length !== 3) {
    throw new LoginRefused(401, 'the JWT does not have three parts');
  }
  const header = parseJson(parts[0], 'header');
  const claims = parseJson(parts[1], 'payload');
  if (header.alg !== 'ES256') {
    throw new LoginRefused(401, `unexpected algorithm ${String(header.alg)}`);
  }
  if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid)) {
    throw new LoginRefused(401, 'missing or malformed key id');
  }
  // The signer is checked before any key is fetched: a JWT of another load balancer is refused
  // without a network call.
  if (header.signer !== settings.loadBalancerArn) {
    throw new LoginRefused(401, `signed by ${String(header.signer)}, not by this load balancer`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(await deps.publicKey(header.kid));
  } catch (e) {
    throw new LoginRefused(401, `no public key for ${header.kid}: ${(e as Error).message}`);
  }
  // JWS ES256 signatures are the raw 64-byte r||s form (IEEE P1363), not DER.
  const valid = createVerify('SHA256')
    .update(`${parts[0]}.${parts[1]}`)
    .verify({ key, dsaEncoding: 'ieee-p1363' }, decodePart(parts[2]));
  if (!valid) {
    throw new LoginRefused(401, 'bad signature');
  }
  if (header.iss !== settings.issuer) {
    throw new LoginRefused(401, `issued by ${String(header.iss)}, not by ${settings.issuer}`);
  }
  const now = deps.nowSeconds();
  for (const [where, exp] of [['header', header.exp], ['claims', claims.exp]] as const) {
    if (where === 'header' && typeof exp !== 'number') {
      throw new LoginRefused(401, 'no expiry in the JWT header');
    }
    if (exp !== undefined && (typeof exp !== 'number' || exp <= now)) {
      throw new LoginRefused(401, `expired (${where} exp ${String(exp)}, now ${now})`);
    }
  }
  return { header, claims };
}

/** The user's groups from the claim: a list of strings, or one string of comma-separated names. */
export function groupsOf(claims: { readonly [key: string]: unknown }, claim: string): string[] {
  const value = claims[claim];
  if (Array.isArray(value)) {
    return value.filter((g): g is string => typeof g === 'string');
  }
  if (typeof value === 'string') {
    return value.split(',').map(g => g.trim()).filter(g => g.length > 0);
  }
  return [];
}

/** The Airflow role of a user: the most privileged one any of their groups maps to. */
export function airflowRoleFor(groups: string[], settings: Settings): string | undefined {
  const mapped = new Set(settings.groups.filter(m => groups.includes(m.group)).map(m => m.role));
  return ROLE_PRECEDENCE.find(role => mapped.has(role) && settings.roleArns[role] !== undefined);
}

/**
 * The IAM role session name for a user, which becomes part of their Airflow user name: the email,
 * else the subject, in the characters STS allows (`[\w+=,.@-]`, 2 to 64 characters).
 */
export function sessionNameFor(claims: { readonly [key: string]: unknown }): string {
  const who = [claims.email, claims.sub].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (who === undefined) {
    throw new LoginRefused(401, 'the claims have neither email nor sub');
  }
  const name = who.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return name.length >= 2 ? name : `${name}--`.slice(0, 2);
}

/**
 * The URL that logs the browser in to the web server with a token, per Airflow major version.
 *
 * - Airflow 2: `https://<host>/aws_mwaa/aws-console-sso?login=true#<token>` (MWAA user guide,
 *   call-mwaa-apis-web.html).
 * - Airflow 3: the MWAA plugin moved under `/pluginsv2`, so
 *   `https://<host>/pluginsv2/aws_mwaa/aws-console-sso?login=true#<token>`. AWS's user guide documents
 *   the Airflow 3 REST login as `/pluginsv2/aws_mwaa/login` (access-mwaa-apache-airflow-rest-api.html);
 *   the UI path is the one AWS-published samples use. Not verified against a running environment.
 */
export function loginUrl(hostName: string, airflowMajorVersion: number, token: string): string {
  const prefix = airflowMajorVersion >= 3 ? '/pluginsv2' : '';
  return `https://${hostName}${prefix}/aws_mwaa/aws-console-sso?login=true#${token}`;
}

/** What the token call needs from outside. */
export interface TokenDeps {
  readonly sts: STSClient;
  readonly mwaa: (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => MWAAClient;
}

/** Assumes the Airflow role's IAM role as the user and creates a web login token with it. */
export async function createToken(settings: Settings, airflowRole: string, sessionName: string, deps: TokenDeps): Promise<string> {
  const assumed = await deps.sts.send(new AssumeRoleCommand({
    RoleArn: settings.roleArns[airflowRole],
    RoleSessionName: sessionName,
    DurationSeconds: 900,
  }));
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error('AssumeRole returned no credentials');
  }
  const mwaa = deps.mwaa({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
  const response = await mwaa.send(new CreateWebLoginTokenCommand({ Name: settings.environmentName }));
  if (!response.WebToken) {
    throw new Error('CreateWebLoginToken returned no token');
  }
  return response.WebToken;
}

function plain(statusCode: number, statusDescription: string, body: string): AlbResponse {
  return {
    statusCode,
    statusDescription,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    body,
    isBase64Encoded: false,
  };
}

/** Handles one login request; every dependency is given, so that tests can fake them. */
export async function login(request: AlbRequest, settings: Settings, deps: VerificationDeps & TokenDeps): Promise<AlbResponse> {
  let verified: VerifiedClaims;
  try {
    verified = await verifyClaims(request.headers?.['x-amzn-oidc-data'], settings, deps);
  } catch (e) {
    console.warn(`Login refused: ${(e as Error).message}`);
    return plain(401, '401 Unauthorized', 'Unauthorized');
  }
  const groups = groupsOf(verified.claims, settings.groupsClaim);
  const role = airflowRoleFor(groups, settings);
  let sessionName: string;
  try {
    sessionName = sessionNameFor(verified.claims);
  } catch (e) {
    console.warn(`Login refused: ${(e as Error).message}`);
    return plain(401, '401 Unauthorized', 'Unauthorized');
  }
  if (role === undefined) {
    console.warn(`Login refused: ${sessionName} is in no mapped group (${groups.length} groups in claim ${settings.groupsClaim})`);
    return plain(403, '403 Forbidden', 'Forbidden: your groups give you no role in this Airflow environment.');
  }
  let token: string;
  try {
    token = await createToken(settings, role, sessionName, deps);
  } catch (e) {
    console.error(`Login failed for ${sessionName} as ${role}: ${(e as Error).name}: ${(e as Error).message}`);
    return plain(502, '502 Bad Gateway', 'The Airflow login could not be created. Try again, or ask the environment\'s administrators.');
  }
  console.log(`Login of ${sessionName} as ${role}`);
  return {
    statusCode: 302,
    statusDescription: '302 Found',
    headers: { 'Location': loginUrl(settings.hostName, settings.airflowMajorVersion, token), 'Cache-Control': 'no-store' },
    body: '',
    isBase64Encoded: false,
  };
}

/** Public keys by key id, kept for the life of the execution environment (keys do not change). */
const KEYS = new Map<string, string>();

/** Fetches a public key (PEM) from the load balancer's key endpoint of the Region. */
export async function fetchPublicKey(region: string, kid: string): Promise<string> {
  const known = KEYS.get(kid);
  if (known !== undefined) {
    return known;
  }
  const response = await fetch(`https://public-keys.auth.elb.${region}.amazonaws.com/${kid}`, { redirect: 'error' });
  if (!response.ok) {
    throw new Error(`key endpoint answered ${response.status}`);
  }
  const pem = await response.text();
  KEYS.set(kid, pem);
  return pem;
}

let runtime: { settings: Settings; deps: VerificationDeps & TokenDeps } | undefined;

export async function handler(request: AlbRequest): Promise<AlbResponse> {
  if (runtime === undefined) {
    const settings = settingsFromEnvironment();
    runtime = {
      settings,
      deps: {
        publicKey: kid => fetchPublicKey(settings.region, kid),
        nowSeconds: () => Math.floor(Date.now() / 1000),
        sts: new STSClient({ region: settings.region }),
        mwaa: credentials => new MWAAClient({ region: settings.region, credentials }),
      },
    };
  }
  return login(request, runtime.settings, runtime.deps);
}
