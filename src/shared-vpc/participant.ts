import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SharedVpcNames } from './names';
import { defaultEventBusArn, environmentArn, roleArn } from '../private/arns';
import { STATUS_CHANGE_PATTERN } from '../private/mwaa';
import { acknowledge, findingName, iam5 } from '../private/nag';
import { requireAccountId } from '../private/props-validation';

/**
 * Props of {@link MwaaSharedVpcParticipant}.
 */
export interface MwaaSharedVpcParticipantProps {
  /** The account that owns the shared VPC and runs `MwaaSharedVpcEndpointProvisioner`. */
  readonly vpcOwnerAccount: string;
}

/**
 * For a participant account of a shared VPC: forwards the account's MWAA status change events to
 * the VPC owner's default event bus, and provides the role through which the owner's provisioner
 * reads the environments (`airflow:GetEnvironment` only).
 *
 * Create environments in the shared subnets with endpoint management CUSTOMER and
 * `createCustomerEndpoints: false`.
 */
export class MwaaSharedVpcParticipant extends Construct {
  /** The rule that forwards the status change events. */
  public readonly rule: events.Rule;
  /** The role the VPC owner's provisioner assumes to read environments. */
  public readonly readerRole: iam.Role;

  constructor(scope: Construct, id: string, props: MwaaSharedVpcParticipantProps) {
    super(scope, id);
    const owner = props.vpcOwnerAccount;
    requireAccountId('vpcOwnerAccount', owner);
    const provisionerRole = roleArn(this, owner, SharedVpcNames.PROVISIONER_ROLE_NAME);
    this.readerRole = new iam.Role(this, 'ReaderRole', {
      roleName: SharedVpcNames.READER_ROLE_NAME,
      description: 'Lets the shared VPC owner\'s provisioner read MWAA environments to create their endpoints',
      assumedBy: new iam.AccountPrincipal(owner).withConditions({ ArnEquals: { 'aws:PrincipalArn': provisionerRole } }),
    });
    const readerPolicy = new iam.ManagedPolicy(this, 'ReaderPolicy', {
      description: 'Read MWAA environments of this account and Region',
      roles: [this.readerRole],
      statements: [new iam.PolicyStatement({ actions: ['airflow:GetEnvironment'], resources: [environmentArn(this, '*')] })],
    });
    acknowledge(readerPolicy, [iam5(`Resource::${findingName(this, environmentArn(this, '*'))}`,
      'Any environment of this account may be created in the shared VPC; the owner\'s provisioner only reads it.')]);

    // EventBridge puts the events on the owner's bus with this role; its policy is a managed one.
    const ownerBusArn = defaultEventBusArn(this, owner);
    // Confused-deputy protection: only EventBridge rules of this account may have EventBridge use the
    // role (aws:SourceAccount, and aws:SourceArn is the ARN of the rule that sends the event). The
    // rule names the role as its target, so the role cannot name the rule back (a circular
    // dependency); any rule of this account and Region stands for it.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/policy-keys-eventbridge.html
    const stack = Stack.of(this);
    const forwardRole = new iam.Role(this, 'ForwardRole', {
      description: 'Lets EventBridge forward MWAA status changes to the shared VPC owner',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
      }),
    });
    new iam.ManagedPolicy(this, 'ForwardPolicy', {
      description: 'Put events on the shared VPC owner\'s default bus',
      roles: [forwardRole],
      statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [ownerBusArn] })],
    });
    const ownerBus = events.EventBus.fromEventBusArn(this, 'OwnerBus', ownerBusArn);
    this.rule = new events.Rule(this, 'ForwardStatusChanges', {
      description: 'Forwards MWAA status changes to the account that owns the shared VPC',
      eventPattern: { ...STATUS_CHANGE_PATTERN, account: [Stack.of(this).account] },
      targets: [new targets.EventBus(ownerBus, { role: forwardRole.withoutPolicyUpdates() })],
    });
  }
}
