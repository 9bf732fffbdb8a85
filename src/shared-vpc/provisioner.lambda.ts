/**
 * Creates the VPC endpoints of Amazon MWAA environments that use customer-managed endpoints in a
 * shared VPC, from the account that owns the VPC.
 *
 * Invoked by EventBridge with the "MWAA Environment Status Change" event of an environment (from
 * this account, or forwarded from a participant account):
 *
 * - PENDING: read the environment (in a participant account through a role it provides), check
 *   that its subnets are subnets of the shared VPC, and create the database endpoint and, unless
 *   the web server is public only, the web server endpoint, unless they exist. Creation is
 *   idempotent (a client token per environment and service), so a repeated event creates nothing
 *   twice. An environment that reports no database endpoint service yet is an error, so that the
 *   event is retried rather than the environment left PENDING.
 * - DELETED: delete the endpoints this function created for the environment (found by tag), except
 *   those already being deleted and those created after the event (a new environment of the same
 *   name).
 *
 * Every outcome is published to an SNS topic. Throttling and transient errors are retried by the
 * SDK clients themselves (see `SDK_RETRY`); a call that still fails is reported and rethrown, so
 * that Lambda's asynchronous retries and the dead-letter queue take over. The AWS SDK v3 comes from
 * the Lambda runtime.
 */
import { createHash } from 'crypto';
import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetEnvironmentCommand, MWAAClient } from '@aws-sdk/client-mwaa';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ENVIRONMENT_TAG, MANAGED_BY_TAG, MANAGED_BY_VALUE } from './names';
import { STATUS_EVENT_FIELDS } from '../private/mwaa';

/** The part of an EventBridge event the function reads. */
export interface StatusChangeEvent {
  readonly account: string;
  readonly region: string;
  /** When the status changed (ISO 8601), as EventBridge sets it. */
  readonly time?: string;
  readonly resources?: string[];
  readonly detail?: { [key: string]: unknown };
}

/** What the function did, for logs and tests. */
export interface Outcome {
  readonly environment: string;
  readonly action: 'created' | 'exists' | 'deleted' | 'ignored' | 'refused' | 'not-found';
  readonly endpointIds: string[];
  readonly message: string;
}

/** The configuration the construct passes in environment variables. */
export interface Settings {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly topicArn: string;
  readonly readerRoleName: string;
  readonly ownAccount: string;
}

/**
 * The retry configuration of every client: the SDK's standard mode retries throttling (for example
 * EC2's `RequestLimitExceeded`) and transient errors with exponential backoff and jitter, and no
 * other error. Five attempts rather than the default three: a burst of MWAA environments created at
 * once is what throttles EC2 here. Throttling backoff is capped at 1, 2, 4 and 8 seconds for the four
 * retries, so one call waits at most about 15 seconds, well within the function's two-minute timeout.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const SDK_RETRY = { maxAttempts: 5, retryMode: 'standard' } as const;

/** The configuration of every client the function makes for an event. */
function clientConfig(event: StatusChangeEvent) {
  return { region: event.region, ...SDK_RETRY };
}

function settingsFromEnvironment(): Settings {
  return {
    vpcId: process.env.VPC_ID ?? '',
    subnetIds: JSON.parse(process.env.SUBNET_IDS ?? '[]'),
    topicArn: process.env.TOPIC_ARN ?? '',
    readerRoleName: process.env.READER_ROLE_NAME ?? '',
    ownAccount: process.env.OWN_ACCOUNT ?? '',
  };
}

/** The environment's name and status, wherever the event puts them. */
export function parseEvent(event: StatusChangeEvent): { name?: string; status?: string; arn?: string } {
  const detail = event.detail ?? {};
  const arn = event.resources?.find(r => r.includes(':environment/'));
  const pick = (...keys: string[]) => keys.map(k => detail[k]).find((v): v is string => typeof v === 'string' && v !== '');
  const name = pick(...STATUS_EVENT_FIELDS.name) ?? arn?.split(':environment/')[1];
  const status = pick(...STATUS_EVENT_FIELDS.status)?.toUpperCase();
  return { name, status, arn };
}

/**
 * Clients for one event: EC2 and SNS in this account; MWAA in the environment's account, made only
 * when it is needed (a participant's role is assumed for it, which can fail, so that happens
 * inside the error handling that reports failures).
 */
