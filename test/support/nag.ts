import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Builds one cdk-nag 3 pack for an app. */
export type PackFactory = (app: App) => NagPack;

/** The compliance packs every test runs, by name. */
export const PACKS: Array<[string, PackFactory]> = [
  ['AwsSolutions', app => new AwsSolutionsChecks(app)],
  ['HIPAA Security', app => new HIPAASecurityChecks(app)],
  ['NIST 800-53 rev 5', app => new NIST80053R5Checks(app)],
  ['PCI DSS 3.2.1', app => new PCIDSS321Checks(app)],
];

/**
 * The unacknowledged findings of one pack under each scope (the whole app unless given), as
 * `<rule> on <construct path>`.
 */
export function nagFindings(app: App, pack: PackFactory, ...scopes: IConstruct[]): string[] {
  return (scopes.length > 0 ? scopes : [app]).flatMap(scope => pack(app).validateScope(scope).violations
    .flatMap(v => v.violatingResources.map(r => `${v.ruleName} on ${r.constructPath ?? r.resourceLogicalId}`)));
}
