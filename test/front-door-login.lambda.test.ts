import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  airflowRoleFor, AlbRequest, fetchPublicKey, groupsOf, login, loginUrl, sessionNameFor, Settings, settingsFromEnvironment, TokenDeps,
  VerificationDeps, verifyClaims,
} from '../src/front-door-login.lambda';

/**
 * The front door's login function with fakes: the load balancer's signed claims are made here with
 * a P-256 key pair, the key endpoint and the clock are functions, and STS and MWAA are mocked.
 */

const REGION = 'eu-west-1';
const ALB_ARN = `arn:aws:elasticloadbalancing:${REGION}:111111111111:loadbalancer/app/front-door/50dc6c495c0c9188`;
const ISSUER = 'https://login.example.com/oauth2/default';
const KID = '4f1e2a3b-1111-2222-3333-444455556666';
const NOW = 1_800_000_000;
const SETTINGS: Settings = {
  loadBalancerArn: ALB_ARN,
  region: REGION,
  issuer: ISSUER,
  environmentName: 'analytics',
  airflowMajorVersion: 2,
  hostName: 'airflow.example.com',
  groupsClaim: 'groups',
  groups: [
    { group: 'airflow-admins', role: 'Admin' },
    { group: 'data-engineers', role: 'User' },
    { group: 'analysts', role: 'Viewer' },
  ],
  roleArns: {
    Admin: 'arn:aws:iam::111111111111:role/login-admin',
    User: 'arn:aws:iam::111111111111:role/login-user',
    Viewer: 'arn:aws:iam::111111111111:role/login-viewer',
  },
};

const albKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

/** A JWT as the load balancer makes it: base64url with padding kept, ES256 in the raw r||s form. */
function albJwt(header: object, claims: object, key: KeyObject = albKeys.privateKey, padded = true): string {
  const enc = (b: Buffer) => {
    const s = b.toString('base64url');
    return padded ? s + '='.repeat((4 - (s.length % 4)) % 4) : s;
  };
  const signingInput = `${enc(Buffer.from(JSON.stringify(header)))}.${enc(Buffer.from(JSON.stringify(claims)))}`;
  const signature = sign('SHA256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${enc(signature)}`;
}

const HEADER = { alg: 'ES256', kid: KID, signer: ALB_ARN, iss: ISSUER, client: 'client-123', exp: NOW + 120 };
const CLAIMS = { sub: '00u1abcd', email: 'jane.doe@example.com', groups: ['data-engineers'] };

const fetched: string[] = [];
const verification: VerificationDeps = {
  publicKey: async kid => {
    fetched.push(kid);
    if (kid !== KID) {
      throw new Error('key endpoint answered 404');
    }
    return pem(albKeys.publicKey);
  },
  nowSeconds: () => NOW,
};

const sts = mockClient(STSClient);
// The MWAA client of the assumed role is a fake whose calls are recorded.
const mwaaCalls: Array<{ credentials: object; input: object }> = [];
let mwaaAnswer: () => Promise<object> = async () => ({ WebToken: 'tok-123', WebServerHostname: 'abc.airflow.eu-west-1.on.aws' });
const tokens: TokenDeps = {
  sts: new STSClient({ region: REGION }),
  mwaa: credentials => ({
    send: async (command: { input: object }) => {
      mwaaCalls.push({ credentials, input: command.input });
      return mwaaAnswer();
    },
  }) as any,
};
const deps = { ...verification, ...tokens };

beforeEach(() => {
  fetched.length = 0;
  mwaaCalls.length = 0;
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'session', Expiration: new Date() } });
  mwaaAnswer = async () => ({ WebToken: 'tok-123', WebServerHostname: 'abc.airflow.eu-west-1.on.aws' });
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'error').mockImplementation(() => {});
  jest.spyOn(console, 'log').mockImplementation(() => {});
});

function request(jwt?: string): AlbRequest {
  return { path: '/aws_mwaa/aws-console-sso', httpMethod: 'GET', headers: jwt === undefined ? {} : { 'x-amzn-oidc-data': jwt } };
}

