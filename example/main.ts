/* eslint-disable no-console */
import { buildExampleApp } from './app';

// Synthesize the example app to cdk.out/ and print what it built.
const { app, stack } = buildExampleApp('cdk.out');
const assembly = app.synth();
const artifact = assembly.getStackByName(stack.stackName);
const resources: Record<string, { Type: string; Properties?: any }> = artifact.template.Resources ?? {};

const byType = new Map<string, number>();
for (const resource of Object.values(resources)) {
  byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
}

console.log(`Synthesized stack ${stack.stackName} to ${assembly.directory}/${artifact.templateFile}`);
console.log(`\nResources (${Object.keys(resources).length}):`);
for (const [type, count] of [...byType.entries()].sort()) {
  console.log(`  ${String(count).padStart(3)}  ${type}`);
}

const env = Object.values(resources).find(r => r.Type === 'AWS::MWAA::Environment');
if (env?.Properties) {
  const p = env.Properties;
  const logs = Object.entries(p.LoggingConfiguration ?? {})
    .map(([type, c]: [string, any]) => `${type.replace(/Logs$/, '')}=${c.Enabled ? c.LogLevel : 'off'}`)
    .join(', ');
  console.log('\nEnvironment:');
  console.log(`  name                 ${p.Name}`);
  console.log(`  Airflow version      ${p.AirflowVersion}`);
  console.log(`  environment class    ${p.EnvironmentClass}`);
  console.log(`  workers              ${p.MinWorkers}-${p.MaxWorkers}`);
  console.log(`  schedulers           ${p.Schedulers}`);
  console.log(`  web servers          ${p.MinWebservers}-${p.MaxWebservers}`);
  console.log(`  web server access    ${p.WebserverAccessMode}`);
  console.log(`  endpoint management  ${p.EndpointManagement}`);
  console.log(`  DAGs folder          ${p.DagS3Path}`);
  console.log(`  KMS key              ${p.KmsKey ? 'customer managed' : 'AWS owned'}`);
  console.log(`  logs                 ${logs}`);
}

const warnings = artifact.messages.filter(m => m.level === 'warning' || m.level === 'error');
console.log(`\nWarnings and errors: ${warnings.length}`);
for (const m of warnings) {
  console.log(`  [${m.level}] ${m.id}: ${m.entry.data}`);
}
