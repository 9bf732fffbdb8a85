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

