/**
 * A read-only view of one synthesized CloudFormation template, with the few lookups the MWAA
 * checks need: which resource a value refers to, and a stable text form of any value.
 */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: { [key: string]: any };
}

export class TemplateView {
  public readonly resources: { [logicalId: string]: CfnResourceJson };

  constructor(public readonly path: string, template: any) {
    this.resources = template?.Resources ?? {};
  }

  /** The logical id a `Ref` or `Fn::GetAtt` points at, if it is a resource of this template. */
  public target(value: unknown): string | undefined {
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    const obj = value as { [key: string]: any };
    const id = 'Ref' in obj ? obj.Ref : 'Fn::GetAtt' in obj ? obj['Fn::GetAtt'][0] : undefined;
    return typeof id === 'string' && id in this.resources ? id : undefined;
  }

  /** The resource a value points at, when it has the given type. */
  public resourceOf(value: unknown, type: string): CfnResourceJson | undefined {
    const id = this.target(value);
    return id !== undefined && this.resources[id].Type === type ? this.resources[id] : undefined;
  }

  /** Resources of one type, with their logical ids. */
  public ofType(type: string): Array<[string, CfnResourceJson]> {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** Whether a value refers to the resource with this logical id. */
  public refersTo(value: unknown, logicalId: string): boolean {
    return this.target(value) === logicalId;
  }
}

/** A text form of a value: strings as they are, intrinsics as `${Ref}`/`${Id.Attr}`, joins joined. */
export function text(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value && typeof value === 'object') {
    const obj = value as { [key: string]: any };
    if ('Ref' in obj) {
      return `\${${obj.Ref}}`;
    }
    if ('Fn::GetAtt' in obj) {
      return `\${${[obj['Fn::GetAtt']].flat().join('.')}}`;
    }
    if ('Fn::Join' in obj) {
      const [separator, parts] = obj['Fn::Join'];
      return (parts as unknown[]).map(text).join(separator);
    }
  }
  return JSON.stringify(value);
}

/** A value as a list (CloudFormation allows a single value where a list is expected). */
export function list<T = any>(value: unknown): T[] {
  if (value === undefined || value === null) {
    return [];
  }
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Whether an IAM action pattern (with `*` and `?`) covers an action, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(action);
}
