import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetEnvironmentCommand, MWAAClient } from '@aws-sdk/client-mwaa';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { clientsFor, handler, parseEvent, provision, SDK_RETRY, Settings, StatusChangeEvent } from '../src/shared-vpc/provisioner.lambda';

/**
 * The shared-VPC provisioner function, with every AWS SDK client mocked: what it calls for each
 * status, and how it handles a missing environment, existing endpoints, foreign subnets and
 * throttling. Throttling is the SDK clients' own retry: those tests run a client's real middleware
 * against a fake EC2 endpoint, with jest's fake timers standing in for the backoff.
 */

const OWNER = '111111111111';
const PARTICIPANT = '222222222222';
const REGION = 'eu-west-1';
const SETTINGS: Settings = {
  vpcId: 'vpc-0shared',
  subnetIds: ['subnet-a', 'subnet-b'],
  topicArn: `arn:aws:sns:${REGION}:${OWNER}:provisioner`,
  readerRoleName: 'mwaa-shared-vpc-endpoint-reader',
  ownAccount: OWNER,
};
const ENV_ARN = `arn:aws:airflow:${REGION}:${PARTICIPANT}:environment/analytics`;
const DATABASE_SERVICE = `com.amazonaws.vpce.${REGION}.vpce-svc-0database`;
const WEBSERVER_SERVICE = `com.amazonaws.vpce.${REGION}.vpce-svc-0webserver`;

let ec2 = mockClient(EC2Client);
// The registry here has only an older @aws-sdk/client-mwaa, whose middleware types differ from the
// other clients' (its behaviour does not), so the mock of this one client is loosely typed.
const mwaa = mockClient(MWAAClient as any) as unknown as {
  on(command: unknown, input?: object): { resolves(output: object): void; rejects(error: Error): void };
  commandCalls(command: unknown): unknown[];
  reset(): void;
};
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

function event(status: string, account = PARTICIPANT): StatusChangeEvent {
  return { account, region: REGION, resources: [ENV_ARN.replace(PARTICIPANT, account)], detail: { name: 'analytics', status } };
}

function environment(overrides: Record<string, unknown> = {}) {
  return {
    Environment: {
      Name: 'analytics',
      Arn: ENV_ARN,
      WebserverAccessMode: 'PRIVATE_ONLY',
      DatabaseVpcEndpointService: DATABASE_SERVICE,
      WebserverVpcEndpointService: WEBSERVER_SERVICE,
      NetworkConfiguration: { SubnetIds: ['subnet-a', 'subnet-b'], SecurityGroupIds: ['sg-airflow'] },
      ...overrides,
    },
  };
}

/** The function's own clients (those of an environment in its own account: no role to assume). */
function clients() {
  return clientsFor(event('PENDING', OWNER), SETTINGS);
}

/** The subject of the only SNS message published. */
function publishedSubject(): string {
  const calls = sns.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  return calls[0].args[0].input.Subject ?? '';
}

function error(name: string): Error {
  const e = new Error(`${name} for the test`);
  e.name = name;
  return e;
}

beforeEach(() => {
  ec2.reset();
  mwaa.reset();
  sns.reset();
  sts.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  ec2.on(CreateVpcEndpointCommand, { ServiceName: DATABASE_SERVICE }).resolves({ VpcEndpoint: { VpcEndpointId: 'vpce-database' } });
  ec2.on(CreateVpcEndpointCommand, { ServiceName: WEBSERVER_SERVICE }).resolves({ VpcEndpoint: { VpcEndpointId: 'vpce-webserver' } });
});