export interface Clients {
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
  readonly mwaa: () => Promise<MWAAClient>;
}

/** The clients the handler uses for an event, each with `SDK_RETRY`. */
export function clientsFor(event: StatusChangeEvent, settings: Settings): Clients {
  const config = clientConfig(event);
  let mwaa: Promise<MWAAClient> | undefined;
  return {
    ec2: new EC2Client(config),
    sns: new SNSClient(config),
    mwaa: () => (mwaa ??= mwaaClientFor(event, settings)),
  };
}

async function mwaaClientFor(event: StatusChangeEvent, settings: Settings): Promise<MWAAClient> {
  const config = clientConfig(event);
  if (event.account === settings.ownAccount) {
    return new MWAAClient(config);
  }
  const partition = settings.topicArn.split(':')[1] || 'aws';
  const role = `arn:${partition}:iam::${event.account}:role/${settings.readerRoleName}`;
  const assumed = await new STSClient(config).send(new AssumeRoleCommand({
    RoleArn: role,
    RoleSessionName: 'mwaa-shared-vpc-provisioner',
    DurationSeconds: 900,
  }));
  const credentials = assumed.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new Error(`AssumeRole returned no credentials for ${role}`);
  }
  return new MWAAClient({
    ...config,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    },
  });
}

export async function handler(event: StatusChangeEvent): Promise<Outcome> {
  const settings = settingsFromEnvironment();
  return provision(event, settings, clientsFor(event, settings));
}

/** The work, with its clients given (the unit tests pass mocked ones). */
export async function provision(event: StatusChangeEvent, settings: Settings, clients: Clients): Promise<Outcome> {
  const { name, status, arn } = parseEvent(event);
  const label = `${event.account}/${name ?? '(unknown)'}`;
  try {
    let outcome: Outcome;
    if (!name) {
      outcome = { environment: label, action: 'ignored', endpointIds: [], message: 'The event names no environment.' };
    } else if (status === 'PENDING') {
      outcome = await createEndpoints(name, event, settings, clients);
    } else if (status === 'DELETED') {
      outcome = await deleteEndpoints(name, arn ?? environmentArn(event, name, settings), event.time, settings, clients);
    } else {
      return { environment: label, action: 'ignored', endpointIds: [], message: `Nothing to do for status ${status ?? '(none)'}.` };
    }
    await notify(clients, settings, `MWAA shared VPC endpoints: ${outcome.action} for ${label}`, outcome);
    return outcome;
  } catch (error) {
    const message = `${(error as Error).name ?? 'Error'}: ${(error as Error).message}`;
    await notify(clients, settings, `MWAA shared VPC endpoints: FAILED for ${label}`,
      { environment: label, action: 'refused', endpointIds: [], message }).catch(() => undefined);
    throw error;
  }
}

function environmentArn(event: StatusChangeEvent, name: string, settings: Settings): string {
  const partition = settings.topicArn.split(':')[1] || 'aws';
  return `arn:${partition}:airflow:${event.region}:${event.account}:environment/${name}`;
}

