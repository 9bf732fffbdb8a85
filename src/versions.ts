/**
 * An Apache Airflow version for an Amazon MWAA environment.
 *
 * The static constants are the versions AWS CloudFormation accepts for `AWS::MWAA::Environment`
 * today. Use `AirflowVersion.of()` for a version released after this library was: it is passed
 * through unchanged, with a warning that the library has not been checked against it.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/airflow-versions.html
 */
export class AirflowVersion {
  /** Apache Airflow 2.7.2. */
  public static readonly V2_7_2 = new AirflowVersion('2.7.2', true);
  /** Apache Airflow 2.8.1. */
  public static readonly V2_8_1 = new AirflowVersion('2.8.1', true);
  /** Apache Airflow 2.9.2. */
  public static readonly V2_9_2 = new AirflowVersion('2.9.2', true);
  /** Apache Airflow 2.10.1. */
  public static readonly V2_10_1 = new AirflowVersion('2.10.1', true);
  /** Apache Airflow 2.10.3. */
  public static readonly V2_10_3 = new AirflowVersion('2.10.3', true);
  /** Apache Airflow 2.11.0. */
  public static readonly V2_11_0 = new AirflowVersion('2.11.0', true);
  /** Apache Airflow 3.0.6. */
  public static readonly V3_0_6 = new AirflowVersion('3.0.6', true);

  /**
   * A version this library does not list yet, for example one MWAA released after this library.
   *
   * Versions older than 2.7 are rejected at synthesis: they have reached end of support and
   * CloudFormation no longer accepts them.
   *
   * @param version the version string, for example `3.2.0`
   */
  public static of(version: string): AirflowVersion {
    const known = KNOWN_AIRFLOW_VERSIONS.find(v => v.version === version);
    return known ?? new AirflowVersion(version, false);
  }

  /**
   * @param version the version string, as CloudFormation expects it
   * @param known whether this library was built knowing CloudFormation accepts this version
   */
  private constructor(
    /** The version string, as CloudFormation expects it (for example `2.10.3`). */
    public readonly version: string,
    /** Whether this library knows that CloudFormation accepts this version. */
    public readonly known: boolean,
  ) {}
}

const KNOWN_AIRFLOW_VERSIONS: AirflowVersion[] = [
  AirflowVersion.V2_7_2,
  AirflowVersion.V2_8_1,
  AirflowVersion.V2_9_2,
  AirflowVersion.V2_10_1,
  AirflowVersion.V2_10_3,
  AirflowVersion.V2_11_0,
  AirflowVersion.V3_0_6,
];

/**
 * The size of the Amazon MWAA environment: the CPU and memory of its scheduler, web server and
 * workers, and how many DAGs it is sized for.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/environment-class.html
 */
export class EnvironmentClass {
  /** `mw1.micro`: one scheduler, one web server, one worker; guidance up to 25 DAGs. */
  public static readonly MW1_MICRO = new EnvironmentClass('mw1.micro', true, 25);
  /** `mw1.small`: guidance up to 50 DAGs. */
  public static readonly MW1_SMALL = new EnvironmentClass('mw1.small', true, 50);
  /** `mw1.medium`: guidance up to 250 DAGs. */
  public static readonly MW1_MEDIUM = new EnvironmentClass('mw1.medium', true, 250);
  /** `mw1.large`: guidance up to 1,000 DAGs. */
  public static readonly MW1_LARGE = new EnvironmentClass('mw1.large', true, 1000);
  /** `mw1.xlarge`: guidance up to 2,000 DAGs. */
  public static readonly MW1_XLARGE = new EnvironmentClass('mw1.xlarge', true, 2000);
  /** `mw1.2xlarge`: guidance up to 4,000 DAGs. */
  public static readonly MW1_2XLARGE = new EnvironmentClass('mw1.2xlarge', true, 4000);

  /**
   * An environment class this library does not list yet. It is passed through unchanged, with a
   * warning, and treated like the larger classes (2-5 schedulers and web servers).
   *
   * @param name the class name, for example `mw1.4xlarge`
   */
  public static of(name: string): EnvironmentClass {
    const known = KNOWN_ENVIRONMENT_CLASSES.find(c => c.name === name);
    return known ?? new EnvironmentClass(name, false);
  }

  private constructor(
    /** The class name, as CloudFormation expects it (for example `mw1.small`). */
    public readonly name: string,
    /** Whether this library knows this class. */
    public readonly known: boolean,
    /**
     * The number of DAGs AWS suggests this class for, when known.
     *
     * @default - unknown
     */
    public readonly dagCapacity?: number,
  ) {}

  /**
   * Whether this is the `mw1.micro` class, which runs exactly one scheduler and one web server.
   */
  public get isMicro(): boolean {
    return this.name === 'mw1.micro';
  }
}

const KNOWN_ENVIRONMENT_CLASSES: EnvironmentClass[] = [
  EnvironmentClass.MW1_MICRO,
  EnvironmentClass.MW1_SMALL,
  EnvironmentClass.MW1_MEDIUM,
  EnvironmentClass.MW1_LARGE,
  EnvironmentClass.MW1_XLARGE,
  EnvironmentClass.MW1_2XLARGE,
];
