import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AirflowRole, AirflowVersion, EndpointManagement, FrontDoorSignIn, MwaaFrontDoorOptions, MwaaWarnings, PrivateMwaaEnvironment,
  PrivateMwaaEnvironmentProps, WebserverAccessMode,
} from '../src';
import { nagFindings, PACKS } from './support/nag';
import { certificateCovers } from '../src/front-door';
import { newStack, newVpc } from './support/fixtures';

/**
 * The front door: load balancer, listener and rules, certificate and record, the web server
 * targets looked up at deploy time, the login function and its roles, the base URL, the
 * validations, the warning and the compliance packs.
 */

function oidc(stack: Stack, overrides: Partial<Parameters<typeof FrontDoorSignIn.oidc>[0]> = {}): FrontDoorSignIn {
  return FrontDoorSignIn.oidc({
    issuer: 'https://login.example.com/oauth2/default',
    authorizationEndpoint: 'https://login.example.com/oauth2/default/v1/authorize',
    tokenEndpoint: 'https://login.example.com/oauth2/default/v1/token',
    userInfoEndpoint: 'https://login.example.com/oauth2/default/v1/userinfo',
    clientId: 'front-door-client',
    clientSecret: secretsmanager.Secret.fromSecretNameV2(stack, `ClientSecret${stack.node.children.length}`, 'front-door/client-secret'),
    ...overrides,
  });
}

interface Built {
  readonly stack: Stack;
  readonly env: PrivateMwaaEnvironment;
  readonly zone: route53.PublicHostedZone;
  readonly template: Template;
  readonly frontDoor: ReturnType<PrivateMwaaEnvironment['addFrontDoor']>;
}

function build(options: Partial<MwaaFrontDoorOptions> = {}, envProps: Partial<PrivateMwaaEnvironmentProps> = {}): Built {
  const stack = newStack();
  const vpc = newVpc(stack);
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc, ...envProps });
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const frontDoor = env.addFrontDoor('FrontDoor', {
    hostName: 'airflow.example.com',
    hostedZone: zone,
    signIn: oidc(stack),
    groups: [
      { group: 'airflow-admins', airflowRole: AirflowRole.ADMIN },
      { group: 'data-engineers', airflowRole: AirflowRole.USER },
    ],
    accessPeers: [ec2.Peer.ipv4('10.8.0.0/16')],
    targetRefresh: 'test',
    ...options,
  });
  return { stack, env, zone, frontDoor, template: Template.fromStack(stack) };
}

const built = build();
const t = built.template;
const logicalId = (c: { node: { defaultChild?: unknown } }) => built.stack.getLogicalId(c.node.defaultChild as any);

