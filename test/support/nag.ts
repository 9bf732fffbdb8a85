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
  return (scopes.length > 0 ? scopes : [app]).flatMap(scope => withoutNagDeprecation(() => pack(app).validateScope(scope)).violations
    .flatMap(v => v.violatingResources.map(r => `${v.ruleName} on ${r.constructPath ?? r.resourceLogicalId}`)));
}

/**
 * cdk-nag's AwsSolutions-EVB1 rule (EventBusOpenAccess) reads `CfnEventBusPolicy.principal`, which
 * aws-cdk-lib has deprecated: cdk-nag's code, not ours (the provisioner sets `statement`). That one
 * warning is dropped while a pack runs; any other warning passes through (and a deprecation fails the
 * test: test/setup/no-deprecations.ts).
 */
export const NAG_DEPRECATION = 'aws-cdk-lib.aws_events.CfnEventBusPolicy#principal is deprecated.';

export function withoutNagDeprecation<T>(run: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!args.some(arg => String(arg).includes(NAG_DEPRECATION))) {
      warn(...args);
    }
  };
  try {
    return run();
  } finally {
    console.warn = warn;
  }
}