describe('when an environment becomes PENDING', () => {
  test('creates the database and web server endpoints in its subnets and security groups, tagged, and says so', async () => {
    mwaa.on(GetEnvironmentCommand, { Name: 'analytics' }).resolves(environment());
    const outcome = await provision(event('PENDING'), SETTINGS, clients());

    expect(outcome).toMatchObject({ action: 'created', endpointIds: ['vpce-database', 'vpce-webserver'] });
    const creates = ec2.commandCalls(CreateVpcEndpointCommand).map(c => c.args[0].input);
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatchObject({
      VpcEndpointType: 'Interface',
      VpcId: 'vpc-0shared',
      ServiceName: DATABASE_SERVICE,
      SubnetIds: ['subnet-a', 'subnet-b'],
      SecurityGroupIds: ['sg-airflow'],
      TagSpecifications: [{
        ResourceType: 'vpc-endpoint',
        Tags: [
          { Key: 'Name', Value: 'analytics-database' },
          { Key: 'cdk-private-mwaa:environment', Value: ENV_ARN },
          { Key: 'cdk-private-mwaa:managed-by', Value: 'shared-vpc-provisioner' },
        ],
      }],
    });
    expect(creates[1].ServiceName).toBe(WEBSERVER_SERVICE);
    // The same environment and service always send the same client token, so a repeated event cannot create twice.
    expect(creates[0].ClientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(creates[0].ClientToken).not.toBe(creates[1].ClientToken);
    const published = sns.commandCalls(PublishCommand).map(c => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0].TopicArn).toBe(SETTINGS.topicArn);
    expect(published[0].Subject).toBe(`MWAA shared VPC endpoints: created for ${PARTICIPANT}/analytics`);
  });

  test('the client token is stable across invocations', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment());
    await provision(event('PENDING'), SETTINGS, clients());
    const first = ec2.commandCalls(CreateVpcEndpointCommand).map(c => c.args[0].input.ClientToken);
    ec2.resetHistory();
    await provision(event('PENDING'), SETTINGS, clients());
    expect(ec2.commandCalls(CreateVpcEndpointCommand).map(c => c.args[0].input.ClientToken)).toEqual(first);
  });

  test('a public web server gets only the database endpoint', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment({ WebserverAccessMode: 'PUBLIC_ONLY', WebserverVpcEndpointService: '' }));
    const outcome = await provision(event('PENDING'), SETTINGS, clients());
    expect(outcome.endpointIds).toEqual(['vpce-database']);
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(1);
  });

  test('a web server that is public and private (PUBLIC_AND_PRIVATE) gets its endpoint too', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment({ WebserverAccessMode: 'PUBLIC_AND_PRIVATE' }));
    const outcome = await provision(event('PENDING'), SETTINGS, clients());
    expect(outcome).toMatchObject({ action: 'created', endpointIds: ['vpce-database', 'vpce-webserver'] });
  });

  test('an environment that reports no database endpoint service yet is an error, to be retried, and creates nothing', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment({ DatabaseVpcEndpointService: undefined }));
    await expect(provision(event('PENDING'), SETTINGS, clients())).rejects.toThrow('Environment analytics is PENDING but reports no DatabaseVpcEndpointService yet');
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(0);
    expect(publishedSubject()).toBe(`MWAA shared VPC endpoints: FAILED for ${PARTICIPANT}/analytics`);
  });

  test('a participant role that cannot be assumed is reported and rethrown', async () => {
    const failing = { ...clients(), mwaa: () => Promise.reject(error('AccessDenied')) };
    await expect(provision(event('PENDING'), SETTINGS, failing)).rejects.toThrow('AccessDenied for the test');
    expect(publishedSubject()).toBe(`MWAA shared VPC endpoints: FAILED for ${PARTICIPANT}/analytics`);
    expect(ec2.calls()).toHaveLength(0);
  });

  test('endpoints that already exist are kept, and nothing is created', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment());
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: 'vpce-existing', State: 'Available' }] });
    const outcome = await provision(event('PENDING'), SETTINGS, clients());
    expect(outcome).toMatchObject({ action: 'exists', endpointIds: ['vpce-existing', 'vpce-existing'] });
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(0);
    const filters = ec2.commandCalls(DescribeVpcEndpointsCommand)[0].args[0].input.Filters;
    expect(filters).toEqual([{ Name: 'vpc-id', Values: ['vpc-0shared'] }, { Name: 'service-name', Values: [DATABASE_SERVICE] }]);
  });

  test('an endpoint being deleted does not count as existing', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment());
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: 'vpce-old', State: 'Deleting' }] });
    const outcome = await provision(event('PENDING'), SETTINGS, clients());
    expect(outcome.action).toBe('created');
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(2);
  });

  test('a missing environment is reported, creates nothing and is not retried', async () => {
    mwaa.on(GetEnvironmentCommand).rejects(error('ResourceNotFoundException'));
    const outcome = await provision(event('PENDING'), SETTINGS, clients());
    expect(outcome.action).toBe('not-found');
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Subject).toContain('not-found');
  });

  test('an environment in subnets that are not shared is refused', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment({ NetworkConfiguration: { SubnetIds: ['subnet-a', 'subnet-elsewhere'], SecurityGroupIds: ['sg-1'] } }));
    const outcome = await provision(event('PENDING'), SETTINGS, clients());
    expect(outcome.action).toBe('refused');
    expect(outcome.message).toContain('subnet-elsewhere');
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(0);
  });

});