describe('the load balancer and its listener', () => {
  test('an internal load balancer that drops invalid headers, in the private subnets', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
  });

  test('one HTTPS listener on 443 with a current TLS 1.3/1.2 policy and the certificate; every default request signs in, then goes to the web server', () => {
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      Certificates: [{ CertificateArn: { Ref: logicalId(built.frontDoor.certificate as acm.Certificate) } }],
      DefaultActions: [
        Match.objectLike({
          Order: 1,
          Type: 'authenticate-oidc',
          AuthenticateOidcConfig: Match.objectLike({
            Issuer: 'https://login.example.com/oauth2/default',
            ClientId: 'front-door-client',
            SessionTimeout: '28800',
            ClientSecret: { 'Fn::Join': ['', ['{{resolve:secretsmanager:arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:front-door/client-secret:SecretString:::}}']] },
          }),
        }),
        { Order: 2, Type: 'forward', TargetGroupArn: { Ref: logicalId(built.frontDoor.webserverTargetGroup) } },
      ],
    });
  });

  test('the token login page goes to the web server, the login entry points to the login function, both after sign-in', () => {
    const rules = t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule');
    const byPriority = Object.fromEntries(Object.values(rules).map((r: any) => [r.Properties.Priority, r.Properties]));
    expect(Object.keys(byPriority).sort()).toEqual(['10', '20']);
    expect(byPriority[10].Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/pluginsv2/aws_mwaa/aws-console-sso'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'login', Value: 'true' }] } },
    ]);
    expect(byPriority[10].Actions.map((a: any) => a.Type)).toEqual(['authenticate-oidc', 'forward']);
    expect(byPriority[10].Actions[1].TargetGroupArn).toEqual({ Ref: logicalId(built.frontDoor.webserverTargetGroup) });
    expect(byPriority[20].Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/pluginsv2/aws_mwaa/aws-console-sso', '/login/', '/auth/login/'] } },
    ]);
    expect(byPriority[20].Actions.map((a: any) => a.Type)).toEqual(['authenticate-oidc', 'forward']);
    expect(byPriority[20].Actions[1].TargetGroupArn).not.toEqual({ Ref: logicalId(built.frontDoor.webserverTargetGroup) });
  });

  test('Airflow 2 uses the single-sign-on page without /pluginsv2', () => {
    const v2 = build({}, { airflowVersion: AirflowVersion.V2_10_3 }).template;
    v2.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: Match.arrayWith([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/aws_mwaa/aws-console-sso'] } }]),
    });
    v2.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/aws_mwaa/aws-console-sso' });
    v2.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ AIRFLOW_MAJOR_VERSION: '2' }) } });
  });

  test('a Cognito user pool signs in with authenticate-cognito and its issuer is the pool\'s', () => {
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc: newVpc(stack) });
    const userPool = new cognito.UserPool(stack, 'Pool');
    const userPoolClient = userPool.addClient('FrontDoor', { generateSecret: true });
    const userPoolDomain = userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'analytics-airflow' } });
    env.addFrontDoor('FrontDoor', {
      hostName: 'airflow.example.com',
      hostedZone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
      signIn: FrontDoorSignIn.cognito({ userPool, userPoolClient, userPoolDomain }),
      groups: [{ group: 'admins', airflowRole: AirflowRole.ADMIN }],
      groupsClaim: 'custom:groups',
      sessionTimeout: Duration.hours(1),
      targetRefresh: 'test',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: Match.arrayWith([Match.objectLike({ Type: 'authenticate-cognito', AuthenticateCognitoConfig: Match.objectLike({ SessionTimeout: '3600' }) })]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ISSUER: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: stack.getLogicalId(userPool.node.defaultChild as any) }]] },
          GROUPS_CLAIM: 'custom:groups',
        }),
      },
    });
  });

  test('internet-facing only when asked, with one warning by id and message', () => {
    expect(Annotations.fromStack(built.stack).findWarning('*', Match.stringLikeRegexp(MwaaWarnings.FRONT_DOOR_INTERNET_FACING))).toHaveLength(0);
    const open = build({ internetFacing: true });
    open.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    const warnings = Annotations.fromStack(open.stack).findWarning('*', Match.stringLikeRegexp(MwaaWarnings.FRONT_DOOR_INTERNET_FACING));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('`internetFacing`: the front door of a private web server is reachable from the internet');
    expect(MwaaWarnings.ALL).toContain('cdk-private-mwaa:frontDoorInternetFacing');
  });

  test('access logs go to the bucket when one is given', () => {
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc: newVpc(stack) });
    const bucket = new s3.Bucket(stack, 'Logs');
    env.addFrontDoor('FrontDoor', {
      hostName: 'airflow.example.com',
      hostedZone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
      signIn: oidc(stack),
      groups: [{ group: 'admins', airflowRole: AirflowRole.ADMIN }],
      accessLogsBucket: bucket,
      targetRefresh: 'test',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.prefix', Value: 'front-door/analytics' },
      ]),
    });
  });
});

