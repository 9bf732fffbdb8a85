/**
 * Turns the intrinsic functions of a synthesized template into the concrete strings AWS would
 * produce, so that policies can be given to an IAM simulator. Only what our templates use is
 * supported; anything else throws, so a test never simulates a half-resolved policy.
 */
export interface ResolveOptions {
  readonly account: string;
  readonly region: string;
  /** Concrete values for `Ref` and `Fn::GetAtt` of the template's resources, by logical id. */
  readonly refs: { [logicalId: string]: string };
  readonly arns: { [logicalId: string]: string };
  /** Concrete values for other `Fn::GetAtt` attributes, by `<logicalId>.<attribute>`. */
  readonly attributes?: { [logicalIdAndAttribute: string]: string };
}

export function resolveIntrinsics(value: unknown, options: ResolveOptions): any {
  if (Array.isArray(value)) {
    return value.map(v => resolveIntrinsics(v, options));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as { [key: string]: any };
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const pseudo: { [name: string]: string } = {
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::Region': options.region,
      'AWS::AccountId': options.account,
    };
    const name = obj.Ref as string;
    const resolved = pseudo[name] ?? options.refs[name];
    if (resolved === undefined) {
      throw new Error(`no value for Ref ${name}`);
    }
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = obj['Fn::GetAtt'] as [string, string];
    const other = options.attributes?.[`${logicalId}.${attribute}`];
    if (other !== undefined) {
      return other;
    }
    if (attribute !== 'Arn' || options.arns[logicalId] === undefined) {
      throw new Error(`no value for Fn::GetAtt ${logicalId}.${attribute}`);
    }
    return options.arns[logicalId];
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map(p => resolveIntrinsics(p, options)).join(separator);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof obj['Fn::Sub'] === 'string') {
    // Only the pseudo parameters and resource names, as CDK's asset locations use them.
    return (obj['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => resolveIntrinsics({ Ref: name }, options));
  }
  if (keys.some(k => k.startsWith('Fn::'))) {
    throw new Error(`unsupported intrinsic ${keys.join(', ')}`);
  }
  const out: { [key: string]: any } = {};
  for (const key of keys) {
    out[key] = resolveIntrinsics(obj[key], options);
  }
  return out;
}
