import { Annotations, ArnFormat, Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as actions from 'aws-cdk-lib/aws-elasticloadbalancingv2-actions';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { AirflowRole } from './access';
import { FrontDoorLoginFunction } from './front-door-login-function';
import { airflowRoleArn } from './private/arns';
import { WEBSERVER_PORT } from './private/mwaa';
import { acknowledge, COMPLIANCE_PACKS, iam5, inPacks } from './private/nag';
import { CidrRange, validateWebserverPeer, warnIfOpenToAll } from './private/props-validation';
import { logsKeyStatement } from './private/storage';
import { AirflowVersion } from './versions';
import { MwaaWarnings } from './warnings';

/**
 * Sign-in through a company's OpenID Connect identity provider (Okta, Entra ID, IAM Identity Center
 * through OIDC, ...), done by the load balancer.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
 */
export interface OidcSignInOptions {
  /** The issuer, an `https://` URL (the `iss` of the provider's tokens). */
  readonly issuer: string;
  /** The authorization endpoint, an `https://` URL. */
  readonly authorizationEndpoint: string;
  /** The token endpoint, an `https://` URL. */
  readonly tokenEndpoint: string;
  /** The user info endpoint, an `https://` URL. Its answer is what the login function reads groups from. */
  readonly userInfoEndpoint: string;
  /** The client id of the application registered with the provider for the front door. */
  readonly clientId: string;
  /** The secret holding the client secret (the whole secret string). */
  readonly clientSecret: secretsmanager.ISecret;
  /**
   * The scopes to ask for. Many providers only return groups with a scope of their own (for
   * example `groups`).
   *
   * @default 'openid email'
   */
  readonly scope?: string;
}

/**
 * Sign-in through an Amazon Cognito user pool (which may itself federate a SAML or OIDC provider).
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#cognito-requirements
 */
export interface CognitoSignInOptions {
  /** The user pool. */
  readonly userPool: cognito.IUserPool;
  /** The app client of the front door: with a client secret, the authorization code grant and `https://<hostName>/oauth2/idpresponse` as callback URL. */
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The user pool's domain. */
  readonly userPoolDomain: cognito.IUserPoolDomain;
  /**
   * The scopes to ask for.
   *
   * @default 'openid email'
   */
  readonly scope?: string;
}

/**
 * How people sign in at the front door: the load balancer's listener authenticates every request
 * with one of these before it reaches the web server or the login function.
 */
export class FrontDoorSignIn {
  /**
   * Sign in through an OpenID Connect provider. Every endpoint must be an `https://` URL.
   */
  public static oidc(options: OidcSignInOptions): FrontDoorSignIn {
    for (const prop of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userInfoEndpoint'] as const) {
      const value = options[prop];
      if (!Token.isUnresolved(value) && !/^https:\/\/[^/\s]+/.test(value)) {
        throw new Error(`\`signIn.${prop}\` must be an https:// URL (the load balancer only talks to identity providers over HTTPS), got: '${value}'`);
      }
    }
    return new FrontDoorSignIn(options.issuer, options.clientId, next => elbv2.ListenerAction.authenticateOidc({
      issuer: options.issuer,
      authorizationEndpoint: options.authorizationEndpoint,
      tokenEndpoint: options.tokenEndpoint,
      userInfoEndpoint: options.userInfoEndpoint,
      clientId: options.clientId,
      // A dynamic reference: the secret is read by CloudFormation, never written to the template.
      clientSecret: SecretValue.secretsManager(options.clientSecret.secretArn),
      scope: options.scope ?? 'openid email',
      sessionTimeout: next.sessionTimeout,
      next: next.action,
    }));
  }

  /**
   * Sign in through an Amazon Cognito user pool.
   */
  public static cognito(options: CognitoSignInOptions): FrontDoorSignIn {
    // The issuer of a user pool's tokens.
    // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
    const issuer = `https://cognito-idp.${options.userPool.env.region}.${Stack.of(options.userPool).urlSuffix}/${options.userPool.userPoolId}`;
    return new FrontDoorSignIn(issuer, options.userPoolClient.userPoolClientId, next => new actions.AuthenticateCognitoAction({
      userPool: options.userPool,
      userPoolClient: options.userPoolClient,
      userPoolDomain: options.userPoolDomain,
      scope: options.scope ?? 'openid email',
      sessionTimeout: next.sessionTimeout,
      next: next.action,
    }));
  }

  private constructor(
    private readonly issuer: string,
    private readonly clientId: string,
    private readonly authenticate: (next: { action: elbv2.ListenerAction; sessionTimeout: Duration }) => elbv2.ListenerAction,
  ) {}

  /**
   * The listener action that signs the user in and then does `action`.
   *
   * @internal
   */
  public _then(action: elbv2.ListenerAction, sessionTimeout: Duration): elbv2.ListenerAction {
    return this.authenticate({ action, sessionTimeout });
  }

  /**
   * The issuer the signed claims must name, and the client id.
   *
   * @internal
   */
  public _identity(): { issuer: string; clientId: string } {
    return { issuer: this.issuer, clientId: this.clientId };
  }
}

/**
 * One group of the identity provider, and the Airflow role its members get.
 */
export interface FrontDoorGroupMapping {
  /** The group's name, exactly as the identity provider puts it in the groups claim (case matters). */
  readonly group: string;
  /** The Airflow role: ADMIN, OP, USER or VIEWER. */
  readonly airflowRole: AirflowRole;
}

/**
 * A front door for the private web server: a company host name, HTTPS, and sign-in through the
 * company's identity provider.
 */
export interface MwaaFrontDoorOptions {
  /**
   * The host name people use, a fully qualified domain name without scheme or path (at most 255
   * characters), for example `airflow.analytics.example.com`. It also becomes the environment's
   * `webserver.base_url`.
   *
   * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-env-variables.html
   */
  readonly hostName: string;

  /** The hosted zone (private or public) that gets the alias record for `hostName`. */
  readonly hostedZone: route53.IHostedZone;

  /** How people sign in. */
  readonly signIn: FrontDoorSignIn;

  /**
   * Which groups get which Airflow role. A user in several groups gets the most privileged of their
   * roles (Admin, then Op, User, Viewer); a user in none gets a plain 403 page. Each group may appear
   * once.
   */
  readonly groups: FrontDoorGroupMapping[];

  /**
   * The claim of the signed user claims that holds the groups: a list of names, or one string of
   * comma-separated names. The claims are what the provider's user info endpoint returns.
   *
   * @default 'groups'
   */
  readonly groupsClaim?: string;

  /**
   * The certificate of `hostName`.
   *
   * @default - a new certificate, validated through DNS in `certificateValidationZone`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The public hosted zone DNS validation of a new certificate writes to.
   *
   * @default - `hostedZone`
   */
  readonly certificateValidationZone?: route53.IHostedZone;

  /**
   * The networks that may reach the load balancer on TCP 443, for example the VPN's range.
   *
   * @default - none; add some later with `frontDoor.connections.allowFrom()`
   */
  readonly accessPeers?: ec2.IPeer[];

  /**
   * Whether the load balancer is reachable from the internet. A private web server usually wants an
   * internal one; an internet-facing one gets a warning.
   *
   * @default false
   */
  readonly internetFacing?: boolean;

  /**
   * The subnets of the load balancer (at least two Availability Zones). Sign-in makes the load
   * balancer call the identity provider's token and user info endpoints, so these subnets need a
   * route to them (a NAT gateway for an internal load balancer and a public provider).
   *
   * @default - the VPC's private subnets (public ones when internet-facing)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The TLS policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.TLS13_12_RES_PQ (TLS 1.3 and 1.2, restricted ciphers, post-quantum key exchange)
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * How long a sign-in at the load balancer lasts before the identity provider is asked again.
   *
   * @default Duration.hours(8)
   */
  readonly sessionTimeout?: Duration;

  /**
   * A bucket for the load balancer's access logs (it must use SSE-S3 encryption, which the load
   * balancer's log delivery requires).
   *
   * @default - no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * A value that changes on every deployment, so that the web server endpoint's addresses are looked
   * up again and the targets follow them. Give a fixed value only in tests.
   *
   * @default - the time of synthesis
   */
  readonly targetRefresh?: string;
}

/**
 * What the front door needs of the environment it stands in front of.
 *
 * @internal
 */
export interface FrontDoorHost {
  /** The environment construct. */
  readonly scope: Construct;
  readonly environmentName: string;
  readonly airflowVersion: AirflowVersion;
  readonly vpc: ec2.IVpc;
  readonly kmsKey: kms.IKey;
  /** The web server's VPC endpoint service name. */
  readonly webserverVpcEndpointService: string;
  /** What must exist before the web server endpoint can be looked up. */
  readonly endpointDependencies: IDependable[];
  /** Let a security group reach the web server on TCP 443. */
  allowWebserverAccessFrom(peer: ec2.IPeer, description?: string): void;
  /** Set `webserver.base_url`, or throw if the environment cannot take it. */
  setWebserverBaseUrl(hostName: string): void;
}

/** The path of MWAA's single-sign-on page of the web server, per Airflow major version. */
export function ssoPath(airflowVersion: AirflowVersion): string {
  return `${airflowMajorVersion(airflowVersion) >= 3 ? '/pluginsv2' : ''}/aws_mwaa/aws-console-sso`;
}

function airflowMajorVersion(airflowVersion: AirflowVersion): number {
  return Number(airflowVersion.version.split('.')[0]);
}

/** The Airflow roles a group can map to, most privileged first. */
const MAPPABLE_ROLES = [AirflowRole.ADMIN, AirflowRole.OP, AirflowRole.USER, AirflowRole.VIEWER];

/** A fully qualified domain name: two labels or more, letters, digits and hyphens, at most 255 characters. */
const FQDN = /^(?=.{1,255}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * A front door for a private Airflow web server: an Application Load Balancer (internal unless asked)
 * with an HTTPS listener that signs people in through the company's identity provider, a certificate
 * and an alias record for a company host name, and a login function that turns the signed-in user's
 * groups into an Airflow role and a web login token.
 *
 * Create it with `PrivateMwaaEnvironment.addFrontDoor()`.
 */
export class MwaaFrontDoor extends Construct implements ec2.IConnectable {
  /**
   * Builds the front door of an environment.
   *
   * @internal
   */
  public static _create(host: FrontDoorHost, id: string, options: MwaaFrontDoorOptions): MwaaFrontDoor {
    return new MwaaFrontDoor(host, id, options);
  }

  /** The host name people use. */
  public readonly hostName: string;
  /** The address people open, `https://<hostName>/`. */
  public readonly url: string;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The HTTPS listener. */
  public readonly listener: elbv2.ApplicationListener;
  /** The certificate of the listener, given or created. */
  public readonly certificate: acm.ICertificate;
  /** The security group of the load balancer. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Network access to the load balancer (TCP 443). */
  public readonly connections: ec2.Connections;
  /** The target group of the web server endpoint's addresses. */
  public readonly webserverTargetGroup: elbv2.ApplicationTargetGroup;
  /** The login function. */
  public readonly loginFunction: lambda.IFunction;
  /** The alias record of the host name. */
  public readonly record: route53.ARecord;

  private readonly loginRoles: { role: AirflowRole; iamRole: iam.Role }[] = [];

  private constructor(host: FrontDoorHost, id: string, options: MwaaFrontDoorOptions) {
    super(host.scope, id);
    // Everything is checked before anything is created.
    validateHostName(options.hostName);
    const mappings = validateGroups(options.groups);
    validateCertificate(options.hostName, options.certificate);
    const groupsClaim = options.groupsClaim ?? 'groups';
    if (groupsClaim.trim() === '') {
      throw new Error(`\`groupsClaim\` must name a claim, got: '${groupsClaim}'`);
    }
    host.setWebserverBaseUrl(options.hostName);

    this.hostName = options.hostName;
    this.url = `https://${options.hostName}/`;
    const internetFacing = options.internetFacing ?? false;
    if (internetFacing) {
      Annotations.of(this).addWarningV2(MwaaWarnings.FRONT_DOOR_INTERNET_FACING,
        '`internetFacing`: the front door of a private web server is reachable from the internet; sign-in still guards it, but the network boundary the private web server gives is gone. Use an internal load balancer reached over VPN or Direct Connect, or acknowledge this warning (got: true).');
    }
    const sessionTimeout = options.sessionTimeout ?? Duration.hours(8);

    // Network: the load balancer accepts 443 from the given peers and sends to the web server
    // endpoint and to the identity provider only.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: host.vpc,
      description: `Front door of the Airflow web server of ${host.environmentName}`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443),
      'Sign-in: the identity provider\'s token and user info endpoints');
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: host.vpc,
      vpcSubnets: options.vpcSubnets,
      internetFacing,
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(443) });
    const ranges: CidrRange[] = [];
    for (const peer of options.accessPeers ?? []) {
      const range = validateWebserverPeer(peer, '`accessPeers`');
      if (range !== undefined) {
        ranges.push(range);
      }
      this.connections.allowFrom(peer, ec2.Port.tcp(443), `Front door of ${host.environmentName} from ${peer.uniqueId}`);
    }
    // One warning when the peers (one range or several together) cover every address.
    warnIfOpenToAll(this, ranges, '`accessPeers`');
    host.allowWebserverAccessFrom(this.securityGroup, `Airflow web server of ${host.environmentName} from its front door`);
    if (options.accessLogsBucket) {
      this.loadBalancer.logAccessLogs(options.accessLogsBucket, `front-door/${host.environmentName}`);
    }

    // Name and certificate.
    this.certificate = options.certificate ?? new acm.Certificate(this, 'Certificate', {
      domainName: options.hostName,
      validation: acm.CertificateValidation.fromDns(options.certificateValidationZone ?? options.hostedZone),
    });
    this.record = new route53.ARecord(this, 'AliasRecord', {
      zone: options.hostedZone,
      recordName: `${options.hostName}.`,
      target: route53.RecordTarget.fromAlias(new route53targets.LoadBalancerTarget(this.loadBalancer)),
    });

    // Targets: the web server endpoint's private addresses, looked up on every deployment.
    const addresses = this.webserverAddresses(host, options.targetRefresh ?? new Date().toISOString());
    this.webserverTargetGroup = new elbv2.ApplicationTargetGroup(this, 'WebserverTargets', {
      vpc: host.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: WEBSERVER_PORT,
      targets: addresses.map(ip => new targets.IpTarget(ip, WEBSERVER_PORT)),
      // As AWS's sample checks the web server: its single-sign-on page, any answer but a 5xx.
      healthCheck: {
        protocol: elbv2.Protocol.HTTPS,
        path: ssoPath(host.airflowVersion),
        healthyHttpCodes: '200-499',
      },
    });

    // The login function and the roles it assumes, one per mapped Airflow role.
    const fn = this.loginFunctionFor(host, options, mappings, groupsClaim);
    this.loginFunction = fn;
    const loginTargets = new elbv2.ApplicationTargetGroup(this, 'LoginTargets', {
      targetType: elbv2.TargetType.LAMBDA,
      targets: [new targets.LambdaTarget(fn)],
    });

    // Listener: every request signs in first. The MWAA login page with a token goes to the web
    // server; the login entry points go to the login function; everything else to the web server.
    const toWebserver = elbv2.ListenerAction.forward([this.webserverTargetGroup]);
    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromCertificateManager(this.certificate)],
      sslPolicy: options.sslPolicy ?? elbv2.SslPolicy.TLS13_12_RES_PQ,
      open: false,
      defaultAction: options.signIn._then(toWebserver, sessionTimeout),
    });
    const sso = ssoPath(host.airflowVersion);
    new elbv2.ApplicationListenerRule(this, 'TokenLoginRule', {
      listener: this.listener,
      priority: 10,
      conditions: [
        elbv2.ListenerCondition.pathPatterns([sso]),
        elbv2.ListenerCondition.queryStrings([{ key: 'login', value: 'true' }]),
      ],
      action: options.signIn._then(toWebserver, sessionTimeout),
    });
    new elbv2.ApplicationListenerRule(this, 'LoginRule', {
      listener: this.listener,
      priority: 20,
      // MWAA's single-sign-on page without a token, and Airflow's own login pages (2: /login/,
      // 3: /auth/login/), where the web server sends a browser without a session.
      conditions: [elbv2.ListenerCondition.pathPatterns([sso, '/login/', '/auth/login/'])],
      action: options.signIn._then(elbv2.ListenerAction.forward([loginTargets]), sessionTimeout),
    });

    this.acknowledgeFindings(fn, options);
  }

  /**
   * The IAM role the login function assumes to create web login tokens for an Airflow role, if a
   * group maps to it.
   */
  public loginRole(airflowRole: AirflowRole): iam.IRole | undefined {
    return this.loginRoles.find(r => r.role === airflowRole)?.iamRole;
  }

  /**
   * The private addresses of the web server's VPC endpoint (one per subnet of the environment):
   * ec2:DescribeVpcEndpoints by the service name in the VPC, then ec2:DescribeNetworkInterfaces.
   * Looked up again whenever `refresh` changes. A missing endpoint or address fails the deployment
   * (the response has no such field), rather than registering no targets.
   */
  private webserverAddresses(host: FrontDoorHost, refresh: string): string[] {
    const policy = cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE });
    const endpointCall: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeVpcEndpoints',
      parameters: {
        Filters: [
          { Name: 'service-name', Values: [host.webserverVpcEndpointService] },
          { Name: 'vpc-id', Values: [host.vpc.vpcId] },
        ],
      },
      outputPaths: ['VpcEndpoints.0.NetworkInterfaceIds.0', 'VpcEndpoints.0.NetworkInterfaceIds.1'],
      // The physical id is part of the resource's properties, so a new value runs the call again.
      physicalResourceId: cr.PhysicalResourceId.of(`webserver-endpoint-${refresh}`),
    };
    const endpoint = new cr.AwsCustomResource(this, 'WebserverEndpointLookup', {
      onCreate: endpointCall,
      onUpdate: endpointCall,
      policy,
      installLatestAwsSdk: false,
    });
    endpoint.node.addDependency(...host.endpointDependencies);
    const interfaceIds = [0, 1].map(i => endpoint.getResponseField(`VpcEndpoints.0.NetworkInterfaceIds.${i}`));
    const interfacesCall: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeNetworkInterfaces',
      parameters: { NetworkInterfaceIds: interfaceIds },
      outputPaths: ['NetworkInterfaces.0.PrivateIpAddress', 'NetworkInterfaces.1.PrivateIpAddress'],
      physicalResourceId: cr.PhysicalResourceId.of(`webserver-addresses-${refresh}`),
    };
    const interfaces = new cr.AwsCustomResource(this, 'WebserverAddressLookup', {
      onCreate: interfacesCall,
      onUpdate: interfacesCall,
      policy,
      installLatestAwsSdk: false,
    });
    // The function CDK provides for every AwsCustomResource of the stack (one per stack).
    const provider = Stack.of(this).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (provider) {
      acknowledge(provider, [
        { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The function CDK provides for AwsCustomResource writes its own logs with the AWS managed basic execution policy.' },
        { id: 'AwsSolutions-L1', reason: 'The runtime of the function CDK provides for AwsCustomResource is chosen by aws-cdk-lib and moves with it.' },
        ...inPacks('LambdaConcurrency', 'Called only by CloudFormation during a deployment, once per changed custom resource.', COMPLIANCE_PACKS.slice(0, 2)),
        ...inPacks('LambdaDLQ', 'Called synchronously by CloudFormation, which reports a failure as a failed deployment.', COMPLIANCE_PACKS.slice(0, 2)),
        ...inPacks('LambdaInsideVPC', 'A deploy-time function that calls AWS APIs only (here EC2 describe calls); outside the VPC it needs no endpoints for them.'),
      ]);
    }
    for (const lookup of [endpoint, interfaces]) {
      acknowledge(lookup, [
        ...inPacks('IAMNoInlinePolicy', 'AwsCustomResource grants its function this inline policy, with the one describe call it makes.'),
        iam5('Resource::*', 'ec2:DescribeVpcEndpoints and ec2:DescribeNetworkInterfaces have no resource-level permissions.'),
      ]);
    }
    return [0, 1].map(i => interfaces.getResponseField(`NetworkInterfaces.${i}.PrivateIpAddress`));
  }

  private loginFunctionFor(
    host: FrontDoorHost, options: MwaaFrontDoorOptions, mappings: FrontDoorGroupMapping[], groupsClaim: string,
  ): lambda.Function {
    const role = new iam.Role(this, 'LoginFunctionRole', {
      description: `Login function of the front door of ${host.environmentName}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    // Outside MWAA's `airflow-<env>-` names, so that the execution role (which may write to the
    // environment's five log groups) cannot write here. The key policy admits this group by name.
    const loginLogGroupName = `cdk-private-mwaa-${host.environmentName}-FrontDoorLogin`;
    const stack = Stack.of(this);
    const keyStatement = host.kmsKey.addToResourcePolicy(logsKeyStatement(this, 'AllowCloudWatchLogsForTheFrontDoorLogin',
      [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: loginLogGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })]));
    if (!keyStatement.statementAdded) {
      Annotations.of(this).addWarningV2(MwaaWarnings.KMS_KEY_POLICY,
        `\`kmsKey\` is imported, so its key policy cannot be changed here. Make sure it lets the service principal logs.${stack.region}.amazonaws.com use the key for the log group ${loginLogGroupName} (kms:EncryptionContext:aws:logs:arn), or creating the front door's log group fails.`);
    }
    const logGroup = new logs.LogGroup(this, 'LoginLogs', {
      logGroupName: loginLogGroupName,
      encryptionKey: host.kmsKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const roleArns: { [role: string]: string } = {};
    for (const airflowRole of MAPPABLE_ROLES.filter(r => mappings.some(m => m.airflowRole === r))) {
      const loginRole = new iam.Role(this, `${airflowRole}LoginRole`, {
        description: `Creates Airflow web login tokens as ${airflowRole} in ${host.environmentName}, for the front door's login function`,
        assumedBy: new iam.ArnPrincipal(role.roleArn),
        maxSessionDuration: Duration.hours(1),
      });
      new iam.ManagedPolicy(this, `${airflowRole}LoginPolicy`, {
        description: `Airflow web login as ${airflowRole} in ${host.environmentName}, and nothing else`,
        roles: [loginRole],
        statements: [new iam.PolicyStatement({
          sid: 'CreateWebLoginTokenForOneAirflowRole',
          actions: ['airflow:CreateWebLoginToken'],
          resources: [airflowRoleArn(host.scope, host.environmentName, airflowRole)],
        })],
      });
      this.loginRoles.push({ role: airflowRole, iamRole: loginRole });
      roleArns[airflowRole] = loginRole.roleArn;
    }
    const policy = new iam.ManagedPolicy(this, 'LoginFunctionPolicy', {
      description: `Login function of the front door of ${host.environmentName}`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'AssumeTheLoginRoles',
          actions: ['sts:AssumeRole'],
          resources: this.loginRoles.map(r => r.iamRole.roleArn),
        }),
        new iam.PolicyStatement({
          sid: 'WriteItsLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    const identity = options.signIn._identity();
    const fn = new FrontDoorLoginFunction(this, 'LoginFunction', {
      description: `Signs people in to the Airflow web server of ${host.environmentName}`,
      role: role.withoutPolicyUpdates(),
      logGroup,
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: {
        LOAD_BALANCER_ARN: this.loadBalancer.loadBalancerArn,
        ISSUER: identity.issuer,
        ENVIRONMENT_NAME: host.environmentName,
        AIRFLOW_MAJOR_VERSION: String(airflowMajorVersion(host.airflowVersion)),
        HOST_NAME: options.hostName,
        GROUPS_CLAIM: groupsClaim,
        GROUPS: JSON.stringify(mappings.map(m => ({ group: m.group, role: m.airflowRole }))),
        ROLE_ARNS: stack.toJsonString(roleArns),
      },
    });
    fn.node.addDependency(policy);
    return fn;
  }

  private acknowledgeFindings(fn: lambda.Function, options: MwaaFrontDoorOptions): void {
    acknowledge(fn, [
      ...inPacks('LambdaInsideVPC', 'The login function calls STS, MWAA and the load balancer\'s public key endpoint; outside the VPC it needs no endpoints for them, and it is invoked by the load balancer only.'),
      ...inPacks('LambdaConcurrency', 'Invoked once per sign-in; a reserved concurrency would take from the account\'s unreserved pool and could lock people out at a peak.', COMPLIANCE_PACKS.slice(0, 2)),
      ...inPacks('LambdaDLQ', 'Invoked synchronously by the load balancer, which shows a failure to the user; there is nothing to retry.', COMPLIANCE_PACKS.slice(0, 2)),
    ]);
    const albFindings = [
      ...inPacks('ALBWAFEnabled', 'The front door of a private web server is internal by default and every request is authenticated by the identity provider before it reaches a target; attach a web ACL if it is made internet-facing.'),
      ...inPacks('ELBDeletionProtectionEnabled', 'The load balancer holds no data; deleting it with the stack is intended.', COMPLIANCE_PACKS.slice(0, 2)),
    ];
    if (!options.accessLogsBucket) {
      albFindings.push(
        { id: 'AwsSolutions-ELB2', reason: 'Access logs are on when `accessLogsBucket` is given; sign-ins are logged by the login function.' },
        ...inPacks('ELBLoggingEnabled', 'Access logs are on when `accessLogsBucket` is given; sign-ins are logged by the login function.'),
      );
    }
    acknowledge(this.loadBalancer, albFindings);
    acknowledge(this.securityGroup, [
      { id: 'AwsSolutions-EC23', reason: 'Ingress comes only from the given `accessPeers`; an open peer gets the library\'s own warning.' },
    ]);
  }
}

function validateHostName(hostName: string): void {
  if (Token.isUnresolved(hostName)) {
    return;
  }
  if (!FQDN.test(hostName)) {
    throw new Error(`\`hostName\` must be a fully qualified domain name without scheme, path or trailing dot, at most 255 characters (for example airflow.analytics.example.com), got: '${hostName}'`);
  }
}

function validateGroups(groups: FrontDoorGroupMapping[]): FrontDoorGroupMapping[] {
  if (groups.length === 0) {
    throw new Error('`groups` must map at least one group to an Airflow role, got: []');
  }
  const seen = new Map<string, AirflowRole>();
  for (const mapping of groups) {
    if (!MAPPABLE_ROLES.includes(mapping.airflowRole)) {
      throw new Error(`\`groups\`: the Airflow role of group '${mapping.group}' must be ADMIN, OP, USER or VIEWER, got: ${mapping.airflowRole}`);
    }
    if (mapping.group.trim() === '') {
      throw new Error(`\`groups\`: a group name must not be empty, got: '${mapping.group}'`);
    }
    const known = seen.get(mapping.group);
    if (known !== undefined && known !== mapping.airflowRole) {
      throw new Error(`\`groups\`: group '${mapping.group}' is mapped to two Airflow roles; map each group once, got: ${known} and ${mapping.airflowRole}`);
    }
    seen.set(mapping.group, mapping.airflowRole);
  }
  return [...seen].map(([group, airflowRole]) => ({ group, airflowRole }));
}

/** Whether a certificate name (possibly `*.example.com`) covers a host name. */
export function certificateCovers(certificateName: string, hostName: string): boolean {
  const name = certificateName.toLowerCase();
  const host = hostName.toLowerCase();
  if (name.startsWith('*.')) {
    const rest = host.split('.').slice(1).join('.');
    return rest === name.slice(2) && host.split('.').length > 2;
  }
  return name === host;
}

/** When the certificate's names are known (one created in this app), one must cover the host name. */
function validateCertificate(hostName: string, certificate?: acm.ICertificate): void {
  const cfn = certificate?.node.defaultChild;
  if (!(cfn instanceof acm.CfnCertificate) || Token.isUnresolved(hostName)) {
    return;
  }
  const names = [cfn.domainName, ...(cfn.subjectAlternativeNames ?? [])];
  if (names.some(n => Token.isUnresolved(n))) {
    return;
  }
  if (!names.some(n => certificateCovers(n, hostName))) {
    throw new Error(`\`certificate\` must be a certificate for \`hostName\` ${hostName}, got: one for ${names.join(', ')}`);
  }
}