describe('network', () => {
  test('the load balancer accepts 443 from the peers only, and sends to the identity provider on 443 and to the web server', () => {
    const sg = t.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'Front door of the Airflow web server of analytics' } });
    const [props] = Object.values(sg).map((r: any) => r.Properties);
    expect(props.SecurityGroupIngress).toEqual([{ CidrIp: '10.8.0.0/16', Description: 'Front door of analytics from 10.8.0.0/16', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }]);
    expect(props.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', Description: 'Sign-in: the identity provider\'s token and user info endpoints', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }]);
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [logicalId(built.frontDoor.securityGroup), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AirflowSecurityGroup'), 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
    });
  });

  test('the environment accepts 443 from the load balancer\'s security group', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AirflowSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(built.frontDoor.securityGroup), 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
      IpProtocol: 'tcp',
    });
  });

  test('an open peer gets the same warning as an open web server peer, naming accessPeers', () => {
    const open = build({ accessPeers: [ec2.Peer.anyIpv4()] });
    const warnings = Annotations.fromStack(open.stack).findWarning('*', Match.stringLikeRegexp(MwaaWarnings.WEBSERVER_OPEN_TO_ALL));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('`accessPeers`: the ranges together cover 0.0.0.0/0, which lets every address reach');
  });
});

describe('name and certificate', () => {
  test('a DNS-validated certificate for the host name, and an alias record in the zone', () => {
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'airflow.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'airflow.example.com', HostedZoneId: { Ref: logicalId(built.zone) } }],
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'airflow.example.com.',
      Type: 'A',
      HostedZoneId: { Ref: logicalId(built.zone) },
      AliasTarget: { DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [logicalId(built.frontDoor.loadBalancer), 'DNSName'] }]] }, HostedZoneId: Match.anyValue() },
    });
  });

  test('a given certificate is used as is, and a validation zone of its own is used for a new one', () => {
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc: newVpc(stack) });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    env.addFrontDoor('FrontDoor', {
      hostName: 'airflow.example.com',
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Private', { hostedZoneId: 'Z123', zoneName: 'example.com' }),
      certificate,
      signIn: oidc(stack),
      groups: [{ group: 'admins', airflowRole: AirflowRole.ADMIN }],
      targetRefresh: 'test',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' }] });
    template.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z123' });

    const other = build({ certificateValidationZone: route53.HostedZone.fromHostedZoneAttributes(newStack('X'), 'Public', { hostedZoneId: 'ZPUBLIC', zoneName: 'example.com' }) });
    other.template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainValidationOptions: [{ DomainName: 'airflow.example.com', HostedZoneId: 'ZPUBLIC' }] });
  });

  test.each([
    ['*.example.com', 'airflow.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['AIRFLOW.example.com', 'airflow.EXAMPLE.com', true],
    ['airflow.example.com', 'airflow.example.org', false],
  ])('certificate name %s covers %s: %s', (name, host, covers) => {
    expect(certificateCovers(name, host)).toBe(covers);
  });
});