async function createEndpoints(name: string, event: StatusChangeEvent, settings: Settings, clients: Clients): Promise<Outcome> {
  const label = `${event.account}/${name}`;
  let environment;
  const mwaa = await clients.mwaa();
  try {
    environment = (await mwaa.send(new GetEnvironmentCommand({ Name: name }))).Environment;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      return { environment: label, action: 'not-found', endpointIds: [], message: `Environment ${name} does not exist (any more); nothing created.` };
    }
    throw error;
  }
  const arn = environment?.Arn ?? environmentArn(event, name, settings);
  const subnetIds = environment?.NetworkConfiguration?.SubnetIds ?? [];
  const securityGroupIds = environment?.NetworkConfiguration?.SecurityGroupIds ?? [];
  const foreign = subnetIds.filter(s => !settings.subnetIds.includes(s));
  if (subnetIds.length === 0 || foreign.length > 0) {
    return {
      environment: label,
      action: 'refused',
      endpointIds: [],
      message: `Environment ${name} runs in subnets that are not shared subnets of ${settings.vpcId} (${foreign.join(', ') || 'none given'}); nothing created.`,
    };
  }
  if (!environment?.DatabaseVpcEndpointService) {
    // PENDING without the service to connect to: failing makes Lambda retry the event, where
    // reporting success would leave the environment PENDING until it fails after 72 hours.
    throw new Error(`Environment ${name} is PENDING but reports no DatabaseVpcEndpointService yet`);
  }
  const services: Array<[string, string]> = [['database', environment.DatabaseVpcEndpointService]];
  // The web server endpoint service is there for every mode with a private web server (empty for
  // PUBLIC_ONLY); it is created whenever the environment reports one.
  if (environment.WebserverAccessMode !== 'PUBLIC_ONLY' && environment.WebserverVpcEndpointService) {
    services.push(['webserver', environment.WebserverVpcEndpointService]);
  }
  const created: string[] = [];
  const existing: string[] = [];
  for (const [role, serviceName] of services) {
    const found = await clients.ec2.send(new DescribeVpcEndpointsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [settings.vpcId] },
        { Name: 'service-name', Values: [serviceName] },
      ],
    }));
    const live = (found.VpcEndpoints ?? []).find(e => !['deleting', 'deleted', 'failed', 'rejected', 'expired'].includes(String(e.State).toLowerCase()));
    if (live?.VpcEndpointId) {
      existing.push(live.VpcEndpointId);
      continue;
    }
    const response = await clients.ec2.send(new CreateVpcEndpointCommand({
      VpcEndpointType: 'Interface',
      VpcId: settings.vpcId,
      ServiceName: serviceName,
      SubnetIds: subnetIds,
      SecurityGroupIds: securityGroupIds,
      ClientToken: createHash('sha256').update(`${arn}|${serviceName}`).digest('hex').slice(0, 64),
      TagSpecifications: [{
        ResourceType: 'vpc-endpoint',
        Tags: [
          { Key: 'Name', Value: `${name}-${role}` },
          { Key: ENVIRONMENT_TAG, Value: arn },
          { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
        ],
      }],
    }));
    created.push(response.VpcEndpoint?.VpcEndpointId ?? '(unknown)');
  }
  if (created.length === 0) {
    return { environment: label, action: 'exists', endpointIds: existing, message: `The endpoints of ${name} exist already: ${existing.join(', ') || 'none needed'}.` };
  }
  return {
    environment: label,
    action: 'created',
    endpointIds: [...created, ...existing],
    message: `Created ${created.join(', ')} for ${name}${existing.length ? `; kept ${existing.join(', ')}` : ''}.`,
  };
}

async function deleteEndpoints(name: string, arn: string, time: string | undefined, settings: Settings, clients: Clients): Promise<Outcome> {
  const found = await clients.ec2.send(new DescribeVpcEndpointsCommand({
    Filters: [
      { Name: 'vpc-id', Values: [settings.vpcId] },
      { Name: `tag:${ENVIRONMENT_TAG}`, Values: [arn] },
      { Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] },
    ],
  }));
  const deletedAt = time ? Date.parse(time) : NaN;
  const ids = (found.VpcEndpoints ?? [])
    // Already on their way out (a repeated event): nothing to do.
    .filter(e => !['deleting', 'deleted'].includes(String(e.State).toLowerCase()))
    // Created after the environment was deleted: they belong to a new environment of the same name.
    .filter(e => Number.isNaN(deletedAt) || !e.CreationTimestamp || new Date(e.CreationTimestamp).getTime() <= deletedAt)
    .map(e => e.VpcEndpointId)
    .filter((id): id is string => !!id);
  if (ids.length > 0) {
    const response = await clients.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: ids }));
    const failed = (response.Unsuccessful ?? []).map(u => `${u.ResourceId}: ${u.Error?.Message}`);
    if (failed.length > 0) {
      throw new Error(`Could not delete ${failed.join('; ')}`);
    }
  }
  return { environment: `${arn.split(':')[4]}/${name}`, action: 'deleted', endpointIds: ids, message: `Deleted ${ids.length} endpoint(s) of ${name}.` };
}

async function notify(clients: Clients, settings: Settings, subject: string, outcome: Outcome): Promise<void> {
  await clients.sns.send(new PublishCommand({
    TopicArn: settings.topicArn,
    Subject: subject.slice(0, 100),
    Message: JSON.stringify(outcome, undefined, 2),
  }));
}
