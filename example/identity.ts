import { Annotations, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AccessProfile, AirflowPermissionSet, IdentityStorePrincipalType, IPrivateMwaaEnvironment, MwaaWarnings } from '../src';

/** Props of {@link ExampleIdentityStack}. */
export interface ExampleIdentityStackProps extends StackProps {
  /** The environments of the workload stacks. */
  readonly environments: IPrivateMwaaEnvironment[];
  /** The workload account the groups are assigned in. */
  readonly workloadAccount: string;
}

/**
 * The identity side of the example: the stack deployed in the organization's management account
 * (or the IAM Identity Center delegated administrator account), with a permission set for
 * developers and one for administrators of the example's environments, each assigned to a group
 * of the identity store in the workload account. Its policies hold literal ARNs only: no
 * cross-stack reference reaches from here into the workload account.
 */
export class ExampleIdentityStack extends Stack {
  public readonly developers: AirflowPermissionSet;
  public readonly administrators: AirflowPermissionSet;

  constructor(scope: Construct, id: string, props: ExampleIdentityStackProps) {
    super(scope, id, props);
    const instanceArn = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
    this.developers = new AirflowPermissionSet(this, 'Developers', {
      instanceArn,
      profile: AccessProfile.DEVELOPER,
      environments: props.environments,
      sessionDuration: Duration.hours(8),
      assignments: [{
        principalType: IdentityStorePrincipalType.GROUP,
        principalId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', // the data engineers' group
        accounts: [props.workloadAccount],
      }],
    });
    this.administrators = new AirflowPermissionSet(this, 'Administrators', {
      instanceArn,
      profile: AccessProfile.ADMINISTRATOR,
      environments: props.environments,
      sessionDuration: Duration.hours(2),
    });
    // The example's VPC is created in the workload stack, so its ids are not known here: the
    // administrators change the environment but do not have MWAA create endpoints in their name.
    Annotations.of(this.administrators).acknowledgeWarning(MwaaWarnings.PERMISSION_SET_NETWORK,
      'The example environment keeps its web server endpoint; its administrators never need to create one.');
    this.administrators.assign({
      principalType: IdentityStorePrincipalType.GROUP,
      principalId: '0f9e8d7c-6b5a-4321-8fed-cba987654321', // the platform team's group
      accounts: [props.workloadAccount],
    });
  }
}