describe('targets: the web server endpoint\'s addresses, looked up on every deployment', () => {
  const resources = t.toJSON().Resources;
  const lookups = Object.entries<any>(resources).filter(([, r]) => r.Type === 'Custom::AWS');
  const resolveCall = (r: any, key: 'Create' | 'Update') => {
    const joined = r.Properties[key]['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : `<${JSON.stringify(p)}>`)).join('');
    return joined;
  };

  test('DescribeVpcEndpoints by the environment\'s web server service in its VPC, then DescribeNetworkInterfaces of its two interfaces', () => {
    const [[endpointId, endpoint], [, interfaces]] = [
      lookups.find(([id]) => id.includes('WebserverEndpointLookup'))!,
      lookups.find(([id]) => id.includes('WebserverAddressLookup'))!,
    ];
    for (const key of ['Create', 'Update'] as const) {
      const call = resolveCall(endpoint, key);
      expect(call).toContain('"action":"describeVpcEndpoints"');
      expect(call).toContain('{"Name":"service-name","Values":["<{"Fn::GetAtt":["AirflowBA1DF899","WebserverVpcEndpointService"]}>"]}');
      expect(call).toContain('{"Name":"vpc-id","Values":["<{"Ref":"Vpc8378EB38"}>"]}');
      const second = resolveCall(interfaces, key);
      expect(second).toContain('"action":"describeNetworkInterfaces"');
      expect(second).toContain(`"NetworkInterfaceIds":["<{"Fn::GetAtt":["${endpointId}","VpcEndpoints.0.NetworkInterfaceIds.0"]}>","<{"Fn::GetAtt":["${endpointId}","VpcEndpoints.0.NetworkInterfaceIds.1"]}>"]`);
    }
    // Not before the environment exists (its endpoint is created with it).
    expect(endpoint.DependsOn).toEqual(expect.arrayContaining(['AirflowBA1DF899']));
  });

  test('the two addresses are the targets, on 443 over HTTPS, checked on MWAA\'s single-sign-on page', () => {
    const addressId = lookups.find(([id]) => id.includes('WebserverAddressLookup'))![0];
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'HTTPS',
      Port: 443,
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/pluginsv2/aws_mwaa/aws-console-sso',
      Matcher: { HttpCode: '200-499' },
      Targets: [
        { Id: { 'Fn::GetAtt': [addressId, 'NetworkInterfaces.0.PrivateIpAddress'] }, Port: 443 },
        { Id: { 'Fn::GetAtt': [addressId, 'NetworkInterfaces.1.PrivateIpAddress'] }, Port: 443 },
      ],
    });
  });

  test('a new refresh value changes both calls (so CloudFormation runs them again); the same value does not', () => {
    const calls = (refresh: string) => {
      const b = build({ targetRefresh: refresh });
      return Object.values<any>(b.template.toJSON().Resources).filter(r => r.Type === 'Custom::AWS').map(r => JSON.stringify(r.Properties.Update));
    };
    const first = calls('2026-12-04T10:00:00Z');
    const second = calls('2026-12-04T11:00:00Z');
    expect(first).toHaveLength(2);
    expect(first[0]).not.toEqual(second[0]);
    expect(first[1]).not.toEqual(second[1]);
    expect(calls('2026-12-04T10:00:00Z')).toEqual(first);
  });

  test('by default the refresh value is the time of synthesis', () => {
    const before = Date.now();
    const b = build({ targetRefresh: undefined });
    const update = Object.values<any>(b.template.toJSON().Resources).find(r => r.Type === 'Custom::AWS').Properties.Update;
    const stamp = JSON.stringify(update).match(/webserver-endpoint-([0-9TZ:.-]+)/)![1];
    expect(Date.parse(stamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  test('with customer-managed endpoints, the lookup waits for the construct\'s web server endpoint', () => {
    const b = build({}, { endpointManagement: EndpointManagement.CUSTOMER });
    const [, endpoint] = Object.entries<any>(b.template.toJSON().Resources).find(([id, r]) => r.Type === 'Custom::AWS' && id.includes('WebserverEndpointLookup'))!;
    expect(endpoint.DependsOn).toEqual(expect.arrayContaining([b.stack.getLogicalId(b.env.webserverVpcEndpoint!)]));
  });
});

describe('the login function', () => {
  test('Node 24, outside the VPC, with its settings', () => {
    const [fn] = Object.values<any>(t.findResources('AWS::Lambda::Function', { Properties: { Description: 'Signs people in to the Airflow web server of analytics' } }));
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.VpcConfig).toBeUndefined();
    const vars = fn.Properties.Environment.Variables;
    expect(vars).toMatchObject({
      LOAD_BALANCER_ARN: { Ref: logicalId(built.frontDoor.loadBalancer) },
      ISSUER: 'https://login.example.com/oauth2/default',
      ENVIRONMENT_NAME: 'analytics',
      AIRFLOW_MAJOR_VERSION: '3',
      HOST_NAME: 'airflow.example.com',
      GROUPS_CLAIM: 'groups',
      GROUPS: JSON.stringify([{ group: 'airflow-admins', role: 'Admin' }, { group: 'data-engineers', role: 'User' }]),
    });
    expect(JSON.stringify(vars.ROLE_ARNS)).toContain('AdminLoginRole');
    expect(JSON.stringify(vars.ROLE_ARNS)).toContain('UserLoginRole');
    expect(JSON.stringify(vars.ROLE_ARNS)).not.toContain('ViewerLoginRole');
  });

  test('one login role per mapped Airflow role, trusted by the function\'s role only, allowed one token call', () => {
    expect(built.frontDoor.loginRole(AirflowRole.ADMIN)).toBeDefined();
    expect(built.frontDoor.loginRole(AirflowRole.USER)).toBeDefined();
    expect(built.frontDoor.loginRole(AirflowRole.VIEWER)).toBeUndefined();
    expect(built.frontDoor.loginRole(AirflowRole.OP)).toBeUndefined();
    for (const role of ['Admin', 'User']) {
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [{
            Sid: 'CreateWebLoginTokenForOneAirflowRole',
            Effect: 'Allow',
            Action: 'airflow:CreateWebLoginToken',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:airflow:eu-west-1:111111111111:role/analytics/${role}`]] },
          }],
        },
      });
    }
    const loginRoles = t.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('Creates Airflow web login tokens') } });
    expect(Object.keys(loginRoles)).toHaveLength(2);
    for (const role of Object.values<any>(loginRoles)) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoginFunctionRole') as any, 'Arn'] } },
      }].map(s => expect.objectContaining({ Action: s.Action, Effect: s.Effect })));
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toMatch(/FrontDoorLoginFunctionRole[0-9A-F]{8}/);
    }
  });

  test('its own logs, encrypted with the environment\'s key, kept a year', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'cdk-private-mwaa-analytics-FrontDoorLogin',
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(built.env.kmsKey as any), 'Arn'] },
    });
  });

  test('the load balancer may invoke it', () => {
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'elasticloadbalancing.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(built.frontDoor.loginFunction as any), 'Arn'] },
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'lambda',
      Targets: [{ Id: { 'Fn::GetAtt': [logicalId(built.frontDoor.loginFunction as any), 'Arn'] } }],
    });
  });
});

describe('webserver.base_url', () => {
  const options = (template: Template) => Object.values<any>(template.findResources('AWS::MWAA::Environment'))[0].Properties.AirflowConfigurationOptions;

  test('is set to the host name, next to the other options', () => {
    expect(options(t)).toEqual({ 'webserver.base_url': 'airflow.example.com' });
    const withOthers = build({}, { airflowConfigurationOptions: { 'core.default_task_retries': '3', 'webserver.base_url': 'airflow.example.com' } });
    expect(options(withOthers.template)).toEqual({ 'core.default_task_retries': '3', 'webserver.base_url': 'airflow.example.com' });
  });

  test('throws when already set to another host', () => {
    expect(() => build({}, { airflowConfigurationOptions: { 'webserver.base_url': 'old.example.com' } }))
      .toThrow("`airflowConfigurationOptions` already sets webserver.base_url to another host than the front door's airflow.example.com, got: 'old.example.com'");
  });

  test('throws for a public web server', () => {
    expect(() => build({}, { webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY }))
      .toThrow('`webserverAccessMode` must be PRIVATE_ONLY for a custom domain (`webserver.base_url`) in front of the web server, got: PUBLIC_ONLY');
  });
});

describe('bad input fails at synthesis, naming the prop and the value', () => {
  test.each([
    ['https://airflow.example.com', "got: 'https://airflow.example.com'"],
    ['airflow.example.com/ui', "got: 'airflow.example.com/ui'"],
    ['airflow', "got: 'airflow'"],
    ['airflow.example.com.', "got: 'airflow.example.com.'"],
    ['-airflow.example.com', "got: '-airflow.example.com'"],
    // 256 characters, one more than allowed.
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`, 'got: '],
  ])('throws when hostName is %s', (hostName, got) => {
    expect(() => build({ hostName })).toThrow('`hostName` must be a fully qualified domain name without scheme, path or trailing dot, at most 255 characters');
    expect(() => build({ hostName })).toThrow(got);
  });

  test('accepts a host name of exactly 255 characters', () => {
    const hostName = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.com`;
    expect(hostName).toHaveLength(255);
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc: newVpc(stack) });
    expect(() => env.addFrontDoor('FrontDoor', {
      hostName,
      hostedZone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'com' }),
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc'),
      signIn: oidc(stack),
      groups: [{ group: 'admins', airflowRole: AirflowRole.ADMIN }],
      targetRefresh: 'test',
    })).not.toThrow();
  });

  test('throws when the certificate is for another name', () => {
    const stack = newStack();
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc: newVpc(stack) });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    const other = new acm.Certificate(stack, 'Other', { domainName: 'grafana.example.com', subjectAlternativeNames: ['*.grafana.example.com'] });
    const wildcard = new acm.Certificate(stack, 'Wildcard', { domainName: '*.example.com' });
    const add = (id: string, certificate: acm.ICertificate) => env.addFrontDoor(id, {
      hostName: 'airflow.example.com', hostedZone: zone, certificate, signIn: oidc(stack), groups: [{ group: 'admins', airflowRole: AirflowRole.ADMIN }], targetRefresh: 'test',
    });
    expect(() => add('A', other)).toThrow('`certificate` must be a certificate for `hostName` airflow.example.com, got: one for grafana.example.com, *.grafana.example.com');
    expect(() => add('B', wildcard)).not.toThrow();
  });

  test.each(['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userInfoEndpoint'] as const)('throws when the OIDC %s is not https', (prop) => {
    const stack = newStack();
    expect(() => oidc(stack, { [prop]: 'http://login.example.com/x' })).toThrow(`\`signIn.${prop}\` must be an https:// URL (the load balancer only talks to identity providers over HTTPS), got: 'http://login.example.com/x'`);
    expect(() => oidc(stack, { [prop]: 'login.example.com' })).toThrow("got: 'login.example.com'");
  });

  test('throws when a group is mapped to two roles; the same mapping twice is one mapping', () => {
    expect(() => build({ groups: [{ group: 'ops', airflowRole: AirflowRole.OP }, { group: 'ops', airflowRole: AirflowRole.ADMIN }] }))
      .toThrow("`groups`: group 'ops' is mapped to two Airflow roles; map each group once, got: Op and Admin");
    const twice = build({ groups: [{ group: 'ops', airflowRole: AirflowRole.OP }, { group: 'ops', airflowRole: AirflowRole.OP }] });
    twice.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GROUPS: '[{"group":"ops","role":"Op"}]' }) } });
  });

  test.each([
    [[], '`groups` must map at least one group to an Airflow role, got: []'],
    [[{ group: 'nobody', airflowRole: AirflowRole.PUBLIC }], "`groups`: the Airflow role of group 'nobody' must be ADMIN, OP, USER or VIEWER, got: Public"],
    [[{ group: ' ', airflowRole: AirflowRole.VIEWER }], "`groups`: a group name must not be empty, got: ' '"],
  ])('throws on groups %j', (groups, message) => {
    expect(() => build({ groups })).toThrow(message);
  });

  test('throws on an empty groups claim', () => {
    expect(() => build({ groupsClaim: '' })).toThrow("`groupsClaim` must name a claim, got: ''");
  });
});

describe('compliance packs: no unacknowledged finding on the front door and the custom resource function it uses', () => {
  // The test VPC and bucket are not the point here; the example app's stack is checked whole in nag.test.ts.
  test.each(PACKS)('%s', (_name, pack) => {
    const app = built.stack.node.scope as App;
    const provider = built.stack.node.findChild('AWS679f53fac002430cb0da5b7982bd2287');
    expect(nagFindings(app, pack, built.frontDoor, provider)).toEqual([]);
  });
});
