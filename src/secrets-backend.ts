import { Token } from 'aws-cdk-lib';
import { DEFAULT_SECRET_PREFIXES, SECRETS_MANAGER_BACKEND_CLASS } from './private/mwaa';

/**
 * Where Airflow looks up connections and variables in AWS Secrets Manager.
 *
 * A connection `my_db` is then the secret `<connectionsPrefix>/my_db`, a variable `region` the
 * secret `<variablesPrefix>/region`.
 */
export interface SecretsManagerBackendOptions {
  /**
   * The name prefix of secrets that hold Airflow connections, without a trailing `/`.
   *
   * @default 'airflow/connections'
   */
  readonly connectionsPrefix?: string;

  /**
   * The name prefix of secrets that hold Airflow variables, without a trailing `/`.
   *
   * @default 'airflow/variables'
   */
  readonly variablesPrefix?: string;
}


/** The secret name prefixes the Secrets Manager backend reads; none when it is off. */
export function secretPrefixes(backend?: SecretsManagerBackendOptions): string[] {
  if (backend === undefined) {
    return [];
  }
  return [backend.connectionsPrefix ?? DEFAULT_SECRET_PREFIXES.connections, backend.variablesPrefix ?? DEFAULT_SECRET_PREFIXES.variables];
}

/**
 * The Airflow configuration with the Secrets Manager backend added, if asked for.
 */
export function withSecretsBackend(
  options?: { [key: string]: string },
  backend?: SecretsManagerBackendOptions,
): { [key: string]: string } | undefined {
  if (backend === undefined) {
    return options;
  }
  const [connections, variables] = secretPrefixes(backend);
  for (const [prop, prefix] of [['connectionsPrefix', connections], ['variablesPrefix', variables]]) {
    validateSecretPrefix(`secretsBackend.${prop}`, prefix);
  }
  const clash = Object.keys(options ?? {}).filter(key => key === 'secrets.backend' || key === 'secrets.backend_kwargs');
  if (clash.length > 0) {
    throw new Error(`\`airflowConfigurationOptions\` must not set the secrets backend when \`secretsBackend\` does, got: ${clash.map(k => `'${k}'`).join(' and ')}`);
  }
  return {
    ...options,
    'secrets.backend': SECRETS_MANAGER_BACKEND_CLASS,
    'secrets.backend_kwargs': JSON.stringify({ connections_prefix: connections, variables_prefix: variables }),
  };
}

/**
 * The rule for a Secrets Manager name prefix, the backend's or one more a permission set reads: at
 * most 256 letters, digits and `/_+=.@-`, no wildcard, no leading or trailing `/`, known at synth.
 * (Here rather than in private/props-validation.ts, which imports the props that import this file.)
 */
export function validateSecretPrefix(prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix)) {
    throw new Error(`\`${prop}\` must be known at synth time (it goes into the Airflow configuration and the execution role policy), got: a token`);
  }
  if (prefix.length > 256 || !/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/.test(prefix)) {
    throw new Error(`\`${prop}\` must be a secret name prefix of at most 256 letters, digits and /_+=.@- without wildcards or a leading or trailing '/', got: '${prefix}'`);
  }
}
