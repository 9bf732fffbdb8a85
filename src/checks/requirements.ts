import * as fs from 'fs';
import * as path from 'path';
import { hasConstraint, parseRequirements } from '../private/requirements';
import { MwaaWarnings } from '../warnings';
import { EnvironmentUnderCheck, MwaaRuleSpec, SharedCheck } from './rule';
import { list, TemplateView, text } from './template';

/**
 * The requirements rule: a requirements file the app deploys pins its dependencies with a
 * constraints file. From Airflow 2.7.2 the file "must include" one, but MWAA supplies one when it
 * is missing, so the file still installs: a warning on both paths, `PrivateMwaaEnvironment`'s
 * `cdk-private-mwaa:requirementsConstraint` for `requirements: DependencyFile.fromAsset(...)`, and this rule for every
 * other requirements file deployed from the app. Both read the file with the same parser.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/connections-packages.html
 */
export const REQUIREMENTS_CONSTRAINT: SharedCheck = { ruleId: 'MWAA-Requirements-Constraint', warningId: MwaaWarnings.REQUIREMENTS_CONSTRAINT };

/** A file staged in the cloud assembly next to the template, if it is there. */
function stagedFile(t: TemplateView, ...parts: string[]): string | undefined {
  const file = path.join(path.dirname(t.path), ...parts);
  return fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
}

/**
 * The SDK call an `AwsCustomResource` makes on create (or update), with every reference in it in
 * the text form of `text()`; undefined when the call is not plain JSON.
 */
function sdkCall(value: unknown): { service?: string; action?: string; parameters?: { [key: string]: unknown } } | undefined {
  if (value === undefined) {
    return undefined;
  }
  try {
    const call = JSON.parse(text(value));
    return call !== null && typeof call === 'object' ? call : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The local file a requirements path comes from, when the app deploys it to the environment's
 * bucket from an asset whose staged copy is in the cloud assembly next to the template: a
 * `BucketDeployment` of `Source.asset(...)`, or an `AwsCustomResource` that copies a file asset
 * into place with S3 `CopyObject` (what `PrivateMwaaEnvironment` does with `requirements: DependencyFile.fromAsset(...)`).
 */
function requirementsFile(env: EnvironmentUnderCheck): string | undefined {
  const key = env.props.RequirementsS3Path;
  const t = env.template;
  const bucketId = t.target(env.props.SourceBucketArn);
  if (typeof key !== 'string' || bucketId === undefined) {
    return undefined;
  }
  for (const [, deployment] of t.ofType('Custom::CDKBucketDeployment')) {
    const p = deployment.Properties ?? {};
    if (!t.refersTo(p.DestinationBucketName, bucketId)) {
      continue;
    }
    const prefix = typeof p.DestinationBucketKeyPrefix === 'string' ? p.DestinationBucketKeyPrefix.replace(/\/?$/, '/') : '';
    if (prefix !== '/' && !key.startsWith(prefix)) {
      continue;
    }
    const relative = prefix === '/' ? key : key.slice(prefix.length);
    for (const objectKey of list(p.SourceObjectKeys).filter((k): k is string => typeof k === 'string')) {
      const staged = stagedFile(t, `asset.${objectKey.replace(/\.zip$/, '')}`, relative);
      if (staged !== undefined) {
        return staged;
      }
    }
  }
  for (const [, custom] of t.ofType('Custom::AWS')) {
    const call = sdkCall(custom.Properties?.Create) ?? sdkCall(custom.Properties?.Update);
    const params = call?.parameters ?? {};
    const copiesHere = /^(s3|@aws-sdk\/client-s3)$/i.test(call?.service ?? '')
      && /^copyobject$/i.test(call?.action ?? '')
      && params.Key === key
      && params.Bucket === text({ Ref: bucketId });
    const source = typeof params.CopySource === 'string' ? params.CopySource : '';
    const objectKey = source.slice(source.indexOf('/') + 1);
    if (!copiesHere || source.indexOf('/') < 0 || objectKey.includes('/') || objectKey.includes('$')) {
      continue;
    }
    const staged = stagedFile(t, `asset.${objectKey}`);
    if (staged !== undefined) {
      return staged;
    }
  }
  return undefined;
}

/** The requirements file deployed from the app. */
export const REQUIREMENTS_RULES: MwaaRuleSpec[] = [
  {
    id: REQUIREMENTS_CONSTRAINT.ruleId,
    description: 'A requirements file deployed from the app (BucketDeployment or DependencyFile.fromAsset) pins its dependencies with a --constraint line.',
    severity: 'warning',
    location: 'Properties.RequirementsS3Path',
    check: env => {
      const file = requirementsFile(env);
      if (file === undefined || hasConstraint(parseRequirements(fs.readFileSync(file, 'utf-8')))) {
        return [];
      }
      return [
        `${env.props.RequirementsS3Path} has no --constraint line. Add the constraints file of your Airflow and Python versions, for example --constraint "https://raw.githubusercontent.com/apache/airflow/constraints-<airflow>/constraints-<python>.txt".`,
      ];
    },
  },
];
