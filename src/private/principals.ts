import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The two MWAA service principals in one trust statement, with the confused-deputy conditions,
 * exactly as the MWAA user guide writes the execution role's trust policy.
 */
export class MwaaServicePrincipals extends iam.PrincipalBase {
  public readonly policyFragment: iam.PrincipalPolicyFragment;

  constructor(environmentArn: string, account: string) {
    super();
    this.policyFragment = new iam.PrincipalPolicyFragment(
      { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] },
      {
        ArnLike: { 'aws:SourceArn': environmentArn },
        StringEquals: { 'aws:SourceAccount': account },
      },
    );
  }

  public toString(): string {
    return 'MwaaServicePrincipals(airflow.amazonaws.com, airflow-env.amazonaws.com)';
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}
