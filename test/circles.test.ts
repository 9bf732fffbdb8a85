import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge = require('madge');

// `npm run circles` (CI) runs `madge --circular --extensions ts src`. These tests pin down what that
// catches: src/ has no circle today, and a circle made of type-only imports, which TypeScript erases
// and Node would never notice, still counts.
async function circlesIn(dir: string): Promise<string[][]> {
  const result = await madge(dir, { fileExtensions: ['ts'] });
  return result.circular();
}

function tree(files: { [name: string]: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circles-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('src/ has no import circle', async () => {
  expect(await circlesIn(path.join(__dirname, '..', 'src'))).toEqual([]);
}, 60_000);

test('a circle of type-only imports is reported, by its files', async () => {
  const dir = tree({
    'feature.ts': "import type { Base } from './private/base';\nexport function use(b: Base) { return b; }\n",
    'private/base.ts': "import type { use } from '../feature';\nexport interface Base { readonly f: typeof use }\n",
  });
  expect(await circlesIn(dir)).toEqual([['feature.ts', 'private/base.ts']]);
});

test('a one-way import is not a circle', async () => {
  const dir = tree({
    'feature.ts': "import type { Base } from './private/base';\nexport function use(b: Base) { return b; }\n",
    'private/base.ts': 'export interface Base { readonly name: string }\n',
  });
  expect(await circlesIn(dir)).toEqual([]);
});
