// The Python package's README, and the module docstring made from it, must show Python: jsii-pacmak
// translates each TypeScript snippet from the tablet jsii-rosetta wrote, and a snippet it does not
// find there is copied verbatim (TypeScript in a `python` block). Run after `npm run codegen`
// (jsii-pacmak --code-only: the same generator as the published package) or on an unpacked sdist:
//
//   node test/package/python-readme.js [.codegen/python]
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(process.argv[2] ?? '.codegen/python');
const files = [path.join(root, 'README.md')];
const srcDir = path.join(root, 'src');
if (fs.existsSync(srcDir)) {
  for (const pkg of fs.readdirSync(srcDir)) {
    const init = path.join(srcDir, pkg, '__init__.py');
    if (fs.existsSync(init)) {
      files.push(init);
    }
  }
}

// Lines that are TypeScript and never Python.
const TYPESCRIPT = [
  [/^\s*(const|let|var)\s+\w+/, 'a const/let declaration'],
  [/^\s*declare\s+const\b/, 'a declare const'],
  [/^\s*import\s+(\*|\{)/, 'an ES import'],
  [/\bnew\s+[A-Za-z_][\w.]*\s*\(/, 'a `new` expression'],
  [/\bthis\s*[,.)]/, '`this`'],
  [/=>/, 'an arrow function'],
  [/;\s*$/, 'a statement ending with `;`'],
  [/^\s*\/\//, 'a `//` comment'],
];

let failures = 0;
for (const file of files) {
  if (!fs.existsSync(file)) {
    console.error(`python README: missing ${path.relative(process.cwd(), file)}`);
    failures++;
    continue;
  }
  const lines = fs.readFileSync(file, 'utf-8').split('\n');
  let fence;
  let pythonBlocks = 0;
  let constructed = false;
  lines.forEach((line, index) => {
    const marker = line.match(/^\s*```\s*(\S*)/);
    if (marker) {
      if (fence === undefined) {
        fence = marker[1].toLowerCase();
        if (fence === 'python') {
          pythonBlocks++;
        }
        if (['ts', 'typescript', 'js', 'javascript'].includes(fence)) {
          console.error(`python README: ${path.basename(file)}:${index + 1}: a \`${fence}\` code block`);
          failures++;
        }
      } else {
        fence = undefined;
      }
      return;
    }
    if (fence !== 'python') {
      return;
    }
    if (/\bPrivateMwaaEnvironment\(/.test(line)) {
      constructed = true;
    }
    for (const [pattern, what] of TYPESCRIPT) {
      if (pattern.test(line)) {
        console.error(`python README: ${path.basename(file)}:${index + 1}: TypeScript (${what}) in a python block: ${line.trim()}`);
        failures++;
        break;
      }
    }
  });
  // Not vacuous: the README has Python examples, and they construct the environment.
  if (pythonBlocks === 0 || !constructed) {
    console.error(`python README: ${path.basename(file)} has ${pythonBlocks} python blocks and none constructs PrivateMwaaEnvironment`);
    failures++;
  } else {
    console.log(`python README: ${path.relative(process.cwd(), file)}: ${pythonBlocks} python blocks, no TypeScript`);
  }
}
process.exit(failures === 0 ? 0 : 1);
