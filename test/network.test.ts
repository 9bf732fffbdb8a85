import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EndpointManagement, MwaaVpcEndpoints, PrivateMwaaEnvironment, PrivateMwaaEnvironmentProps, WebserverAccessMode } from '../src';
import { ACCOUNT, newVpc, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

/**
 * Private networking: the VPC endpoints of an environment without internet access, their
 * policies, the network ACL, and the customer-managed endpoints of the environment itself.
 */

type Props = Omit<PrivateMwaaEnvironmentProps, 'environmentName' | 'vpc'>;

function isolatedVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
}

function construct(props: Props, vpcOf: (stack: Stack) => ec2.Vpc = isolatedVpc) {
  const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  const vpc = vpcOf(stack);
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, ...props });
  return { stack, vpc, env };
}

function build(props: Props, vpcOf: (stack: Stack) => ec2.Vpc = isolatedVpc) {
  const { stack, vpc, env } = construct(props, vpcOf);
  const template = Template.fromStack(stack);
  const id = (scope: { node: { defaultChild?: unknown } } | ec2.CfnVPCEndpoint) =>
    stack.getLogicalId(((scope as any).node.defaultChild ?? scope) as any);
  return { stack, vpc, env, template, id };
}

const CORE_SERVICES = ['sqs', 'logs', 'monitoring', 'kms'].map(s => `com.amazonaws.${REGION}.${s}`);

