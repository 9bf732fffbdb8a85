// One cold synthesis, run by bench/synth.bench.ts in a fresh `node` process: loads the compiled
// library (lib/, as an app that depends on the package does) and synthesizes `count` environments,
// one stack each. Plain JavaScript so that no TypeScript compiler runs in the process being measured.
//
//   node bench/cold-synth.js '<json: { lib, outdir, count, env, vpc }>'
//
// Prints one line of JSON: wall and CPU (user + system, process.cpuUsage) milliseconds of the process
// start (before this file runs), of loading the modules, and of building and synthesizing the app.
const startWall = process.hrtime.bigint();
const startCpu = process.cpuUsage();
const startup = { wallMs: process.uptime() * 1000, cpuMs: (startCpu.user + startCpu.system) / 1000 };

const { lib, outdir, count, env, vpc: vpcAttributes } = JSON.parse(process.argv[2]);

function since(wall, cpu) {
  const used = process.cpuUsage(cpu);
  return { wallMs: Number(process.hrtime.bigint() - wall) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

const { App, Stack } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const { PrivateMwaaEnvironment } = require(lib);
const load = since(startWall, startCpu);

const synthWall = process.hrtime.bigint();
const synthCpu = process.cpuUsage();
const app = new App({ outdir });
for (let i = 0; i < count; i++) {
  const stack = new Stack(app, `Bench${i}`, { env });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', vpcAttributes);
  new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: `bench-env-${i}`, vpc });
}
const assembly = app.synth();
const synth = since(synthWall, synthCpu);
const resources = assembly.stacks.reduce((sum, s) => sum + Object.keys(s.template.Resources || {}).length, 0);

process.stdout.write(JSON.stringify({ startup, load, synth, resources }) + '\n');