describe('signature and claims verification', () => {
  test('accepts the load balancer\'s JWT, padded or not, and returns its claims', async () => {
    for (const padded of [true, false]) {
      const verified = await verifyClaims(albJwt(HEADER, CLAIMS, albKeys.privateKey, padded), SETTINGS, verification);
      expect(verified.claims).toEqual(CLAIMS);
      expect(verified.header.signer).toBe(ALB_ARN);
    }
    expect(fetched).toEqual([KID, KID]);
  });

  test.each([
    ['a missing header', undefined, /no x-amzn-oidc-data header/],
    ['two parts', 'a.b', /three parts/],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.e30.AA`, /header is not JSON/],
    ['characters outside base64url', 'ab$c.e30.AA', /malformed JWT part/],
    ['a payload that is a list', `${Buffer.from(JSON.stringify(HEADER)).toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.AA`, /payload is not an object/],
  ])('throws on %s', async (_name, jwt, message) => {
    await expect(verifyClaims(jwt, SETTINGS, verification)).rejects.toThrow(message);
  });

  test('throws on a JWT signed with another key', async () => {
    await expect(verifyClaims(albJwt(HEADER, CLAIMS, otherKeys.privateKey), SETTINGS, verification)).rejects.toThrow('bad signature');
  });

  test('throws on claims changed after signing', async () => {
    const [h, , s] = albJwt(HEADER, CLAIMS).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...CLAIMS, groups: ['airflow-admins'] })).toString('base64url')}.${s}`;
    await expect(verifyClaims(forged, SETTINGS, verification)).rejects.toThrow('bad signature');
  });

  test('throws on another signer before fetching any key', async () => {
    const other = ALB_ARN.replace('front-door', 'someone-else');
    await expect(verifyClaims(albJwt({ ...HEADER, signer: other }, CLAIMS), SETTINGS, verification)).rejects.toThrow(`signed by ${other}, not by this load balancer`);
    expect(fetched).toEqual([]);
  });

  test.each([
    ['HS256', { alg: 'HS256' }, /unexpected algorithm HS256/],
    ['none', { alg: 'none' }, /unexpected algorithm none/],
    ['a key id with a path', { kid: '../evil' }, /malformed key id/],
    ['no key id', { kid: undefined }, /malformed key id/],
    ['an unknown key id', { kid: 'aaaa-bbbb' }, /no public key for aaaa-bbbb/],
    ['another issuer', { iss: 'https://evil.example.com' }, /issued by https:\/\/evil.example.com/],
    ['no expiry', { exp: undefined }, /no expiry in the JWT header/],
    ['an expiry equal to now', { exp: NOW }, /expired \(header exp 1800000000/],
    ['an expiry in the past', { exp: NOW - 1 }, /expired/],
  ])('throws on %s', async (_name, change, message) => {
    await expect(verifyClaims(albJwt({ ...HEADER, ...change }, CLAIMS), SETTINGS, verification)).rejects.toThrow(message);
  });

  test('accepts an expiry one second ahead', async () => {
    await expect(verifyClaims(albJwt({ ...HEADER, exp: NOW + 1 }, CLAIMS), SETTINGS, verification)).resolves.toBeDefined();
  });

  test('throws on an expired exp in the claims, even with a valid header', async () => {
    await expect(verifyClaims(albJwt(HEADER, { ...CLAIMS, exp: NOW - 10 }), SETTINGS, verification)).rejects.toThrow(/expired \(claims exp/);
  });
});

describe('group mapping', () => {
  test.each([
    [['data-engineers'], 'User'],
    [['analysts', 'airflow-admins'], 'Admin'],
    [['analysts', 'data-engineers'], 'User'],
    [['analysts'], 'Viewer'],
    [['marketing'], undefined],
    [[], undefined],
    [['Data-Engineers'], undefined],
  ])('groups %j map to %s', (groups, role) => {
    expect(airflowRoleFor(groups, SETTINGS)).toBe(role);
  });

  test('reads a list claim, a comma-separated string claim, and nothing else', () => {
    expect(groupsOf({ groups: ['a', 'b', 3] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ 'custom:groups': 'a, b,,c' }, 'custom:groups')).toEqual(['a', 'b', 'c']);
    expect(groupsOf({ groups: { a: 1 } }, 'groups')).toEqual([]);
    expect(groupsOf({}, 'groups')).toEqual([]);
  });

  test('session names keep the characters STS allows and at most 64 of them', () => {
    expect(sessionNameFor({ email: 'jane.doe+ops@example.com', sub: 'x' })).toBe('jane.doe+ops@example.com');
    expect(sessionNameFor({ sub: 'auth0|abc def' })).toBe('auth0-abc-def');
    expect(sessionNameFor({ email: 'a'.repeat(80) })).toHaveLength(64);
    expect(sessionNameFor({ sub: 'x' })).toHaveLength(2);
    expect(() => sessionNameFor({ name: 'Jane' })).toThrow('neither email nor sub');
  });
});

describe('the login', () => {
  test.each([
    [2, 'https://airflow.example.com/aws_mwaa/aws-console-sso?login=true#tok-123'],
    [3, 'https://airflow.example.com/pluginsv2/aws_mwaa/aws-console-sso?login=true#tok-123'],
  ])('Airflow %i: assumes the mapped role as the user, creates a token, redirects to the login path', async (major, url) => {
    const response = await login(request(albJwt(HEADER, CLAIMS)), { ...SETTINGS, airflowMajorVersion: major }, deps);
    expect(response.statusCode).toBe(302);
    expect(response.headers.Location).toBe(url);
    expect(sts.commandCalls(AssumeRoleCommand).map(c => c.args[0].input)).toEqual([
      { RoleArn: 'arn:aws:iam::111111111111:role/login-user', RoleSessionName: 'jane.doe@example.com', DurationSeconds: 900 },
    ]);
    expect(mwaaCalls).toEqual([{ credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'session' }, input: { Name: 'analytics' } }]);
  });

  test('the redirect goes to the front door\'s host name, whatever Host the request claims', async () => {
    const r = request(albJwt(HEADER, CLAIMS));
    const response = await login({ ...r, headers: { ...r.headers, host: 'evil.example.net' } }, SETTINGS, deps);
    expect(response.headers.Location).toMatch(/^https:\/\/airflow\.example\.com\//);
    expect(loginUrl('h.example.com', 3, 't')).toBe('https://h.example.com/pluginsv2/aws_mwaa/aws-console-sso?login=true#t');
  });

  test('a user in no mapped group gets a plain 403 and no token', async () => {
    const response = await login(request(albJwt(HEADER, { ...CLAIMS, groups: ['marketing'] })), SETTINGS, deps);
    expect(response).toMatchObject({ statusCode: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    expect(response.headers.Location).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  test.each([
    ['no header', undefined],
    ['an expired JWT', albJwt({ ...HEADER, exp: NOW - 5 }, CLAIMS)],
    ['a JWT of another load balancer', albJwt({ ...HEADER, signer: `${ALB_ARN}0` }, CLAIMS)],
    ['claims without email or sub', albJwt(HEADER, { groups: ['airflow-admins'] })],
  ])('%s gets a 401 and no token', async (_name, jwt) => {
    const response = await login(request(jwt), SETTINGS, deps);
    expect(response.statusCode).toBe(401);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(mwaaCalls).toHaveLength(0);
  });

  test('a failing token call gets a 502 without a token or a redirect', async () => {
    mwaaAnswer = async () => {
      throw Object.assign(new Error('No Airflow role granted in IAM'), { name: 'AccessDeniedException' });
    };
    const response = await login(request(albJwt(HEADER, CLAIMS)), SETTINGS, deps);
    expect(response.statusCode).toBe(502);
    expect(response.headers.Location).toBeUndefined();
    expect(console.error).toHaveBeenCalledWith(expect.stringContaining('AccessDeniedException: No Airflow role granted in IAM'));
  });

  test('a failing AssumeRole, or an answer without a token, gets a 502', async () => {
    sts.on(AssumeRoleCommand).rejects(new Error('not authorized to perform sts:AssumeRole'));
    expect((await login(request(albJwt(HEADER, CLAIMS)), SETTINGS, deps)).statusCode).toBe(502);
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() } });
    mwaaAnswer = async () => ({ WebServerHostname: 'x' });
    expect((await login(request(albJwt(HEADER, CLAIMS)), SETTINGS, deps)).statusCode).toBe(502);
  });
});

test('settings come from the environment variables the construct sets, and a missing one fails', () => {
  const env = {
    LOAD_BALANCER_ARN: ALB_ARN,
    AWS_REGION: REGION,
    ISSUER,
    ENVIRONMENT_NAME: 'analytics',
    AIRFLOW_MAJOR_VERSION: '3',
    HOST_NAME: 'airflow.example.com',
    GROUPS_CLAIM: 'groups',
    GROUPS: JSON.stringify(SETTINGS.groups),
    ROLE_ARNS: JSON.stringify(SETTINGS.roleArns),
  };
  expect(settingsFromEnvironment(env)).toEqual({ ...SETTINGS, airflowMajorVersion: 3 });
  expect(() => settingsFromEnvironment({ ...env, ISSUER: '' })).toThrow('Missing environment variable ISSUER');
});

describe('the public key of a key id', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  test('comes from the Region\'s key endpoint, without following redirects, once per key id', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    global.fetch = (async (url: string, init?: RequestInit) => {
      calls.push([url, init]);
      return { ok: true, status: 200, text: async () => pem(albKeys.publicKey) };
    }) as any;
    expect(await fetchPublicKey('eu-central-1', 'key-one')).toBe(pem(albKeys.publicKey));
    expect(await fetchPublicKey('eu-central-1', 'key-one')).toBe(pem(albKeys.publicKey));
    expect(calls).toEqual([['https://public-keys.auth.elb.eu-central-1.amazonaws.com/key-one', { redirect: 'error' }]]);
  });

  test('an answer other than 200 is an error, and is not kept', async () => {
    let status = 404;
    global.fetch = (async () => ({ ok: status === 200, status, text: async () => pem(otherKeys.publicKey) })) as any;
    await expect(fetchPublicKey('eu-central-1', 'key-two')).rejects.toThrow('key endpoint answered 404');
    status = 200;
    expect(await fetchPublicKey('eu-central-1', 'key-two')).toBe(pem(otherKeys.publicKey));
  });
});
