/**
 * Names the shared-VPC constructs and the provisioner function agree on. This file imports nothing:
 * the function's bundle includes it, and the constructs read the same values.
 */

/**
 * Names the VPC owner's provisioner and the participants' reader roles agree on.
 */
export class SharedVpcNames {
  /** The name of the provisioner function's role in the VPC owner's account. */
  public static readonly PROVISIONER_ROLE_NAME = 'mwaa-shared-vpc-endpoint-provisioner';
  /** The name of the role in each participant account that lets the provisioner read environments. */
  public static readonly READER_ROLE_NAME = 'mwaa-shared-vpc-endpoint-reader';

  private constructor() {}
}

/** The tag every endpoint the provisioner creates carries: the ARN of its environment. */
export const ENVIRONMENT_TAG = 'cdk-private-mwaa:environment';
/** The tag (and its value) that marks the endpoints the provisioner may delete; its role's policy requires it. */
export const MANAGED_BY_TAG = 'cdk-private-mwaa:managed-by';
export const MANAGED_BY_VALUE = 'shared-vpc-provisioner';