describe('the VPC endpoints of an environment without internet access', () => {
  const { env, template, id, vpc } = build({ createVpcEndpoints: true });
  const endpoints = env.vpcEndpoints!;
  const interfaces = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });

  test('four interface endpoints and an S3 gateway endpoint, fewer than the AWS sample templates', () => {
    expect(Object.values<any>(interfaces).map(r => r.Properties.ServiceName).sort()).toEqual([...CORE_SERVICES].sort());
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 5);
    expect(endpoints.interfaceEndpointCount).toBe(4);
    expect(endpoints.subnetCount).toBe(2);
  });

  test('each interface endpoint has private DNS, the environment\'s subnets and only the endpoint security group', () => {
    const subnetIds = env.subnets.map(s => ({ Ref: id(s.node.defaultChild as any) }));
    expect(Object.keys(interfaces)).toHaveLength(4);
    for (const resource of Object.values<any>(interfaces)) {
      expect(resource.Properties.PrivateDnsEnabled).toBe(true);
      expect(resource.Properties.SubnetIds).toEqual(subnetIds);
      expect(resource.Properties.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [id(endpoints.securityGroup), 'GroupId'] }]);
    }
  });

  test('the S3 gateway endpoint routes from the environment\'s subnets only', () => {
    const gateway = Object.values<any>(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))[0];
    const expected = vpc.isolatedSubnets.map(s => s.routeTable.routeTableId);
    expect(gateway.Properties.RouteTableIds).toEqual(expected.map(r => env.stack.resolve(r)));
  });

  test('only the environment\'s security group reaches them, on TCP 443, and they open nothing outwards', () => {
    const sg = template.toJSON().Resources[id(endpoints.securityGroup)];
    // CDK's placeholder rule for "no outbound traffic".
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    const ingress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(r => JSON.stringify(r.Properties.GroupId).includes(id(endpoints.securityGroup)));
    expect(ingress.map(r => r.Properties)).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [id(endpoints.securityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(env.securityGroups[0] as ec2.SecurityGroup), 'GroupId'] },
      Description: 'HTTPS from the Amazon MWAA environment test-env',
    }]);
  });

  test('the environment is created after every endpoint', () => {
    const dependsOn: string[] = template.toJSON().Resources[id(env.node.findChild('Resource') as any)].DependsOn;
    const endpointIds = Object.keys(template.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpointIds).toHaveLength(5);
    for (const endpointId of endpointIds) {
      expect(dependsOn).toContain(endpointId);
    }
  });

  test('without restricted policies the endpoints keep their default policy', () => {
    const open = build({ createVpcEndpoints: true, vpcEndpointsOptions: { restrictPolicies: false } });
    const resources = Object.values<any>(open.template.findResources('AWS::EC2::VPCEndpoint'));
    expect(resources).toHaveLength(5);
    for (const resource of resources) {
      expect(resource.Properties.PolicyDocument).toBeUndefined();
    }
  });

  test('extras add their endpoints', () => {
    const all = build({
      createVpcEndpoints: true,
      vpcEndpointsOptions: { secretsManager: true, ecr: true, airflowEndpoints: true, codeArtifact: true },
    });
    const services = Object.values<any>(all.template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))
      .map(r => r.Properties.ServiceName).sort();
    expect(services).toEqual([
      ...CORE_SERVICES,
      ...['secretsmanager', 'ecr.api', 'ecr.dkr', 'airflow.api', 'airflow.env', 'codeartifact.api', 'codeartifact.repositories'].map(s => `com.amazonaws.${REGION}.${s}`),
    ].sort());
    expect(all.env.vpcEndpoints!.interfaceEndpointCount).toBe(11);
  });

  test('in a VPC with an S3 gateway endpoint already, s3Gateway: false leaves S3 to it', () => {
    const withGateway = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const s3Endpoints = (built: ReturnType<typeof build>) => Object.values<any>(built.template.findResources('AWS::EC2::VPCEndpoint'))
      .filter(r => JSON.stringify(r.Properties.ServiceName).includes('.s3'));
    const shared = build({ createVpcEndpoints: true, vpcEndpointsOptions: { s3Gateway: false } }, withGateway);
    expect(s3Endpoints(shared)).toHaveLength(1);
    expect(shared.env.vpcEndpoints!.s3Endpoint).toBeUndefined();
    expect(shared.env.vpcEndpoints!.interfaceEndpointCount).toBe(4);
    // By default a second one is made, which the route tables would refuse.
    expect(s3Endpoints(build({ createVpcEndpoints: true }, withGateway))).toHaveLength(2);
  });

  test('with the Secrets Manager backend the Secrets Manager endpoint comes by default', () => {
    const secrets = `com.amazonaws.${REGION}.secretsmanager`;
    const services = (props: Props) => Object.values<any>(build(props).template.findResources('AWS::EC2::VPCEndpoint')).map(r => r.Properties.ServiceName);
    expect(services({ createVpcEndpoints: true, secretsBackend: {} })).toContain(secrets);
    expect(services({ createVpcEndpoints: true })).not.toContain(secrets);
  });

  test('turning that endpoint off with the Secrets Manager backend earns a warning', () => {
    const off = build({ createVpcEndpoints: true, vpcEndpointsOptions: { secretsManager: false }, secretsBackend: {} });
    const warnings = Annotations.fromStack(off.stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:secretsEndpoint'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/^`vpcEndpointsOptions\.secretsManager` is false but `secretsBackend` is set/);
    expect(Object.values<any>(off.template.findResources('AWS::EC2::VPCEndpoint')).map(r => r.Properties.ServiceName))
      .not.toContain(`com.amazonaws.${REGION}.secretsmanager`);
    const on = build({ createVpcEndpoints: true, secretsBackend: {} });
    expect(Annotations.fromStack(on.stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:secretsEndpoint'))).toHaveLength(0);
    // Without the backend, turning the endpoint off is nothing to warn about.
    const neither = build({ createVpcEndpoints: true, vpcEndpointsOptions: { secretsManager: false } });
    expect(Annotations.fromStack(neither.stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:secretsEndpoint'))).toHaveLength(0);
  });
});

describe('the endpoint policies admit only what the environment needs', () => {
  const data = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Data', 'analytics-data-bucket');
  const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  const vpc = isolatedVpc(stack);
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
    environmentName: 'test-env',
    vpc,
    createVpcEndpoints: true,
    vpcEndpointsOptions: { secretsManager: true, ecr: true, airflowEndpoints: true, codeArtifact: true, dataBuckets: [data(stack)] },
  });
  const template = Template.fromStack(stack).toJSON();
  const BUCKET = 'test-env-source-bucket';
  const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const logicalId = (c: any) => stack.getLogicalId(c.node.defaultChild);
  const resolveOptions = {
    account: ACCOUNT,
    region: REGION,
    refs: { [logicalId(env.sourceBucket)]: BUCKET },
    arns: { [logicalId(env.sourceBucket)]: `arn:aws:s3:::${BUCKET}`, [logicalId(env.kmsKey)]: KEY_ARN },
  };
  const policyOf = (endpoint: ec2.GatewayVpcEndpoint | ec2.InterfaceVpcEndpoint) =>
    resolveIntrinsics(template.Resources[stack.getLogicalId(endpoint.node.defaultChild as any)].Properties.PolicyDocument, resolveOptions);
  const endpoints = env.vpcEndpoints!;
  const byService = (service: string) => endpoints.interfaceEndpoints.find(e => (stack.resolve((e.node.defaultChild as ec2.CfnVPCEndpoint).serviceName) as string).endsWith(`.${service}`))!;

  const ROLE = `arn:aws:iam::${ACCOUNT}:role/test-env-execution-role`;
  const FOREIGN = 'arn:aws:iam::444444444444:role/somebody-else';

  /**
   * What the resource's own policy would say: the Celery queue (in an account MWAA owns) admits the
   * execution role, and a key admits its own account.
   */
  function resourcePolicyFor(resource: string, principal: string): unknown {
    if (resource.startsWith('arn:aws:sqs:')) {
      return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sqs:*', Resource: resource }] };
    }
    if (resource.startsWith('arn:aws:kms:')) {
      return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${resource.split(':')[4]}:root` }, Action: 'kms:*', Resource: '*' }] };
    }
    // A repository shared with the caller: only the endpoint policy can then refuse a principal of
    // another account.
    if (resource.startsWith('arn:aws:ecr:')) {
      return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'ecr:*', Resource: resource }] };
    }
    if (resource.startsWith('arn:aws:codeartifact:')) {
      return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'codeartifact:*', Resource: resource }] };
    }
    return undefined;
  }

  /** A caller whose own policies allow everything: only the endpoint policy decides. */
  async function through(policy: unknown, action: string, resource: string, principal = ROLE): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: 'AllowEverything', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      vpcEndpointPolicies: [{ name: 'EndpointPolicy', policy }],
      resourcePolicy: resourcePolicyFor(resource, principal),
      request: {
        principal,
        action,
        // An action without resource-level permissions (`*`) acts in the caller's own account.
        resource: { resource, accountId: resource === '*' ? principal.split(':')[4] : (resource.split(':')[4] || ACCOUNT) },
        contextVariables: { 'aws:PrincipalAccount': principal.split(':')[4] },
      },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(JSON.stringify(response.errors));
    }
    return response.overallResult;
  }

  const MWAA_QUEUE = `arn:aws:sqs:${REGION}:222222222222:airflow-celery-6f2a9b1c`;
  const LOG_STREAM = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:s-1`;
  const SECRET = (account: string) => `arn:aws:secretsmanager:${REGION}:${account}:secret:airflow/connections/db-AbCdEf`;
  const REPOSITORY = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/etl-image`;
  const PACKAGES = `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/corp/pypi`;
  const CODEARTIFACT_ASSET = `arn:aws:s3:::assets-555555555555-${REGION}/wheel.whl`;
  const ENVIRONMENT = (name: string) => `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${name}`;

  const cases: Array<[string, () => unknown, string, string, string]> = [
    ['S3: read a DAG', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', `arn:aws:s3:::${BUCKET}/dags/etl.py`, ROLE],
    ['S3: list the environment bucket', () => policyOf(endpoints.s3Endpoint!), 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, ROLE],
    ['S3: read a data bucket', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', 'arn:aws:s3:::analytics-data-bucket/in/2026.csv', ROLE],
    ['S3: write a data bucket', () => policyOf(endpoints.s3Endpoint!), 's3:PutObject', 'arn:aws:s3:::analytics-data-bucket/out/2026.csv', ROLE],
    ['S3: read an ECR layer', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/layer`, ROLE],
    ['SQS: send to the Celery queue', () => policyOf(byService('sqs')), 'sqs:SendMessage', MWAA_QUEUE, ROLE],
    ['SQS: receive from the Celery queue', () => policyOf(byService('sqs')), 'sqs:ReceiveMessage', MWAA_QUEUE, ROLE],
    ['Logs: write its task logs', () => policyOf(byService('logs')), 'logs:PutLogEvents', LOG_STREAM('airflow-test-env-Task'), ROLE],
    ['Logs: describe log groups', () => policyOf(byService('logs')), 'logs:DescribeLogGroups', '*', ROLE],
    ['CloudWatch: put metric data', () => policyOf(byService('monitoring')), 'cloudwatch:PutMetricData', '*', ROLE],
    ['KMS: decrypt with the environment key', () => policyOf(byService('kms')), 'kms:Decrypt', KEY_ARN, ROLE],
    ['Secrets Manager: read a secret of this account', () => policyOf(byService('secretsmanager')), 'secretsmanager:GetSecretValue', SECRET(ACCOUNT), ROLE],
    ['MWAA: log in to this environment', () => policyOf(byService('airflow.env')), 'airflow:CreateWebLoginToken', `arn:aws:airflow:${REGION}:${ACCOUNT}:role/test-env/User`, ROLE],
    ['MWAA: a CLI token for this environment', () => policyOf(byService('airflow.env')), 'airflow:CreateCliToken', ENVIRONMENT('test-env'), ROLE],
    ['MWAA: describe this environment', () => policyOf(byService('airflow.api')), 'airflow:GetEnvironment', ENVIRONMENT('test-env'), ROLE],
    ['ECR: pull an image (API endpoint)', () => policyOf(byService('ecr.api')), 'ecr:BatchGetImage', REPOSITORY, ROLE],
    ['ECR: pull a layer (Docker endpoint)', () => policyOf(byService('ecr.dkr')), 'ecr:GetDownloadUrlForLayer', REPOSITORY, ROLE],
    ['ECR: get an authorization token', () => policyOf(byService('ecr.api')), 'ecr:GetAuthorizationToken', '*', ROLE],
    ['Secrets Manager: list secrets', () => policyOf(byService('secretsmanager')), 'secretsmanager:ListSecrets', '*', ROLE],
    ['CodeArtifact: read packages (repositories endpoint)', () => policyOf(byService('codeartifact.repositories')), 'codeartifact:ReadFromRepository', PACKAGES, ROLE],
    ['CodeArtifact: find the repository endpoint (API endpoint)', () => policyOf(byService('codeartifact.api')), 'codeartifact:GetRepositoryEndpoint', PACKAGES, ROLE],
    ['CodeArtifact: a bearer token', () => policyOf(byService('codeartifact.api')), 'sts:GetServiceBearerToken', '*', ROLE],
    ['S3: read a CodeArtifact package asset of this Region', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', CODEARTIFACT_ASSET, ROLE],
  ];
  test.each(cases)('allows %s', async (_name, policy, action, resource) => {
    expect(await through(policy(), action, resource)).toBe('Allowed');
  });

  const denied: Array<[string, () => unknown, string, string, string]> = [
    ['S3: write to the environment bucket', () => policyOf(endpoints.s3Endpoint!), 's3:PutObject', `arn:aws:s3:::${BUCKET}/dags/evil.py`, ROLE],
    ['S3: read another bucket', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', 'arn:aws:s3:::exfiltration-target/data.csv', ROLE],
    ['S3: delete the bucket policy', () => policyOf(endpoints.s3Endpoint!), 's3:DeleteBucketPolicy', `arn:aws:s3:::${BUCKET}`, ROLE],
    ['SQS: send to another queue', () => policyOf(byService('sqs')), 'sqs:SendMessage', `arn:aws:sqs:${REGION}:${ACCOUNT}:payments`, ROLE],
    ['SQS: purge the Celery queue', () => policyOf(byService('sqs')), 'sqs:PurgeQueue', MWAA_QUEUE, ROLE],
    ['SQS: use the Celery queue as a principal of another account', () => policyOf(byService('sqs')), 'sqs:SendMessage', MWAA_QUEUE, FOREIGN],
    ['Logs: write another log group', () => policyOf(byService('logs')), 'logs:PutLogEvents', LOG_STREAM('/aws/lambda/payments'), ROLE],
    ['Logs: delete its log group', () => policyOf(byService('logs')), 'logs:DeleteLogGroup', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-test-env-Task`, ROLE],
    ['Logs: describe log groups as a principal of another account', () => policyOf(byService('logs')), 'logs:DescribeLogGroups', '*', FOREIGN],
    ['CloudWatch: put metric data as a principal of another account', () => policyOf(byService('monitoring')), 'cloudwatch:PutMetricData', '*', FOREIGN],
    ['CloudWatch: delete alarms', () => policyOf(byService('monitoring')), 'cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:x`, ROLE],
    ['KMS: decrypt with another key', () => policyOf(byService('kms')), 'kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/9999abcd-12ab-34cd-56ef-1234567890ab`, ROLE],
    ['KMS: schedule deletion of the key', () => policyOf(byService('kms')), 'kms:ScheduleKeyDeletion', KEY_ARN, ROLE],
    ['Secrets Manager: read a secret of another account', () => policyOf(byService('secretsmanager')), 'secretsmanager:GetSecretValue', SECRET('444444444444'), ROLE],
    ['Secrets Manager: change a secret', () => policyOf(byService('secretsmanager')), 'secretsmanager:PutSecretValue', SECRET(ACCOUNT), ROLE],
    ['MWAA: log in to another environment', () => policyOf(byService('airflow.env')), 'airflow:CreateWebLoginToken', `arn:aws:airflow:${REGION}:${ACCOUNT}:role/other-env/Admin`, ROLE],
    ['MWAA: a CLI token for another environment', () => policyOf(byService('airflow.env')), 'airflow:CreateCliToken', ENVIRONMENT('other-env'), ROLE],
    ['MWAA: update another environment', () => policyOf(byService('airflow.api')), 'airflow:UpdateEnvironment', ENVIRONMENT('other-env'), ROLE],
    ['MWAA: create an environment', () => policyOf(byService('airflow.api')), 'airflow:CreateEnvironment', ENVIRONMENT('new-env'), ROLE],
    ['ECR: pull an image as a principal of another account', () => policyOf(byService('ecr.api')), 'ecr:BatchGetImage', REPOSITORY, FOREIGN],
    ['ECR: pull a layer as a principal of another account', () => policyOf(byService('ecr.dkr')), 'ecr:GetDownloadUrlForLayer', REPOSITORY, FOREIGN],
    ['ECR: get an authorization token as a principal of another account', () => policyOf(byService('ecr.api')), 'ecr:GetAuthorizationToken', '*', FOREIGN],
    ['ECR: get an authorization token through the Docker endpoint as a principal of another account', () => policyOf(byService('ecr.dkr')), 'ecr:GetAuthorizationToken', '*', FOREIGN],
    ['Secrets Manager: list secrets as a principal of another account', () => policyOf(byService('secretsmanager')), 'secretsmanager:ListSecrets', '*', FOREIGN],
    ['CodeArtifact: an authorization token as a principal of another account', () => policyOf(byService('codeartifact.api')), 'codeartifact:GetAuthorizationToken', '*', FOREIGN],
    ['CodeArtifact: a bearer token through the repositories endpoint as a principal of another account', () => policyOf(byService('codeartifact.repositories')), 'sts:GetServiceBearerToken', '*', FOREIGN],
    ['ECR: push an image', () => policyOf(byService('ecr.api')), 'ecr:PutImage', REPOSITORY, ROLE],
    ['ECR: delete a repository', () => policyOf(byService('ecr.dkr')), 'ecr:DeleteRepository', REPOSITORY, ROLE],
    ['CodeArtifact: read packages as a principal of another account', () => policyOf(byService('codeartifact.repositories')), 'codeartifact:ReadFromRepository', PACKAGES, FOREIGN],
    ['CodeArtifact: publish a package', () => policyOf(byService('codeartifact.repositories')), 'codeartifact:PublishPackageVersion', `arn:aws:codeartifact:${REGION}:${ACCOUNT}:package/corp/pypi/pypi/corp/evil`, ROLE],
    ['CodeArtifact: delete the repository', () => policyOf(byService('codeartifact.api')), 'codeartifact:DeleteRepository', PACKAGES, ROLE],
    ['S3: write a CodeArtifact asset bucket', () => policyOf(endpoints.s3Endpoint!), 's3:PutObject', CODEARTIFACT_ASSET, ROLE],
    ['S3: read an assets-named bucket of another Region', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', 'arn:aws:s3:::assets-555555555555-eu-west-3/wheel.whl', ROLE],
    ['S3: read an ECR-layer-named bucket of another Region', () => policyOf(endpoints.s3Endpoint!), 's3:GetObject', 'arn:aws:s3:::prod-eu-west-3-starport-layer-bucket/layer', ROLE],
  ];
  test.each(denied)('denies %s', async (_name, policy, action, resource, principal) => {
    expect(await through(policy(), action, resource, principal)).not.toBe('Allowed');
  });

  test('each endpoint policy has its named statements, and only those on `*` or on a queue MWAA owns are held to this account', () => {
    const statements = (endpoint: ec2.GatewayVpcEndpoint | ec2.InterfaceVpcEndpoint) =>
      (policyOf(endpoint) as any).Statement.map((st: any) => [st.Sid, st.Condition ?? 'any account']);
    const own = { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } };
    expect(statements(endpoints.s3Endpoint!)).toEqual([
      ['ReadEnvironmentBucket', 'any account'], ['UseDataBuckets', 'any account'], ['ReadEcrLayers', 'any account'], ['ReadCodeArtifactAssets', 'any account'],
    ]);
    expect(statements(byService('sqs'))).toEqual([['UseCeleryQueue', own]]);
    expect(statements(byService('logs'))).toEqual([['WriteEnvironmentLogs', 'any account'], ['DescribeLogGroups', own]]);
    expect(statements(byService('monitoring'))).toEqual([['PutMetricData', own]]);
    expect(statements(byService('kms'))).toEqual([['UseEnvironmentKey', 'any account']]);
    expect(statements(byService('secretsmanager'))).toEqual([['ReadSecrets', 'any account'], ['ListSecrets', own]]);
    expect(statements(byService('ecr.api'))).toEqual([['PullImages', own]]);
    expect(statements(byService('ecr.dkr'))).toEqual([['PullImages', own]]);
    expect(statements(byService('airflow.api'))).toEqual([['ThisEnvironmentOnly', 'any account']]);
    expect(statements(byService('airflow.env'))).toEqual([['ThisEnvironmentOnly', 'any account']]);
    expect(statements(byService('codeartifact.api'))).toEqual([['ReadPackages', own]]);
    expect(statements(byService('codeartifact.repositories'))).toEqual([['ReadPackages', own]]);
  });

  test('addAirflowEnvEndpoint returns the airflow.env endpoint airflowEndpoints made, and adds none', () => {
    const count = endpoints.interfaceEndpointCount;
    expect(endpoints.addAirflowEnvEndpoint()).toBe(byService('airflow.env'));
    expect(endpoints.interfaceEndpointCount).toBe(count);
  });

  test('the ECR layer bucket is not admitted without ECR', async () => {
    const plain = build({ createVpcEndpoints: true });
    const doc = resolveIntrinsics(plain.template.toJSON().Resources[plain.id(plain.env.vpcEndpoints!.s3Endpoint!)].Properties.PolicyDocument, {
      account: ACCOUNT,
      region: REGION,
      refs: {},
      arns: { [plain.id(plain.env.sourceBucket)]: `arn:aws:s3:::${BUCKET}` },
    });
    expect(await through(doc, 's3:GetObject', `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/layer`)).not.toBe('Allowed');
    expect(await through(doc, 's3:GetObject', `arn:aws:s3:::${BUCKET}/requirements.txt`)).toBe('Allowed');
  });
});

describe('the endpoints construct on its own', () => {
  function standalone(extra: Partial<ConstructorParameters<typeof MwaaVpcEndpoints>[2]> = {}) {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = isolatedVpc(stack);
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const endpoints = new MwaaVpcEndpoints(stack, 'Endpoints', {
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      environmentSecurityGroups: [sg],
      environmentName: 'test-env',
      sourceBucket: s3.Bucket.fromBucketName(stack, 'B', 'source-bucket'),
      kmsKey: new kms.Key(stack, 'Key'),
      ...extra,
    });
    const resources = () => Template.fromStack(stack).toJSON().Resources;
    const policy = (endpoint: ec2.InterfaceVpcEndpoint) =>
      resolveIntrinsics(resources()[stack.getLogicalId(endpoint.node.defaultChild as any)].Properties.PolicyDocument,
        { account: ACCOUNT, region: REGION, refs: {}, arns: {} });
    return { stack, vpc, sg, endpoints, resources, policy };
  }

  test('without ECR, CodeArtifact or data buckets, the S3 endpoint reads the environment bucket only', () => {
    const { endpoints, policy } = standalone();
    expect((policy(endpoints.s3Endpoint as any) as any).Statement.map((st: any) => st.Sid)).toEqual(['ReadEnvironmentBucket']);
  });

  test('rejects a subnet selection that selects no subnet', () => {
    expect(() => standalone({ subnets: { subnets: [] } }))
      .toThrow(new Error('`subnets` must select at least one subnet of the VPC for the endpoints, got: none'));
  });

  test('its security group admits HTTPS from the environment\'s security groups only, not the VPC', () => {
    const { stack, sg, endpoints, resources } = standalone();
    const group = resources()[stack.getLogicalId(endpoints.securityGroup.node.defaultChild as any)].Properties;
    expect(group.GroupDescription).toBe('VPC endpoints of the Amazon MWAA environment test-env');
    const ingress = [
      ...(group.SecurityGroupIngress ?? []),
      ...Object.values<any>(resources()).filter(r => r.Type === 'AWS::EC2::SecurityGroupIngress').map(r => r.Properties),
    ];
    expect(ingress).toEqual([expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(sg.node.defaultChild as any), 'GroupId'] },
      Description: 'HTTPS from the Amazon MWAA environment test-env',
    })]);
  });

  test('addAirflowEnvEndpoint adds one airflow.env endpoint, for InvokeRestApi on this environment\'s Airflow roles, however often it is called', () => {
    const { endpoints, policy } = standalone();
    const count = endpoints.interfaceEndpointCount;
    const first = endpoints.addAirflowEnvEndpoint();
    expect(endpoints.addAirflowEnvEndpoint()).toBe(first);
    expect(endpoints.interfaceEndpointCount).toBe(count + 1);
    expect(policy(first)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'InvokeRestApiOnThisEnvironment',
        Effect: 'Allow',
        Principal: '*',
        Action: 'airflow:InvokeRestApi',
        Resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:role/test-env/*`,
      }],
    });
  });

  test('allowQueue admits each queue in a statement of its own', () => {
    const { stack, endpoints, resources } = standalone();
    const events = new sqs.Queue(stack, 'Events');
    const more = new sqs.Queue(stack, 'More');
    endpoints.allowQueue(events, ['sqs:ReceiveMessage']);
    endpoints.allowQueue(more, ['sqs:SendMessage', 'sqs:GetQueueUrl']);
    const statements = resources()[stack.getLogicalId(endpoints.interfaceEndpoints[0].node.defaultChild as any)].Properties.PolicyDocument.Statement;
    expect(statements.slice(1).map((st: any) => [st.Sid, st.Action, st.Resource, st.Condition])).toEqual([
      ['UseQueue0', 'sqs:ReceiveMessage', { 'Fn::GetAtt': [stack.getLogicalId(events.node.defaultChild as any), 'Arn'] }, undefined],
      ['UseQueue1', ['sqs:SendMessage', 'sqs:GetQueueUrl'], { 'Fn::GetAtt': [stack.getLogicalId(more.node.defaultChild as any), 'Arn'] }, undefined],
    ]);
  });

  test('an environment\'s endpoints sit in the environment\'s subnets, not in the VPC\'s default selection', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        // The other group first: an interface endpoint's default selection takes the first one per zone.
        { name: 'Other', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        { name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
      environmentName: 'test-env', vpc, createVpcEndpoints: true, vpcSubnets: { subnetGroupName: 'Airflow' },
    });
    const airflowSubnets = vpc.selectSubnets({ subnetGroupName: 'Airflow' }).subnets.map(sn => stack.resolve(sn.subnetId));
    const sqsEndpointId = stack.getLogicalId(env.vpcEndpoints!.interfaceEndpoints[0].node.defaultChild as any);
    const sqsEndpoint = Template.fromStack(stack).toJSON().Resources[sqsEndpointId];
    expect(sqsEndpoint.Properties.SubnetIds).toEqual(airflowSubnets);
  });

  test('rejects an empty list of environment security groups', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = isolatedVpc(stack);
    expect(() => new MwaaVpcEndpoints(stack, 'Endpoints', {
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      environmentSecurityGroups: [],
      environmentName: 'test-env',
      sourceBucket: s3.Bucket.fromBucketName(stack, 'B', 'source-bucket'),
      kmsKey: new kms.Key(stack, 'Key'),
    })).toThrow('`environmentSecurityGroups` must name at least one security group (only it may reach the endpoints), got: none');
  });

  test('is one per VPC: a second environment with its own endpoints in the same VPC is rejected', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = isolatedVpc(stack);
    new PrivateMwaaEnvironment(stack, 'First', { environmentName: 'first', vpc, createVpcEndpoints: true });
    expect(() => new PrivateMwaaEnvironment(stack, 'Second', { environmentName: 'second', vpc, createVpcEndpoints: true }))
      .toThrow('`vpcEndpoints`: the VPC TestStack/Vpc has MWAA VPC endpoints already (TestStack/First/VpcEndpoints), and private DNS allows one endpoint per service in a VPC. Create MwaaVpcEndpoints once for the VPC (with `restrictPolicies: false` when several environments share it) and let the other environments in through its `connections`, got a second set at TestStack/Second/VpcEndpoints');
    // Another VPC is another matter.
    const other = new ec2.Vpc(stack, 'OtherVpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => new PrivateMwaaEnvironment(stack, 'Third', { environmentName: 'third', vpc: other, createVpcEndpoints: true })).not.toThrow();
  });

  test('other workloads reach the endpoints only when let in through connections', () => {
    const rulesFromSecond = (allow: boolean) => {
      const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
      const vpc = isolatedVpc(stack);
      const first = new PrivateMwaaEnvironment(stack, 'First', { environmentName: 'first', vpc, createVpcEndpoints: true, vpcEndpointsOptions: { restrictPolicies: false } });
      const second = new PrivateMwaaEnvironment(stack, 'Second', { environmentName: 'second', vpc });
      if (allow) {
        first.vpcEndpoints!.connections.allowDefaultPortFrom(second);
      }
      return Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: {
          GroupId: { 'Fn::GetAtt': [stack.getLogicalId(first.vpcEndpoints!.securityGroup.node.defaultChild as any), 'GroupId'] },
          SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(second.securityGroups[0].node.defaultChild as any), 'GroupId'] },
        },
      }));
    };
    expect(rulesFromSecond(false)).toHaveLength(0);
    const rules = rulesFromSecond(true);
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
  });

  test('names the given Celery queue in the SQS policy', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = isolatedVpc(stack);
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const queue = `arn:aws:sqs:${REGION}:222222222222:airflow-celery-abc`;
    const key = new kms.Key(stack, 'Key');
    const endpoints = new MwaaVpcEndpoints(stack, 'Endpoints', {
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      environmentSecurityGroups: [sg],
      environmentName: 'test-env',
      sourceBucket: s3.Bucket.fromBucketName(stack, 'B', 'source-bucket'),
      kmsKey: key,
      celeryQueueArn: queue,
    });
    const queueEndpoint = endpoints.interfaceEndpoints[0];
    const doc = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(queueEndpoint.node.defaultChild as any)].Properties.PolicyDocument;
    expect(doc.Statement[0].Resource).toBe(queue);
  });
});

describe('customer-managed endpoints in the same account', () => {
  test('a private web server gets a database and a web server endpoint from the environment\'s services', () => {
    const { template, env, id, stack, vpc } = build({ endpointManagement: EndpointManagement.CUSTOMER }, s => newVpc(s));
    const envId = id(env.node.findChild('Resource') as any);
    const expected = (attribute: string) => ({
      VpcEndpointType: 'Interface',
      ServiceName: { 'Fn::GetAtt': [envId, attribute] },
      VpcId: stack.resolve(vpc.vpcId),
      SubnetIds: env.subnets.map(s => stack.resolve(s.subnetId)),
      SecurityGroupIds: env.securityGroups.map(sg => stack.resolve(sg.securityGroupId)),
    });
    expect(template.toJSON().Resources[id(env.databaseVpcEndpoint!)].Properties).toEqual(expected('DatabaseVpcEndpointService'));
    expect(template.toJSON().Resources[id(env.webserverVpcEndpoint!)].Properties).toEqual(expected('WebserverVpcEndpointService'));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('customerEndpoints'))).toHaveLength(0);
  });

  test.each([WebserverAccessMode.PUBLIC_ONLY, WebserverAccessMode.PUBLIC_AND_PRIVATE])('a %s web server gets only the database endpoint (MWAA manages the web server one of PUBLIC_AND_PRIVATE)', mode => {
    const publicWebserver = { endpointManagement: EndpointManagement.CUSTOMER, webserverAccessMode: mode };
    const { template, env } = build(publicWebserver, s => newVpc(s));
    expect(env.webserverVpcEndpoint).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  });

  test('nothing is created, and a warning says so, when creating them is turned off', () => {
    const { template, stack } = build({ endpointManagement: EndpointManagement.CUSTOMER, createCustomerEndpoints: false }, s => newVpc(s));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: cdk-private-mwaa:customerEndpoints\\]')).map(w => w.entry.data)).toEqual([
      expect.stringMatching(/^`endpointManagement` is CUSTOMER and `createCustomerEndpoints` is off, so nothing here creates the VPC endpoints/),
    ]);
  });

  test('service-managed endpoints take no customer endpoint setting', () => {
    expect(() => build({ createCustomerEndpoints: true }, s => newVpc(s)))
      .toThrow('`createCustomerEndpoints` only applies when `endpointManagement` is CUSTOMER, got: true with SERVICE');
  });
});
