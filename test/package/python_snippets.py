"""The README's snippets as jsii-rosetta translated them to Python, checked beyond byte-compiling.

Each ```python block of the generated README (and of the module docstring made from it) must parse,
and no call may pass keyword arguments to a method whose last parameter is a variadic struct (such as
`Validations.acknowledge(*rules: Acknowledgment)`): Python rejects `acknowledge(id=..., reason=...)`,
which is what an object literal written inline in TypeScript becomes. The methods are read from the
jsii assemblies of this package and of aws-cdk-lib, so a new one is covered without editing this file.

Run after `npm run codegen` (its last step):

    python3 test/package/python_snippets.py [.codegen/python]
"""
import ast
import gzip
import json
import os
import re
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def assembly(path):
    with open(path, 'rb') as f:
        data = json.load(f)
    if data.get('schema') == 'jsii/file-redirect':
        with gzip.open(os.path.join(os.path.dirname(path), data['filename'])) as f:
            data = json.load(f)
    return data


def snake(name):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


def variadic_struct_methods():
    types = {}
    # This package's own assembly exists once it is compiled (codegen compiles first); the tests of this
    # script run before that, on aws-cdk-lib's alone.
    for path in [os.path.join(ROOT, 'node_modules', 'aws-cdk-lib', '.jsii'), os.path.join(ROOT, '.jsii')]:
        if os.path.exists(path):
            types.update(assembly(path)['types'])
    names = set()
    for t in types.values():
        for m in t.get('methods', []):
            params = m.get('parameters') or []
            last = params[-1] if params else None
            if last and last.get('variadic') and types.get(last['type'].get('fqn', ''), {}).get('datatype'):
                names.add(snake(m['name']))
    return names


def python_blocks(text):
    """The ```python blocks of a Markdown text (or of a docstring holding one), with their first line."""
    blocks, lang, current, start = [], None, [], 0
    for number, line in enumerate(text.split('\n'), 1):
        fence = re.match(r'^\s*```\s*(\S*)', line)
        if fence and lang is None:
            lang, current, start = fence.group(1).lower(), [], number + 1
        elif fence:
            if lang == 'python':
                blocks.append((start, textwrap.dedent('\n'.join(current))))
            lang = None
        elif lang is not None:
            current.append(line)
    return blocks


def check(files, methods):
    failures, calls = [], 0
    for file in files:
        with open(file, encoding='utf-8') as f:
            text = f.read()
        if file.endswith('.py'):
            text = ast.get_docstring(ast.parse(text), clean=False) or ''
        for line, code in python_blocks(text):
            try:
                tree = ast.parse(code)
            except SyntaxError as e:
                failures.append(f'{os.path.basename(file)}: the snippet at line {line} is not Python: {e.msg} (its line {e.lineno})')
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                    calls += 1
                    if node.keywords:
                        failures.append(f'{os.path.basename(file)}: the snippet at line {line} passes keyword arguments to '
                                        f'{node.func.attr}(), whose parameter is variadic: {ast.unparse(node)}')
    return failures, calls


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.codegen/python')
    files = [os.path.join(root, 'README.md')]
    src = os.path.join(root, 'src')
    if os.path.isdir(src):
        for pkg in sorted(os.listdir(src)):
            init = os.path.join(src, pkg, '__init__.py')
            if os.path.exists(init):
                files.append(init)
    methods = variadic_struct_methods()
    if 'acknowledge' not in methods:
        print('python snippets: Validations.acknowledge is no longer found as a variadic struct method', file=sys.stderr)
        return 1
    failures, calls = check(files, methods)
    for failure in failures:
        print(f'python snippets: {failure}', file=sys.stderr)
    if failures:
        return 1
    print(f'python snippets: {len(files)} files parse; {calls} call(s) to variadic struct methods pass their structs positionally')
    return 0


if __name__ == '__main__':
    sys.exit(main())