describe('the SDK clients retry throttling themselves', () => {
  /** What the function's clients are configured with, read back from each client's resolved config. */
  async function retryOf(client: { config: unknown }) {
    const config = client.config as { maxAttempts: () => Promise<number>; retryStrategy: () => Promise<{ mode: string }> };
    return { maxAttempts: await config.maxAttempts(), mode: (await config.retryStrategy()).mode };
  }

  test('every client the function makes: EC2, SNS, STS, and MWAA in its own account and through a participant\'s role', async () => {
    const expected = { maxAttempts: 5, mode: 'standard' };
    const own = clients();
    expect(await retryOf(own.ec2)).toEqual(expected);
    expect(await retryOf(own.sns)).toEqual(expected);
    expect(await retryOf(await own.mwaa())).toEqual(expected);
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() } });
    const participant = await clientsFor(event('PENDING'), SETTINGS).mwaa();
    expect(await retryOf(participant)).toEqual(expected);
    expect(await retryOf(sts.commandCalls(AssumeRoleCommand)[0].thisValue)).toEqual(expected);
  });

  describe('through a client\'s real middleware, against a fake EC2 endpoint', () => {
    /** The actions the fake endpoint received, in order, with the fake clock's time. */
    let received: Array<{ action: string; serviceName?: string; at: number }>;

    /** A client configured as the function's, whose HTTP requests go to `respond`. */
    function ec2Answering(respond: (action: string, serviceName?: string) => { status: number; xml: string }) {
      return new EC2Client({
        region: REGION,
        ...SDK_RETRY,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        requestHandler: {
          handle: async (request: { body: string }) => {
            const params = new URLSearchParams(request.body);
            const action = params.get('Action') ?? '';
            const serviceName = params.get('ServiceName') ?? undefined;
            received.push({ action, serviceName, at: Date.now() });
            const { status, xml } = respond(action, serviceName);
            return { response: { statusCode: status, headers: { 'content-type': 'text/xml' }, body: Buffer.from(xml) } };
          },
        },
      });
    }

    const ok = (action: string, inner = '') => ({ status: 200, xml: `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>${inner}</${action}Response>` });
    const failure = (status: number, code: string) => ({
      status,
      xml: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${code} for the test</Message></Error></Errors><RequestID>r-1</RequestID></Response>`,
    });
    /** EC2 answering as it would with no endpoints yet, except where `override` answers first. */
    const endpoint = (override: (action: string, serviceName?: string) => ReturnType<typeof ok> | undefined) => ec2Answering((action, serviceName) =>
      override(action, serviceName)
      ?? (action === 'DescribeVpcEndpoints' ? ok(action, '<vpcEndpointSet/>')
        : ok(action, `<vpcEndpoint><vpcEndpointId>vpce-${serviceName === DATABASE_SERVICE ? 'database' : 'webserver'}</vpcEndpointId></vpcEndpoint>`)));
    const creates = (serviceName: string) => received.filter(r => r.action === 'CreateVpcEndpoint' && r.serviceName === serviceName);

    /** Runs the fake clock until the call settles, for at most the function's two-minute timeout. */
    async function runClock(call: Promise<unknown>): Promise<void> {
      let settled = false;
      call.then(() => { settled = true; }, () => { settled = true; });
      for (let elapsed = 0; !settled && elapsed < 120_000; elapsed += 500) {
        await jest.advanceTimersByTimeAsync(500);
      }
    }

    beforeEach(() => {
      received = [];
      // The EC2 client must send for real here; the other tests get their mock back afterwards.
      ec2.restore();
      jest.useFakeTimers();
      // The SDK's backoff has full jitter: a fixed draw keeps every wait above zero.
      jest.spyOn(Math, 'random').mockReturnValue(0.5);
      mwaa.on(GetEnvironmentCommand).resolves(environment());
    });
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
      ec2 = mockClient(EC2Client);
    });

    test('throttling is retried with backoff', async () => {
      let throttled = 0;
      const client = endpoint(action => (action === 'CreateVpcEndpoint' && throttled++ < 2 ? failure(503, 'RequestLimitExceeded') : undefined));
      const outcome = provision(event('PENDING'), SETTINGS, { ...clients(), ec2: client });
      await runClock(outcome);

      await expect(outcome).resolves.toMatchObject({ action: 'created', endpointIds: ['vpce-database', 'vpce-webserver'] });
      const attempts = creates(DATABASE_SERVICE);
      expect(attempts).toHaveLength(3);
      // Each retry came after a wait on the (fake) clock, longer the second time.
      const waits = [attempts[1].at - attempts[0].at, attempts[2].at - attempts[1].at];
      expect(waits[0]).toBeGreaterThan(0);
      expect(waits[1]).toBeGreaterThan(waits[0]);
      expect(creates(WEBSERVER_SERVICE)).toHaveLength(1);
    });

    test('throttling that does not stop is reported and rethrown after the clients\' attempts, for Lambda to retry', async () => {
      const client = endpoint(action => (action === 'CreateVpcEndpoint' ? failure(503, 'RequestLimitExceeded') : undefined));
      const outcome = provision(event('PENDING'), SETTINGS, { ...clients(), ec2: client });
      await runClock(outcome);
      await expect(outcome).rejects.toMatchObject({ name: 'RequestLimitExceeded', message: 'RequestLimitExceeded for the test' });

      expect(creates(DATABASE_SERVICE)).toHaveLength(SDK_RETRY.maxAttempts);
      expect(creates(WEBSERVER_SERVICE)).toHaveLength(0);
      const published = sns.commandCalls(PublishCommand).map(c => c.args[0].input);
      expect(published).toHaveLength(1);
      expect(published[0].Subject).toBe(`MWAA shared VPC endpoints: FAILED for ${PARTICIPANT}/analytics`);
    });

    test('other errors are not retried', async () => {
      const client = endpoint(action => (action === 'CreateVpcEndpoint' ? failure(403, 'UnauthorizedOperation') : undefined));
      const outcome = provision(event('PENDING'), SETTINGS, { ...clients(), ec2: client });
      await runClock(outcome);
      await expect(outcome).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
      expect(creates(DATABASE_SERVICE)).toHaveLength(1);
    });
  });
});

describe('when an environment is DELETED', () => {
  test('deletes the endpoints it created for that environment, found by tag', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: 'vpce-database' }, { VpcEndpointId: 'vpce-webserver' }] });
    ec2.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [] });
    const outcome = await provision(event('DELETED'), SETTINGS, clients());
    expect(outcome).toMatchObject({ action: 'deleted', endpointIds: ['vpce-database', 'vpce-webserver'] });
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: ['vpc-0shared'] },
      { Name: 'tag:cdk-private-mwaa:environment', Values: [ENV_ARN] },
      { Name: 'tag:cdk-private-mwaa:managed-by', Values: ['shared-vpc-provisioner'] },
    ]);
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)[0].args[0].input.VpcEndpointIds).toEqual(['vpce-database', 'vpce-webserver']);
    expect(mwaa.commandCalls(GetEnvironmentCommand)).toHaveLength(0);
  });

  test('an endpoint that cannot be deleted is reported and rethrown', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: 'vpce-database' }] });
    ec2.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [{ ResourceId: 'vpce-database', Error: { Code: 'InUse', Message: 'in use' } }] });
    await expect(provision(event('DELETED'), SETTINGS, clients())).rejects.toThrow('Could not delete vpce-database: in use');
  });

  test('skips endpoints already being deleted (a repeated event)', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        { VpcEndpointId: 'vpce-database', State: 'Deleting' },
        { VpcEndpointId: 'vpce-webserver', State: 'Available' },
      ],
    });
    ec2.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [] });
    const outcome = await provision(event('DELETED'), SETTINGS, clients());
    expect(outcome.endpointIds).toEqual(['vpce-webserver']);
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)[0].args[0].input.VpcEndpointIds).toEqual(['vpce-webserver']);
  });

  test('keeps endpoints created after the deletion: they belong to a new environment of the same name', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        { VpcEndpointId: 'vpce-old', State: 'Available', CreationTimestamp: new Date('2026-11-01T10:00:00Z') },
        { VpcEndpointId: 'vpce-new', State: 'PendingAcceptance', CreationTimestamp: new Date('2026-11-25T12:30:00Z') },
      ],
    });
    ec2.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [] });
    const outcome = await provision({ ...event('DELETED'), time: '2026-11-25T12:00:00Z' }, SETTINGS, clients());
    expect(outcome.endpointIds).toEqual(['vpce-old']);
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)[0].args[0].input.VpcEndpointIds).toEqual(['vpce-old']);
  });

  test('deletes nothing when it created nothing', async () => {
    const outcome = await provision(event('DELETED'), SETTINGS, clients());
    expect(outcome).toMatchObject({ action: 'deleted', endpointIds: [] });
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)).toHaveLength(0);
  });
});

describe('other events', () => {
  test.each(['CREATING', 'AVAILABLE', 'UPDATING', 'DELETING'])('%s changes nothing and notifies nobody', async status => {
    const outcome = await provision(event(status), SETTINGS, clients());
    expect(outcome.action).toBe('ignored');
    expect(ec2.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  test('the name and status are read from the detail or the resources', () => {
    expect(parseEvent({ account: OWNER, region: REGION, detail: { Name: 'a', Status: 'pending' } })).toMatchObject({ name: 'a', status: 'PENDING' });
    expect(parseEvent({ account: OWNER, region: REGION, resources: [ENV_ARN], detail: { state: 'DELETED' } })).toMatchObject({ name: 'analytics', status: 'DELETED' });
    expect(parseEvent({ account: OWNER, region: REGION })).toEqual({ name: undefined, status: undefined, arn: undefined });
  });
});

describe('the handler', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.VPC_ID = SETTINGS.vpcId;
    process.env.SUBNET_IDS = JSON.stringify(SETTINGS.subnetIds);
    process.env.TOPIC_ARN = SETTINGS.topicArn;
    process.env.READER_ROLE_NAME = SETTINGS.readerRoleName;
    process.env.OWN_ACCOUNT = OWNER;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('reads a participant\'s environment through that account\'s reader role', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() } });
    mwaa.on(GetEnvironmentCommand).resolves(environment());
    const outcome = await handler(event('PENDING'));
    expect(outcome.action).toBe('created');
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.RoleArn).toBe(`arn:aws:iam::${PARTICIPANT}:role/mwaa-shared-vpc-endpoint-reader`);
  });

  test('reads an environment of its own account directly', async () => {
    mwaa.on(GetEnvironmentCommand).resolves(environment({ Arn: `arn:aws:airflow:${REGION}:${OWNER}:environment/analytics` }));
    const outcome = await handler(event('PENDING', OWNER));
    expect(outcome.action).toBe('created');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  test('fails when the reader role gives no credentials, and says so on the topic', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    await expect(handler(event('PENDING'))).rejects.toThrow('AssumeRole returned no credentials');
    expect(publishedSubject()).toBe(`MWAA shared VPC endpoints: FAILED for ${PARTICIPANT}/analytics`);
  });

  test('assumes no role for a status it does not act on, nor to delete endpoints', async () => {
    await handler(event('AVAILABLE'));
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    await handler(event('DELETED'));
    expect(sts.calls()).toHaveLength(0);
  });
});
